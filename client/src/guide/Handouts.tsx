import { useEffect } from 'react';
import type { TeachingDocument } from '@rubicon/shared';
import { ProfileDetails } from '../play/RoleProfile.tsx';
import { GuideFrame } from './GuideFrame.tsx';
import { useTeachingDocument } from './useTeachingDocument.ts';
import { Glossary } from './Reference.tsx';

/**
 * `/guide/:scenarioId/handouts`: one printed page (or more) per team: the
 * scenario, the team's standing profile, the objectives and the glossary.
 * Never a per-beat briefing: those arrive on the team console when the beat opens.
 */
export function Handouts({ scenarioId }: { scenarioId: string }) {
  const state = useTeachingDocument(scenarioId);
  useEffect(() => {
    document.title = `Student handouts${state.status === 'ready' ? `: ${state.doc.title}` : ''} · Rubicon`;
  }, [state]);
  return (
    <GuideFrame state={state} scenarioId={scenarioId} current="handouts">
      {(doc) => (
        <>
          <h1 className="visually-hidden">Student handouts: {doc.title}</h1>
          {doc.seats.map((s) => (
            <Handout key={s.id} doc={doc} seat={s} />
          ))}
        </>
      )}
    </GuideFrame>
  );
}

function Handout({ doc, seat }: { doc: TeachingDocument; seat: TeachingDocument['seats'][number] }) {
  return (
    <article className="doc handout" aria-labelledby={`h-${seat.id}`} data-testid="handout" data-seat={seat.id}>
      <header className="doc__head">
        <p className="eyebrow">
          {doc.title} · team handout{seat.optional ? ' · optional seat' : ''}
        </p>
        <h2 id={`h-${seat.id}`}>{seat.name}</h2>
        <p className="lede">{seat.description}</p>
      </header>
      <section className="doc__section">
        <h3>The crisis</h3>
        <p className="prose">{doc.openingBriefing}</p>
      </section>
      {seat.profile && (
        <section className="doc__section">
          <h3>Your role</h3>
          <ProfileDetails profile={seat.profile} headingLevel={4} />
        </section>
      )}
      {doc.objectives.length > 0 && (
        <section className="doc__section">
          <h3>What this exercise is for</h3>
          <ol>
            {doc.objectives.map((o) => (
              <li key={o.id}>{o.text}</li>
            ))}
          </ol>
        </section>
      )}
      <section className="doc__section">
        <h3>How to play</h3>
        <p>
          Each beat, your console shows the situation and a briefing for your team only. Agree a move, write a short decision memo in the
          rationale box (what you choose, why, how others will react, what risk you accept) and lock in before the clock runs out. Talk to other
          teams in the channels: what you write there may be all they know of your intentions.
        </p>
      </section>
      <Glossary doc={doc} headingId={`glossary-${seat.id}`} level={3} />
    </article>
  );
}
