import { useEffect, useMemo, useRef, useState } from 'react';
import type { GameView, JoinCode, WireMessage } from '@rubicon/shared';
import { AppHeader } from '../common/AppHeader.tsx';
import { ConnectionBadge } from '../session/ConnectionBadge.tsx';
import { Countdown } from '../session/Countdown.tsx';
import { EscalationLadder } from './EscalationLadder.tsx';
import { MapView } from './MapView.tsx';
import { OutcomePanel } from '../session/OutcomePanel.tsx';
import { Debrief } from '../debrief/Debrief.tsx';
import { NeedsJoin, SessionPending } from '../session/SessionFrame.tsx';
import { LimitRefusalBanner } from '../session/LimitRefusal.tsx';
import { LockIns } from '../facilitate/SeatStatus.tsx';
import { Timeline } from './Timeline.tsx';
import { authorLabel, PHASE_LABEL, seatName } from '../lib/describe.ts';
import { timeOfDay } from '../lib/time.ts';
import { ApiError, joinWithCode, sessionSummary } from '../net/api.ts';
import { hostedSession, loadCredential, saveCredential } from '../net/storage.ts';
import { QrCode } from '../lobby/QrCode.tsx';
import { paths } from '../router.ts';
import { useSession, type Session } from '../net/useSession.ts';

/**
 * `/s/:id/display`: the projector. Observer token only, so it can never show
 * a team's secrets. A facilitator who opens it on their own machine is joined
 * as an observer automatically with the session's observer code.
 */
export function SharedDisplay({ sessionId }: { sessionId: string }) {
  const [cred, setCred] = useState(() => loadCredential(sessionId, 'observer'));
  const [autoJoin, setAutoJoin] = useState<'idle' | 'working' | 'failed'>('idle');
  const session = useSession(sessionId, cred?.token ?? null);

  useEffect(() => {
    if (cred) return;
    const fac = loadCredential(sessionId, 'facilitator');
    if (!fac) return;
    setAutoJoin('working');
    sessionSummary(sessionId, fac.token)
      .then((s) => {
        const code = s.codes.find((c) => c.role.kind === 'observer')?.code;
        if (!code) throw new ApiError(404, 'not_found', 'This session has no observer code.');
        return joinWithCode(code);
      })
      .then((join) => {
        const c = { token: join.token, role: join.role };
        saveCredential(sessionId, c);
        setCred(c);
        setAutoJoin('idle');
      })
      .catch(() => setAutoJoin('failed'));
  }, [cred, sessionId]);

  if (!cred) {
    if (autoJoin === 'working') return <div className="page page--display" aria-busy="true" />;
    return (
      <NeedsJoin title="Shared display">
        <p>Enter the observer code for this session to put it on the projector.</p>
      </NeedsJoin>
    );
  }
  if (!session.view) return <SessionPending session={session} title="Shared display" />;
  return <Display session={session} view={session.view} />;
}

function Display({ session, view }: { session: Session; view: GameView }) {
  const beat = view.beat;
  useEffect(() => {
    document.title = `${beat ? beat.title : view.scenario.title} · Rubicon display`;
  }, [beat, view.scenario.title]);
  const publicChannels = useMemo(() => new Set(view.channels.filter((c) => c.kind === 'public').map((c) => c.id)), [view.channels]);
  // A statement the white cell hid from the display is not shown at all (not even as a gap).
  const statements = useMemo(
    () => session.messages.filter((m) => publicChannels.has(m.channel) && !m.hidden).slice(-4).reverse(),
    [session.messages, publicChannels],
  );
  const over = view.phase === 'outcome' || view.phase === 'debrief';
  // Once a beat is resolved the stage tells its result in full: the timeline gives the stage its height.
  const full = over || view.phase === 'resolution';

  return (
    <div className={`page page--display${over ? ' page--display-over' : ''}${full ? ' page--display-full' : ''}`} data-testid="display">
      <DisplayHeader session={session} view={view} />
      <LimitRefusalBanner connection={session.connection} />
      <main id="main" className="display">
        <h1 className="visually-hidden">Shared display: {view.scenario.title}</h1>
        <div className="display__stage">
          <StageText view={view} sessionId={session.sessionId} over={over} />
          <section className="display__map" aria-labelledby="map-heading">
            <h2 id="map-heading" className="visually-hidden">
              Map of the region
            </h2>
            <MapView view={view} />
          </section>
        </div>
        <div className="display__side">
          <section className="panel panel--display">
            <EscalationLadder rungs={view.scenario.rungs} level={view.world.ladder} detailed />
          </section>
          {beat && view.phase === 'resolution' && (
            <div className="display__decisions display__decisions--side">
              <LockIns view={view} strip />
            </div>
          )}
          <Statements view={view} statements={statements} />
        </div>
        <div className="display__timeline panel panel--display">
          <Timeline view={view} latest={4} />
        </div>
      </main>
    </div>
  );
}

/** The projector's header: scenario, beat and date, the phase, and the clock in large type. */
function DisplayHeader({ session, view }: { session: Session; view: GameView }) {
  const beat = view.beat;
  return (
    <AppHeader
      compact
      context={
        <div className="display-head">
          <span className="display-head__scenario">{view.scenario.title}</span>
          <span className="display-head__beat" data-testid="display-beat">
            {beat ? (
              <>
                <span className="display-head__index">Beat {beat.index}</span> {beat.title} <span className="display-head__date">· {beat.date}</span>
              </>
            ) : (
              PHASE_LABEL[view.phase]
            )}
          </span>
        </div>
      }
    >
      <span className="phase-pill phase-pill--large" data-testid="phase" data-phase={view.phase}>
        {view.paused ? '❚❚ Paused' : PHASE_LABEL[view.phase]}
      </span>
      {view.timer && <Countdown timer={view.timer} paused={view.paused} phase={view.phase} size="large" label="Decisions due in" />}
      <ConnectionBadge connection={session.connection} />
    </AppHeader>
  );
}

/** The stage's text column: what the phase is about (opening, situation, result, outcome or debrief) and the beat's decisions. */
function StageText({ view, sessionId, over }: { view: GameView; sessionId: string; over: boolean }) {
  const beat = view.beat;
  return (
    <div className="display__text">
      {over ? (
        view.phase === 'debrief' ? <Debrief view={view} large /> : <OutcomePanel view={view} large />
      ) : view.phase === 'lobby' || view.phase === 'briefing' ? (
        <Opening view={view} sessionId={sessionId} />
      ) : (
        beat &&
        // Once resolved, the result below takes the situation's place.
        view.phase !== 'resolution' && (
          <p className="display__situation" data-testid="display-situation">
            {beat.situation}
          </p>
        )
      )}
      {beat && !over && (
        <div className="display__decisions">
          {view.phase === 'adjudication' ? (
            <p className="display__banner" data-testid="display-adjudicating">
              Planning closed · the white cell is adjudicating
            </p>
          ) : view.phase === 'resolution' ? (
            <ResultNow view={view} />
          ) : null}
          {/* Once resolved, the result needs this column's height: the decisions move beside the ladder. */}
          {view.phase !== 'resolution' && <LockIns view={view} strip />}
        </div>
      )}
    </div>
  );
}

/** The beat's result told in large type on the projector itself: what happened, and who defaulted. */
function ResultNow({ view }: { view: GameView }) {
  const r = view.resolutions.findLast((x) => x.beat === view.beat?.id);
  if (!r) return null;
  const defaulted = r.choices.filter((c) => c.defaulted).map((c) => seatName(view.scenario, c.seat));
  return (
    <div className="display__result" data-testid="display-result">
      <p className="display__banner">Resolved</p>
      {r.narrative.slice(0, 4).map((n, i) => (
        <p key={i} className="display__result-line">
          {n.text}
        </p>
      ))}
      {r.draws.map((d) => (
        <p key={d.draw} className="display__result-draw">
          {d.title}: <strong>{d.label}</strong>
        </p>
      ))}
      {defaulted.length > 0 && <p className="display__result-draw">No decision in time (default taken): {defaulted.join(', ')}</p>}
    </div>
  );
}

function Opening({ view, sessionId }: { view: GameView; sessionId: string }) {
  return (
    <div className="display__opening">
      <p className="eyebrow">{view.phase === 'lobby' ? 'Teams are joining' : 'Opening briefing'}</p>
      <p className="display__situation">{view.phase === 'lobby' ? view.scenario.summary : view.scenario.openingBriefing}</p>
      {view.phase === 'lobby' && <LobbyCodes view={view} sessionId={sessionId} />}
    </div>
  );
}

/** Public statements as they arrive, newest first; screen readers hear each new one. */
function Statements({ view, statements }: { view: GameView; statements: WireMessage[] }) {
  const first = useRef(true);
  const [fresh, setFresh] = useState<string | null>(null);
  const newest = statements[0]?.id ?? null;
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (!newest) return;
    setFresh(newest);
    const t = setTimeout(() => setFresh(null), 6000);
    return () => clearTimeout(t);
  }, [newest]);
  return (
    <section className="panel panel--display statements" aria-labelledby="statements-heading" data-testid="statements">
      <h2 id="statements-heading" className="panel-title">
        Public statements
      </h2>
      {statements.length === 0 && <p className="muted">No public statements yet.</p>}
      {
        <ol className="statements__list" aria-live="polite" aria-relevant="additions">
          {statements.map((m) => {
            const seat = view.scenario.seats.find((s) => s.id === m.from);
            return (
              <li
                key={m.id}
                className={`statement${fresh === m.id ? ' statement--fresh' : ''}`}
                style={seat ? { ['--seat' as string]: seat.color } : undefined}
                data-testid="statement"
              >
                <p className="statement__who">
                  <span className="seat-chip__swatch" aria-hidden="true" />
                  <strong>{authorLabel(view.scenario, m)}</strong> <span className="statement__time">{timeOfDay(m.at)}</span>
                  {fresh === m.id && <span className="tag tag--new">New</span>}
                </p>
                <p className="statement__text">{m.text}</p>
              </li>
            );
          })}
        </ol>
      }
    </section>
  );
}

/**
 * The lobby on the projector: each seat's join code and QR code. Only a
 * display opened on the white cell's device can read the codes (with its
 * token); elsewhere it lists the seats and says where the codes are.
 */
function LobbyCodes({ view, sessionId }: { view: GameView; sessionId: string }) {
  const [codes, setCodes] = useState<JoinCode[] | null>(() => hostedSession(sessionId)?.codes ?? null);
  useEffect(() => {
    const fac = loadCredential(sessionId, 'facilitator');
    if (!fac) return;
    let alive = true;
    sessionSummary(sessionId, fac.token).then(
      (s) => alive && setCodes(s.codes),
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [sessionId]);
  const seats = view.scenario.seats.filter((s) => s.inPlay);
  const origin = window.location.origin;
  return (
    <>
      <ul className="display__codes" aria-label="Seats in play and their join codes" data-testid="lobby-codes">
        {seats.map((s) => {
          const code = codes?.find((c) => c.role.kind === 'seat' && c.role.seat === s.id)?.code;
          return (
            <li key={s.id} className="display__code" style={{ ['--seat' as string]: s.color }} data-testid={`lobby-code-${s.id}`}>
              <span className="display__code-seat">
                <span className="seat-chip__swatch" aria-hidden="true" /> {s.name}
              </span>
              {code && (
                <>
                  <QrCode url={`${origin}${paths.join(code)}`} label={`QR code to join as ${s.name}`} size={150} />
                  <span className="display__code-text mono" data-testid={`lobby-code-text-${s.id}`}>
                    {code}
                  </span>
                </>
              )}
            </li>
          );
        })}
      </ul>
      <p className="display__join-hint">
        {codes ? (
          <>
            Scan your team’s code, or open <span className="mono">{origin.replace(/^https?:\/\//, '')}</span> and type it in.
          </>
        ) : (
          'Your facilitator has your team’s join code.'
        )}
      </p>
    </>
  );
}
