import { useCallback, useEffect, useMemo, useState } from 'react';
import './replay.css';
import { messagesFor, viewFor, type GameView, type Message, type Viewer } from '@rubicon/shared';
import { AppHeader } from '../common/AppHeader.tsx';
import { Link } from '../common/Link.tsx';
import { EscalationLadder } from '../display/EscalationLadder.tsx';
import { MapView } from '../display/MapView.tsx';
import { Timeline } from '../display/Timeline.tsx';
import { WorldTable } from '../facilitate/FacilitatorConsole.tsx';
import { SeatTable } from '../facilitate/SeatStatus.tsx';
import { OutcomePanel } from '../session/OutcomePanel.tsx';
import { ResolutionHistory } from '../session/ResolutionHistory.tsx';
import { PHASE_LABEL, seatName } from '../lib/describe.ts';
import { timeOfDay } from '../lib/time.ts';
import { ApiError, branchSession } from '../net/api.ts';
import { rememberHostedSession } from '../net/storage.ts';
import { navigate, paths } from '../router.ts';
import { Scrubber } from './Scrubber.tsx';
import { useRecordedSession, type RecordedSession } from './useRecordedSession.ts';

/** `/r/:id`: a session's whole history, scrubbed event by event, from the white cell's or any seat's point of view. */
export function ReplayViewer({ sessionId }: { sessionId: string }) {
  const loaded = useRecordedSession(sessionId);
  if (loaded.status !== 'ready')
    return (
      <div className="page">
        <AppHeader context={<strong>Replay</strong>} />
        <main id="main" className="narrow">
          <section className="panel" aria-busy={loaded.status === 'loading'}>
            <h1>Replay</h1>
            {loaded.status === 'loading' ? (
              <p className="muted">Rebuilding the session…</p>
            ) : (
              <p className="alert" role="alert">
                {loaded.message} <Link href={paths.home()}>Start page</Link>
              </p>
            )}
          </section>
        </main>
      </div>
    );
  return <Viewer session={loaded.session} />;
}

function readParams(length: number): { version: number; as: string } {
  const q = new URLSearchParams(location.search);
  const v = Number(q.get('v'));
  return { version: Number.isInteger(v) && q.has('v') ? Math.max(0, Math.min(length, v)) : length, as: q.get('as') ?? 'facilitator' };
}

function viewerOf(as: string): Viewer {
  if (as === 'facilitator') return { kind: 'facilitator' };
  if (as === 'observer') return { kind: 'observer' };
  return { kind: 'seat', seat: as };
}

function Viewer({ session }: { session: RecordedSession }) {
  const { replayer, file } = session;
  const initial = useMemo(() => readParams(replayer.length), [replayer.length]);
  const [version, setVersion] = useState(initial.version);
  const [as, setAs] = useState(initial.as);
  const seek = useCallback((v: number) => setVersion(Math.max(0, Math.min(replayer.length, v))), [replayer.length]);

  useEffect(() => {
    const q = new URLSearchParams(location.search);
    q.set('v', String(version));
    q.set('as', as);
    history.replaceState(null, '', `${location.pathname}?${q.toString()}`);
  }, [version, as]);

  const viewer = useMemo(() => viewerOf(as), [as]);
  const state = useMemo(() => replayer.stateAt(version), [replayer, version]);
  // The very functions the live server answers with: what this viewer saw at this moment.
  const view = useMemo(() => viewFor(replayer.game, state, viewer), [replayer, state, viewer]);
  const messages = useMemo(() => messagesFor(replayer.game, state, viewer), [replayer, state, viewer]);
  const beats = useMemo(
    () =>
      replayer.markers
        .filter((m) => m.kind === 'beat' || m.kind === 'rewind')
        .map((m) => ({ version: m.version, label: `${m.kind === 'rewind' ? '↺ ' : ''}${beatLabel(replayer.game.scenario.beats, m.beat)} · event ${m.version}` })),
    [replayer],
  );
  const at = version > 0 ? replayer.log[version - 1]!.at : null;
  useEffect(() => {
    document.title = `Replay · ${file.session.title} · Rubicon`;
  }, [file.session.title]);

  return (
    <div className="page page--replay">
      <AppHeader
        context={
          <span>
            <strong>Replay</strong> <span className="muted">· {file.session.title}</span>
          </span>
        }
      >
        <span className="phase-pill" data-testid="phase" data-phase={view.phase}>
          {view.beat ? `Beat ${view.beat.index} · ` : ''}
          {PHASE_LABEL[view.phase]}
        </span>
        {at !== null && <span className="small muted">{timeOfDay(at)}</span>}
      </AppHeader>
      <nav className="subnav" aria-label="Replay">
        <label className="replay__pov">
          Point of view{' '}
          <select value={as} onChange={(e) => setAs(e.target.value)} data-testid="pov">
            <option value="facilitator">White cell (everything)</option>
            {file.seats.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
            <option value="observer">Observer (the projector)</option>
          </select>
        </label>
        <Link href={paths.report(session.sessionId)}>After-action report</Link>
        <BranchButton session={session} version={version} />
        {file.session.parent && (
          <span className="small muted" data-testid="parent">
            Branched from “{file.session.parent.title}” at event {file.session.parent.version}
          </span>
        )}
      </nav>
      <main id="main" className="replay">
        <h1 className="visually-hidden">Replay of {file.session.title}</h1>
        <Scrubber version={version} length={replayer.length} markers={replayer.markers} beats={beats} onSeek={seek} />
        <div className="replay__grid">
          <div className="replay__col">
            <section className="panel now" aria-labelledby="replay-beat">
              <p className="eyebrow">
                Event {version} of {replayer.length} · {as === 'facilitator' ? 'White cell' : as === 'observer' ? 'Observer' : seatName(view.scenario, as)}’s view
              </p>
              <h2 id="replay-beat" data-testid="replay-beat" data-beat={view.beat?.id ?? ''}>
                {view.beat ? view.beat.title : PHASE_LABEL[view.phase]}
              </h2>
              {view.beat && <p className="prose">{view.beat.situation}</p>}
              {view.briefing && (
                <p className="prose" data-testid="replay-briefing">
                  <strong>Private briefing:</strong> {view.briefing}
                </p>
              )}
              {view.mySubmission && (
                <p data-testid="replay-my-draft">
                  <strong>{view.mySubmission.locked ? 'Locked in' : 'Draft'}:</strong> {view.menu?.moves.find((m) => m.id === view.mySubmission?.move)?.title ?? view.mySubmission.move}
                  {view.mySubmission.rationale && <span className="muted"> — {view.mySubmission.rationale}</span>}
                </p>
              )}
            </section>
            {(view.phase === 'outcome' || view.phase === 'debrief') && <OutcomePanel view={view} />}
            {view.beat && (
              <section className="panel" aria-labelledby="replay-seats">
                <h2 id="replay-seats" className="panel-title">
                  Seats
                </h2>
                <SeatTable view={view} presence={null} showDrafts={as === 'facilitator'} />
              </section>
            )}
            <section className="panel replay__map">
              <MapView view={view} />
            </section>
          </div>
          <div className="replay__col">
            <section className="panel">
              <EscalationLadder rungs={view.scenario.rungs} level={view.world.ladder} />
            </section>
            <WorldTable view={view} />
            <ResolutionHistory view={view} heading="Resolutions so far" />
          </div>
          <div className="replay__col">
            <Messages view={view} messages={messages} />
            <section className="panel">
              <Timeline view={view} />
            </section>
          </div>
        </div>
      </main>
    </div>
  );
}

function beatLabel(beats: readonly { id: string; title: string }[], beat: string | null): string {
  const b = beats.find((x) => x.id === beat);
  return b ? b.title : (beat ?? 'Beat');
}

/** The messages this point of view had received by now, by channel. */
function Messages({ view, messages }: { view: GameView; messages: Message[] }) {
  const byChannel = view.channels
    .map((c) => ({ channel: c, list: messages.filter((m) => m.channel === c.id) }))
    .filter((g) => g.list.length > 0);
  return (
    <section className="panel" aria-labelledby="replay-messages" data-testid="replay-messages">
      <h2 id="replay-messages" className="panel-title">
        Messages ({messages.length})
      </h2>
      {byChannel.length === 0 && <p className="muted">No messages yet from this point of view.</p>}
      {byChannel.map(({ channel, list }) => (
        <div key={channel.id} className="replay__channel">
          <h3 className="small">
            {channel.title} <span className="muted">({list.length})</span>
          </h3>
          <ol className="replay__messages">
            {list.map((m) => (
              <li key={m.id} data-testid="replay-message">
                <span className="small muted">
                  {timeOfDay(m.at)} · {seatName(view.scenario, m.from)}
                </span>{' '}
                {m.text}
              </li>
            ))}
          </ol>
        </div>
      ))}
    </section>
  );
}

function BranchButton({ session, version }: { session: RecordedSession; version: number }) {
  const [state, setState] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="btn btn--small"
        data-testid="branch"
        onClick={async () => {
          setState('Starting…');
          try {
            const title = `${session.file.session.title} · from event ${version}`.slice(0, 120);
            const created = await branchSession(session.sessionId, session.token, version, title);
            rememberHostedSession(created, title, Date.now());
            navigate(paths.setup(created.sessionId));
          } catch (err) {
            setState(err instanceof ApiError ? err.message : 'The branch could not be started.');
          }
        }}
      >
        Branch from here
      </button>
      <span role="status" className="small muted">
        {state}
      </span>
    </>
  );
}
