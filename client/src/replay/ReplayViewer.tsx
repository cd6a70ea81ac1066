import { useCallback, useEffect, useMemo, useState } from 'react';
import './replay.css';
import { describeEvent, messagesFor, viewFor, type Viewer } from '@rubicon/shared';
import { AppHeader } from '../common/AppHeader.tsx';
import { Link } from '../common/Link.tsx';
import { PHASE_LABEL, seatName } from '../lib/describe.ts';
import { timeOfDay } from '../lib/time.ts';
import { branchSession } from '../net/api.ts';
import { StatusButton } from '../common/StatusButton.tsx';
import { rememberHostedSession } from '../net/storage.ts';
import { navigate, paths } from '../router.ts';
import { PointOfView } from './PointOfView.tsx';
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
  const { version, as, setAs, seek } = useReplayPosition(replayer.length);
  const { view, messages, caption } = useReplayMoment(replayer, version, as);
  const timeAt = useCallback((v: number) => replayer.log[v - 1]?.at, [replayer]);
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
      <ReplayNav session={session} version={version} as={as} onAs={setAs} />
      <main id="main" className="replay">
        <h1 className="visually-hidden">Replay of {file.session.title}</h1>
        <Scrubber version={version} length={replayer.length} markers={replayer.markers} beats={beats} timeAt={timeAt} onSeek={seek} />
        {caption && (
          <p className="replay__caption small" data-testid="replay-caption">
            <span className="muted">Event {version}:</span> {caption}
          </p>
        )}
        <PointOfView
          view={view}
          messages={messages}
          eyebrow={
            <>
              Event {version} of {replayer.length} · {as === 'facilitator' ? 'White cell' : as === 'observer' ? 'Observer' : seatName(view.scenario, as)}’s view
            </>
          }
        />
      </main>
    </div>
  );
}

/** Which event and whose point of view, read from the address at first and kept in it, so a moment can be linked to. */
function useReplayPosition(length: number) {
  const initial = useMemo(() => readParams(length), [length]);
  const [version, setVersion] = useState(initial.version);
  const [as, setAs] = useState(initial.as);
  const seek = useCallback((v: number) => setVersion(Math.max(0, Math.min(length, v))), [length]);
  useEffect(() => {
    const q = new URLSearchParams(location.search);
    q.set('v', String(version));
    q.set('as', as);
    history.replaceState(null, '', `${location.pathname}?${q.toString()}`);
  }, [version, as]);
  return { version, as, setAs, seek };
}

/** What the viewer `as` saw after event `version`, and (for the white cell) what that event did, in words. */
function useReplayMoment(replayer: RecordedSession['replayer'], version: number, as: string) {
  const viewer = useMemo(() => viewerOf(as), [as]);
  // The state before the event too, to say in words what the event did (white cell only: it names moves).
  const { before, state } = useMemo(() => ({ before: version > 0 ? replayer.stateAt(version - 1) : null, state: replayer.stateAt(version) }), [replayer, version]);
  const caption = useMemo(
    () => (as === 'facilitator' && before ? describeEvent(replayer.game.scenario, replayer.log[version - 1]!, before, state).text : null),
    [as, before, state, replayer, version],
  );
  // The very functions the live server answers with: what this viewer saw at this moment.
  const view = useMemo(() => viewFor(replayer.game, state, viewer), [replayer, state, viewer]);
  const messages = useMemo(() => messagesFor(replayer.game, state, viewer), [replayer, state, viewer]);
  return { view, messages, caption };
}

/** Whose point of view, the way to the report, branching from this moment, and where this session was branched from. */
function ReplayNav({ session, version, as, onAs }: { session: RecordedSession; version: number; as: string; onAs: (as: string) => void }) {
  const { file } = session;
  return (
    <nav className="subnav" aria-label="Replay">
      <label className="replay__pov">
        Point of view{' '}
        <select value={as} onChange={(e) => onAs(e.target.value)} data-testid="pov">
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
  );
}

function beatLabel(beats: readonly { id: string; title: string }[], beat: string | null): string {
  const b = beats.find((x) => x.id === beat);
  return b ? b.title : (beat ?? 'Beat');
}

function BranchButton({ session, version }: { session: RecordedSession; version: number }) {
  const run = async () => {
    const title = `${session.file.session.title} · from event ${version}`.slice(0, 120);
    const created = await branchSession(session.sessionId, session.token, version, title);
    rememberHostedSession(created, title, Date.now());
    navigate(paths.setup(created.sessionId));
  };
  return (
    <StatusButton className="btn btn--small" testId="branch" busy="Starting…" failed="The branch could not be started." run={run}>
      Branch from here
    </StatusButton>
  );
}
