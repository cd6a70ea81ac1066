import { useEffect, useState } from 'react';
import type { Command, GameView, Presence } from '@rubicon/shared';
import type { Session } from '../net/useSession.ts';
import { Countdown } from '../session/Countdown.tsx';
import { PHASE_LABEL } from '../lib/describe.ts';
import { seatState, STATE_TEXT } from './SeatStatus.tsx';

interface NextAction {
  label: string;
  command: Command;
  done: string;
}

function nextAction(view: GameView): NextAction | null {
  switch (view.phase) {
    case 'lobby':
      return { label: 'Start the session', command: { type: 'START' }, done: 'Started: the opening briefing is on every screen.' };
    case 'briefing':
      return { label: 'Open the first beat', command: { type: 'ADVANCE' }, done: 'The first beat is open.' };
    case 'planning':
      return { label: 'Close planning now', command: { type: 'ADVANCE' }, done: 'Planning closed.' };
    case 'adjudication':
      return { label: 'Accept the proposal', command: { type: 'ACCEPT_ADJUDICATION' }, done: 'Accepted: the result is on every screen.' };
    case 'resolution':
      return { label: 'Continue to what follows', command: { type: 'ADVANCE' }, done: 'Moved on.' };
    case 'outcome':
      return { label: 'Go to the debrief', command: { type: 'ADVANCE' }, done: 'The debrief is open.' };
    case 'debrief':
      return null;
  }
}

/**
 * The white cell's status strip: it sticks to the top of the console, so the
 * phase, the clock, who has locked in and the one next step never scroll away.
 * Closing planning while seats are undecided asks first and names them.
 */
export function StatusStrip({ session, view, presence }: { session: Session; view: GameView; presence: Presence | null }) {
  const beat = view.beat;
  const seats = view.scenario.seats.filter((s) => s.inPlay);
  const acting = seats.filter((s) => beat?.actingSeats.includes(s.id));
  const locked = acting.filter((s) => beat?.lockedIn.includes(s.id));
  const undecided = acting.filter((s) => !beat?.lockedIn.includes(s.id));
  const step = useNextStep(session, view, undecided.length > 0);

  return (
    <section className="strip" aria-label="Session status" data-testid="status-strip">
      <div className="strip__where">
        <span className="strip__phase" data-testid="phase" data-phase={view.phase}>
          {beat ? `Beat ${beat.index} · ` : ''}
          {view.paused ? '❚❚ Paused · ' : ''}
          {PHASE_LABEL[view.phase]}
        </span>
        {beat && <span className="strip__beat">{beat.title}</span>}
      </div>
      {view.timer && <Countdown timer={view.timer} paused={view.paused} phase={view.phase} label="Planning closes in" />}
      <p className="strip__count" data-testid="lockin-count">
        {acting.length > 0 ? (
          <>
            <strong>
              {locked.length} of {acting.length}
            </strong>{' '}
            locked in
          </>
        ) : (
          <span className="muted">No decisions open</span>
        )}
      </p>
      <StripSeats view={view} seats={seats} presence={presence} />
      <StripAction step={step} undecided={undecided} blocked={view.paused && view.phase === 'planning'} />
    </section>
  );
}

interface NextStep {
  action: NextAction | null;
  /** Asking before closing planning on undecided seats. */
  confirming: boolean;
  cancel: () => void;
  busy: boolean;
  /** The answer to the step just taken, until the session moves on. */
  result: { ok: boolean; text: string } | null;
  run: () => Promise<void>;
}

/** Taking the phase's next step, asking first when planning would close on seats that have not locked in. */
function useNextStep(session: Session, view: GameView, anyUndecided: boolean): NextStep {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const beat = view.beat;
  const action = nextAction(view);
  const needsConfirm = view.phase === 'planning' && anyUndecided;

  // A status line is about the step just taken: it goes when the session moves on.
  useEffect(() => {
    setConfirming(false);
    const t = setTimeout(() => setResult(null), 8000);
    return () => clearTimeout(t);
  }, [view.phase, beat?.id, beat?.index]);

  const run = async () => {
    if (!action) return;
    if (needsConfirm && !confirming) return setConfirming(true);
    setConfirming(false);
    setBusy(true);
    const r = await session.send(action.command);
    setBusy(false);
    setResult(r.ok ? { ok: true, text: action.done } : { ok: false, text: r.error.message });
  };
  return { action, confirming, cancel: () => setConfirming(false), busy, result, run };
}

type Seat = GameView['scenario']['seats'][number];

/** Each seat in play: what it is doing in this beat, and whether anyone is connected on it. */
function StripSeats({ view, seats, presence }: { view: GameView; seats: Seat[]; presence: Presence | null }) {
  return (
    <ul className="strip__seats" aria-label="Seats">
      {seats.map((s) => {
        const st = seatState(view, s.id);
        const away = presence !== null && (presence.seats[s.id] ?? 0) === 0;
        return (
          <li
            key={s.id}
            className={`strip-chip strip-chip--${st}${away ? ' strip-chip--away' : ''}`}
            style={{ ['--seat' as string]: s.color }}
            data-testid={`strip-seat-${s.id}`}
            data-state={st}
            data-connected={!away}
          >
            <span className="strip-chip__name">{s.short}</span>
            <span className="strip-chip__state">
              {st === 'idle' ? 'Not acting' : STATE_TEXT[st].text}
              {away ? ' · disconnected' : ''}
            </span>
            <span className="visually-hidden">{s.name}</span>
          </li>
        );
      })}
    </ul>
  );
}

/** The one next step's button, the question before closing planning early, and how the last step went. */
function StripAction({ step, undecided, blocked }: { step: NextStep; undecided: Seat[]; blocked: boolean }) {
  const { action, confirming, cancel, busy, result, run } = step;
  return (
    <div className="strip__action">
      {action && (
        <button
          type="button"
          className={`btn ${confirming ? 'btn--danger' : 'btn--primary'}`}
          disabled={busy || blocked}
          onClick={() => void run()}
          data-testid="next-action"
          aria-describedby={confirming ? 'strip-confirm' : undefined}
        >
          {confirming ? 'Yes, close planning' : action.label}
        </button>
      )}
      {confirming && (
        <>
          <p id="strip-confirm" className="strip__confirm" role="alert" data-testid="strip-confirm">
            {undecided.map((s) => s.name).join(', ')} {undecided.length === 1 ? 'has' : 'have'} not locked in: closing now takes{' '}
            {undecided.length === 1 ? 'its' : 'their'} default move.
          </p>
          <button type="button" className="btn btn--ghost" onClick={cancel} data-testid="strip-cancel">
            Cancel
          </button>
        </>
      )}
      <p className={result && !result.ok ? 'strip__result strip__result--bad' : 'strip__result'} role="status" data-testid="strip-result">
        {busy ? 'Sending…' : result ? (result.ok ? `✓ ${result.text}` : `Not accepted: ${result.text}`) : ''}
      </p>
    </div>
  );
}
