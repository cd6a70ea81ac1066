import { useEffect, useId, useState } from 'react';
import type { GameView } from '@rubicon/shared';
import { LLM_BOT } from '@rubicon/shared/bots';
import { AppHeader } from '../common/AppHeader.tsx';
import { ChannelPanel } from '../session/channels/ChannelPanel.tsx';
import { ConnectionBadge } from '../session/ConnectionBadge.tsx';
import { Countdown } from '../session/Countdown.tsx';
import { EscalationLadder } from '../display/EscalationLadder.tsx';
import { MoveBuilder } from './MoveBuilder.tsx';
import { OutcomePanel } from '../session/OutcomePanel.tsx';
import { Debrief } from '../debrief/Debrief.tsx';
import { RoleProfilePanel } from './RoleProfile.tsx';
import { ResolutionCard, ResolutionHistory } from '../session/ResolutionHistory.tsx';
import { NeedsJoin, SessionPending } from '../session/SessionFrame.tsx';
import { LimitRefusalBanner } from '../session/LimitRefusal.tsx';
import { LockIns, SeatChip } from '../facilitate/SeatStatus.tsx';
import { PHASE_LABEL } from '../lib/describe.ts';
import { forgetCredential, loadCredential, loadDisplayName, playSlot, saveDisplayName } from '../net/storage.ts';
import { NoticeHistory, TeamNotices } from './TeamNotices.tsx';
import { MAX_DISPLAY_NAME } from '@rubicon/shared/limits';
import { useSession, type Session } from '../net/useSession.ts';
import { navigate, paths } from '../router.ts';

/** `/s/:id/play?seat=…`: one seat's console. */
export function TeamConsole({ sessionId, seat }: { sessionId: string; seat: string | null }) {
  const slot = playSlot(sessionId, seat);
  const cred = slot ? loadCredential(sessionId, slot) : null;
  const [name, setName] = useState(() => loadDisplayName(sessionId));
  const session = useSession(sessionId, cred?.token ?? null, name);

  if (!cred || !slot) return <NeedsJoin title="Team console" />;
  if (!session.view) {
    return (
      <SessionPending
        session={session}
        title="Team console"
        onForget={() => {
          forgetCredential(sessionId, slot);
          navigate(paths.home());
        }}
      />
    );
  }
  const rename = (next: string | null) => {
    saveDisplayName(sessionId, next);
    setName(loadDisplayName(sessionId));
  };
  return <Console session={session} view={session.view} slot={slot} name={name} onRename={rename} />;
}

interface ConsoleProps {
  session: Session;
  view: GameView;
  slot: string;
  name: string | null;
  onRename: (name: string | null) => void;
}

function Console({ session, view, slot, name, onRename }: ConsoleProps) {
  const self = view.viewer.kind === 'seat' ? view.viewer.seat : null;
  const seat = view.scenario.seats.find((s) => s.id === self);
  const beat = view.beat;

  useEffect(() => {
    document.title = `${seat?.name ?? 'Team'}${beat ? ` · ${beat.title}` : ''} · Rubicon`;
  }, [seat?.name, beat]);

  return (
    <div className="page page--console" style={seat ? { ['--seat' as string]: seat.color } : undefined}>
      <TeamHeader session={session} view={view} seat={seat} name={name} />
      <nav className="jump" aria-label="On this page">
        <a href="#now">Now</a>
        <a href="#channels-heading">Channels</a>
        <a href="#history-heading">History</a>
      </nav>
      <main id="main" className="console">
        <div className="console__main">
          <h1 className="visually-hidden" data-testid="console-seat">
            {seat?.name ?? 'Team'} console
          </h1>
          <LimitRefusalBanner connection={session.connection} />
          {self && view.bots.some((b) => b.seat === self) && (
            <p className="alert alert--info" data-testid="played-by-bot">
              This seat is played by {view.bots.some((b) => b.seat === self && b.bot === LLM_BOT) ? 'a language model' : 'a bot'}. The white cell can hand it back to your team.
            </p>
          )}
          <TeamNotices view={view} seat={self} storageKey={`notices:${session.sessionId}:${slot}`} />
          {view.phase === 'debrief' ? <Debrief view={view} /> : <Now view={view} />}
          <RoleProfilePanel profile={view.teaching?.profile} seatName={seat?.name ?? 'your team'} open={view.phase === 'lobby' || view.phase === 'briefing'} />
          {view.phase === 'planning' && view.menu && <MoveBuilder key={`${beat?.id}:${beat?.index}`} session={session} view={view} slot={slot} />}
          {view.phase === 'planning' && !view.menu && (
            <section className="panel">
              <h2 className="panel-title">Your decision</h2>
              <p>Your team does not decide in this beat. Use the channels: the other teams are deciding now.</p>
            </section>
          )}
          <ResolutionHistory view={view} exclude={shownResult(view)} />
          <NoticeHistory view={view} seat={self} />
        </div>
        <TeamSide session={session} view={view} slot={slot} self={self} seatName={seat?.name} name={name} onRename={onRename} />
      </main>
    </div>
  );
}

type SeatDef = GameView['scenario']['seats'][number];

/** Who this is (seat, player's name, scenario), the phase and the clock. */
function TeamHeader({ session, view, seat, name }: { session: Session; view: GameView; seat: SeatDef | undefined; name: string | null }) {
  const beat = view.beat;
  return (
    <AppHeader
      context={
        <span className="console-id">
          {seat && <SeatChip seat={seat} />}
          {name && <span className="console-id__name" data-testid="my-name"> · {name}</span>}
          <span className="muted console-id__scenario"> · {view.scenario.title}</span>
        </span>
      }
    >
      <span className="phase-pill" data-testid="phase" data-phase={view.phase}>
        {beat ? `Beat ${beat.index} · ` : ''}
        {PHASE_LABEL[view.phase]}
      </span>
      {view.timer && <Countdown timer={view.timer} paused={view.paused} phase={view.phase} label="Decide within" />}
      <ConnectionBadge connection={session.connection} />
    </AppHeader>
  );
}

interface TeamSideProps {
  session: Session;
  view: GameView;
  slot: string;
  self: string | null;
  seatName: string | undefined;
  name: string | null;
  onRename: (name: string | null) => void;
}

/** The side column: the player's name, the channels, the ladder, who has locked in, and the seat's own measures. */
function TeamSide({ session, view, slot, self, seatName, name, onRename }: TeamSideProps) {
  return (
    <aside className="console__side" aria-label="Channels and the state of play">
      <NameField name={name} onRename={onRename} seatName={seatName ?? 'your seat'} />
      <ChannelPanel session={session} view={view} slot={slot} self={self} selfName={name} />
      <section className="panel">
        <EscalationLadder rungs={view.scenario.rungs} level={view.world.ladder} />
      </section>
      {view.beat && (
        <section className="panel">
          <LockIns view={view} />
        </section>
      )}
      {self && <MyMeasures view={view} seat={self} />}
    </aside>
  );
}

/** The beat in play: its situation, this team's briefing, and the adjudication or its result. */
function NowBeat({ view, beat }: { view: GameView; beat: NonNullable<GameView['beat']> }) {
  const latest = view.resolutions[view.resolutions.length - 1];
  return (
    <>
      <p className="eyebrow">
        Beat {beat.index} · {beat.date}
      </p>
      <h2 id="now-heading" data-testid="beat-title">
        {beat.title}
      </h2>
      <h3 className="subhead">The situation</h3>
      <p className="prose" data-testid="situation">
        {beat.situation}
      </p>
      {view.briefing && (
        <div className="briefing" data-testid="briefing">
          <h3 className="subhead">
            Your briefing <span className="tag">for your team only</span>
          </h3>
          <p className="prose">{view.briefing}</p>
        </div>
      )}
      {view.phase === 'adjudication' && (
        <p className="alert alert--info" data-testid="adjudicating">
          Planning is closed. The white cell is adjudicating: results in a moment.
        </p>
      )}
      {view.phase === 'resolution' && latest && latest.beat === beat.id && (
        <div className="now__result">
          <h3 className="subhead">Result</h3>
          <ResolutionCard r={latest} scenario={view.scenario} headingLevel={4} />
          <p className="muted">The white cell will open what follows.</p>
        </div>
      )}
    </>
  );
}

/** The resolution the "Now" panel already shows (in the resolution phase), so the history does not repeat it. */
function shownResult(view: GameView): number | undefined {
  const latest = view.resolutions[view.resolutions.length - 1];
  return view.phase === 'resolution' && latest && latest.beat === view.beat?.id ? latest.version : undefined;
}

/** What this seat needs to know right now, by phase. */
function Now({ view }: { view: GameView }) {
  const beat = view.beat;
  return (
    <section className="panel now" id="now" aria-labelledby="now-heading" data-testid="now">
      {view.phase === 'lobby' && (
        <>
          <p className="eyebrow">Waiting for the white cell to start</p>
          <h2 id="now-heading">{view.scenario.title}</h2>
          <p className="lede">{view.scenario.summary}</p>
          <SeatBrief view={view} />
        </>
      )}
      {view.phase === 'briefing' && (
        <>
          <p className="eyebrow">Opening briefing</p>
          <h2 id="now-heading">{view.scenario.title}</h2>
          <p className="prose" data-testid="opening-briefing">
            {view.scenario.openingBriefing}
          </p>
          <SeatBrief view={view} />
        </>
      )}
      {beat && <NowBeat view={view} beat={beat} />}
      {(view.phase === 'outcome' || view.phase === 'debrief') && (
        <>
          <h2 id="now-heading" className="visually-hidden">
            The end
          </h2>
          <OutcomePanel view={view} />
        </>
      )}
    </section>
  );
}

function SeatBrief({ view }: { view: GameView }) {
  const self = view.viewer.kind === 'seat' ? view.viewer.seat : null;
  const seat = view.scenario.seats.find((s) => s.id === self);
  if (!seat) return null;
  return (
    <div className="briefing">
      <h3 className="subhead">Your role: {seat.name}</h3>
      <p className="prose">{seat.description}</p>
    </div>
  );
}

function MyMeasures({ view, seat }: { view: GameView; seat: string }) {
  const values = view.world.measures[seat];
  if (!values) return null;
  return (
    <section className="panel" aria-labelledby="measures-heading">
      <h2 id="measures-heading" className="panel-title">
        Your standing
      </h2>
      <dl className="measures">
        {view.scenario.measures.map((m) => {
          const v = values[m.id];
          if (v === undefined) return null;
          const pct = m.max > m.min ? ((v - m.min) / (m.max - m.min)) * 100 : 0;
          return (
            <div key={m.id} className="measure" title={m.description}>
              <dt>{m.label}</dt>
              <dd>
                <span className="measure__value">{v}</span>
                <span className="measure__bar" aria-hidden="true">
                  <span style={{ width: `${Math.max(0, Math.min(100, pct))}%` }} />
                </span>
              </dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}

/** Who is at this device, for seats shared by several people: optional, changeable, kept on this device. */
function NameField({ name, onRename, seatName }: { name: string | null; onRename: (name: string | null) => void; seatName: string }) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(name ?? '');
  if (name && !editing) {
    return (
      <p className="name-field name-field--set">
        You write as <strong>{seatName} · {name}</strong>{' '}
        <button type="button" className="btn btn--small btn--ghost" onClick={() => setEditing(true)} data-testid="change-name">
          Change
        </button>
      </p>
    );
  }
  return (
    <form
      className="name-field"
      onSubmit={(e) => {
        e.preventDefault();
        onRename(draft.trim() === '' ? null : draft.trim());
        setEditing(false);
      }}
    >
      <label htmlFor={id}>Your name, if you share this seat (optional)</label>
      <div className="name-field__row">
        <input id={id} value={draft} onChange={(e) => setDraft(e.target.value)} maxLength={MAX_DISPLAY_NAME} autoComplete="given-name" data-testid="name-input" />
        <button type="submit" className="btn" data-testid="save-name">
          Save
        </button>
      </div>
    </form>
  );
}
