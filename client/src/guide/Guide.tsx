import { useEffect } from 'react';
import type { GuideBeat, GuideVariant, TeachingDocument } from '@rubicon/shared';
import { ProfileDetails } from '../play/RoleProfile.tsx';
import { formatMinutes } from '../lobby/SessionEstimate.tsx';
import { GuideFrame } from './GuideFrame.tsx';
import { useTeachingDocument } from './useTeachingDocument.ts';
import { Glossary, Objectives, Sources } from './Reference.tsx';
import { EmptySeats } from './EmptySeats.tsx';

/** `/guide/:scenarioId`: the facilitator guide, generated from the scenario's teaching layer, to read or print. */
export function Guide({ scenarioId }: { scenarioId: string }) {
  const state = useTeachingDocument(scenarioId);
  useEffect(() => {
    document.title = `Facilitator guide${state.status === 'ready' ? `: ${state.doc.title}` : ''} · Rubicon`;
  }, [state]);
  return (
    <GuideFrame state={state} scenarioId={scenarioId} current="guide">
      {(doc) => <GuideBody doc={doc} />}
    </GuideFrame>
  );
}

function seatName(doc: TeachingDocument, seat: string): string {
  return doc.seats.find((s) => s.id === seat)?.name ?? seat;
}

/** The guide's sections, in the order the white cell needs them: before, during and after play. */
export function GuideBody({ doc }: { doc: TeachingDocument }) {
  return (
    <article className="doc">
      <header className="doc__head">
        <p className="eyebrow">Facilitator guide</p>
        <h1>{doc.title}</h1>
        <p className="lede">{doc.summary}</p>
        <p className="doc__note">
          For the white cell. It holds every team’s role profile and the beat menus, but no team’s private beat briefings; print the student
          handouts for the teams.
        </p>
      </header>

      <ClassLengths doc={doc} />

      <Objectives doc={doc} />

      <section className="doc__section" aria-labelledby="g-opening">
        <h2 id="g-opening">Opening briefing (read to everyone)</h2>
        <p className="prose">{doc.openingBriefing}</p>
      </section>

      <Teams doc={doc} />

      <EmptySeats doc={doc} />

      <section className="doc__section" aria-labelledby="g-beats">
        <h2 id="g-beats">Beat by beat</h2>
        {doc.beats.map((b) => (
          <BeatNotes key={b.id} doc={doc} beat={b} />
        ))}
      </section>

      <Debrief doc={doc} />

      <Glossary doc={doc} />
      <Sources doc={doc} />
    </article>
  );
}

/** The scenario's class-length presets and how long each plays on the historical path. */
function ClassLengths({ doc }: { doc: TeachingDocument }) {
  if (doc.presets.length === 0) return null;
  return (
    <section className="doc__section" aria-labelledby="g-presets">
      <h2 id="g-presets">Class lengths</h2>
      <table className="doc__table">
        <thead>
          <tr>
            <th scope="col">Preset</th>
            <th scope="col">Play time (historical path)</th>
            <th scope="col">What it is</th>
          </tr>
        </thead>
        <tbody>
          {doc.presets.map((p) => (
            <tr key={p.id}>
              <th scope="row">{p.title}</th>
              <td data-testid={`guide-preset-${p.id}`}>{formatMinutes(p.estimate.totalSeconds)}</td>
              <td>{p.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Every seat with its role profile. */
function Teams({ doc }: { doc: TeachingDocument }) {
  return (
    <section className="doc__section" aria-labelledby="g-teams">
      <h2 id="g-teams">The teams</h2>
      {doc.seats.map((s) => (
        <div key={s.id} className="doc__block">
          <h3>
            {s.name}
            {s.optional && <span className="tag">optional seat</span>}
          </h3>
          <p>{s.description}</p>
          {s.profile && <ProfileDetails profile={s.profile} headingLevel={4} />}
        </div>
      ))}
    </section>
  );
}

/** The questions for after play: for every outcome, for each outcome, and the historical path to compare with. */
function Debrief({ doc }: { doc: TeachingDocument }) {
  return (
    <section className="doc__section" aria-labelledby="g-debrief">
      <h2 id="g-debrief">Debrief</h2>
      {doc.debriefQuestions.length > 0 && (
        <>
          <h3>Whatever the outcome</h3>
          <ol>
            {doc.debriefQuestions.map((q) => (
              <li key={q}>{q}</li>
            ))}
          </ol>
        </>
      )}
      {doc.outcomes.map((o) => (
        <div key={o.id} className="doc__block">
          <h3>
            {o.title}
            {o.historical && <span className="tag">what happened</span>}
          </h3>
          <p>{o.description}</p>
          <Variants variants={o.variants} />
          {o.questions.length > 0 && (
            <ol>
              {o.questions.map((q) => (
                <li key={q}>{q}</li>
              ))}
            </ol>
          )}
        </div>
      ))}
      <h3>The historical path</h3>
      <HistoricalPath doc={doc} />
    </section>
  );
}

/** What each seat did at each beat in history. */
function HistoricalPath({ doc }: { doc: TeachingDocument }) {
  return (
    <table className="doc__table">
      <thead>
        <tr>
          <th scope="col">Beat</th>
          <th scope="col">Seat</th>
          <th scope="col">What was done</th>
        </tr>
      </thead>
      <tbody>
        {doc.historicalPath.map((h) => (
          <tr key={`${h.beat}-${h.seat}-${h.move}`}>
            <td>{doc.beats.find((b) => b.id === h.beat)?.title ?? h.beat}</td>
            <td>{seatName(doc, h.seat)}</td>
            <td>{h.title}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The other texts the room may read on other branches, each with the condition that picks it. */
function Variants({ variants }: { variants: GuideVariant[] }) {
  if (variants.length === 0) return null;
  return (
    <ul className="doc__variants">
      {variants.map((v) => (
        <li key={v.text}>
          <span className="muted small">If {v.when}: </span>
          {v.text}
        </li>
      ))}
    </ul>
  );
}

function BeatNotes({ doc, beat }: { doc: TeachingDocument; beat: GuideBeat }) {
  return (
    <div className="doc__block doc__beat" data-testid="guide-beat" data-beat={beat.id}>
      <h3>
        {beat.title} <span className="muted small">· {beat.date} · {formatMinutes(beat.timerSeconds)} on the standard clock</span>
      </h3>
      <p className="prose">{beat.situation}</p>
      <Variants variants={beat.situationVariants} />
      {beat.watchFor.length > 0 && (
        <>
          <h4>Watch for</h4>
          <ul>
            {beat.watchFor.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </>
      )}
      {beat.injects.length > 0 && (
        <>
          <h4>When an inject helps</h4>
          <ul>
            {beat.injects.map((i) => (
              <li key={i.inject}>
                <strong>{i.title}</strong>: {i.when}
              </li>
            ))}
          </ul>
        </>
      )}
      {beat.discussion.length > 0 && (
        <>
          <h4>Questions for discussion</h4>
          <ol>
            {beat.discussion.map((q) => (
              <li key={q}>{q}</li>
            ))}
          </ol>
        </>
      )}
      <h4>Who decides, and the options</h4>
      <ul className="doc__actors">
        {beat.actors.map((a) => (
          <li key={a.seat}>
            <strong>{seatName(doc, a.seat)}</strong>: {a.prompt} <span className="muted">({a.moves.map((m) => m.title).join(' · ')})</span>
            {a.memoPrompt && <span className="doc__memo">Memo: {a.memoPrompt}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
