import { useEffect, useState } from 'react';
import type { Command, GameView } from '@rubicon/shared';
import type { Session } from '../net/useSession.ts';
import { rewindSummary, rewindTargets } from './rewind.ts';
import { MAX_REASON } from '@rubicon/shared/limits';

/**
 * Sending the controls' commands one at a time: what is being sent, and the
 * status line of the last one (done, or the server's reason), which goes after
 * a while or when the session moves to another phase.
 */
function useControlRun(session: Session, phase: GameView['phase']) {
  const [busy, setBusy] = useState<string | null>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  // A status line is about the step just taken: it goes when the session moves on.
  useEffect(() => {
    const t = setTimeout(() => setResult(null), 8000);
    return () => clearTimeout(t);
  }, [result, phase]);

  const run = async (label: string, command: Command, done: string) => {
    setBusy(label);
    setResult(null);
    const r = await session.send(command);
    setBusy(null);
    setResult(r.ok ? { ok: true, text: done } : { ok: false, text: r.error.message });
    return r.ok;
  };
  return { busy, result, setResult, run };
}

/** The white cell's clock and flow controls. Each shows its outcome: done, or the server's reason for refusing. */
export function FacilitatorControls({ session, view }: { session: Session; view: GameView }) {
  const { busy, result, setResult, run } = useControlRun(session, view.phase);
  const phase = view.phase;
  const over = phase === 'outcome' || phase === 'debrief';
  const targets = rewindTargets(view);
  const hasTimer = view.timer !== null;

  return (
    <section className="controls panel" aria-labelledby="controls-heading" data-testid="facilitator-controls">
      <h2 id="controls-heading" className="panel-title">
        Controls
      </h2>
      <div className="controls__main">
        {phase === 'adjudication' && <p className="muted">Review the proposal below: accept it or override it.</p>}
        {!over && phase !== 'lobby' && (
          <>
            {view.paused ? (
              <button type="button" className="btn" disabled={busy !== null} onClick={() => void run('resume', { type: 'RESUME' }, 'Resumed.')} data-testid="resume">
                ▶ Resume
              </button>
            ) : (
              <button type="button" className="btn" disabled={busy !== null} onClick={() => void run('pause', { type: 'PAUSE' }, 'Paused: the clock is stopped on every screen.')} data-testid="pause">
                ❚❚ Pause
              </button>
            )}
            <button type="button" className="btn" disabled={busy !== null || !hasTimer} onClick={() => void run('extend', { type: 'EXTEND_TIMER', seconds: 60 }, 'One more minute on the clock.')} data-testid="extend">
              +60 s
            </button>
          </>
        )}
      </div>

      {!over && phase !== 'lobby' && view.scenario.injects.length > 0 && <InjectForm view={view} run={run} disabled={busy !== null} />}

      {targets.length > 0 && phase !== 'debrief' && <RewindForm view={view} targets={targets} run={run} disabled={busy !== null} />}

      {!over && phase !== 'lobby' && <EndGameForm view={view} run={run} disabled={busy !== null} onIncomplete={(text) => setResult({ ok: false, text })} />}

      <p className={result && !result.ok ? 'alert' : 'controls__result'} role={result && !result.ok ? 'alert' : 'status'} data-testid="control-result">
        {busy ? 'Sending…' : result ? (result.ok ? `✓ ${result.text}` : `Not accepted: ${result.text}`) : ''}
      </p>
    </section>
  );
}

/** Sends one command and reports its outcome in the controls' status line; resolves to whether it was accepted. */
type Run = (label: string, command: Command, done: string) => Promise<boolean>;

function InjectForm({ view, run, disabled }: { view: GameView; run: Run; disabled: boolean }) {
  const [inject, setInject] = useState('');
  return (
    <form
      className="controls__row"
      onSubmit={(e) => {
        e.preventDefault();
        if (inject) void run('inject', { type: 'FIRE_INJECT', inject }, 'Inject fired.').then((ok) => ok && setInject(''));
      }}
    >
      <label className="controls__wide">
        Inject
        <select value={inject} onChange={(e) => setInject(e.target.value)} data-testid="inject-select">
          <option value="">Choose an event…</option>
          {view.scenario.injects.map((i) => (
            <option key={i.id} value={i.id}>
              {i.title}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="btn" disabled={disabled || !inject} data-testid="fire-inject">
        Fire inject
      </button>
      {inject && <p className="controls__hint">{view.scenario.injects.find((i) => i.id === inject)?.text}</p>}
    </form>
  );
}

/** A rewind asks once more, saying what it will undo, before it is sent. */
function RewindForm({ view, targets, run, disabled }: { view: GameView; targets: { id: string; label: string }[]; run: Run; disabled: boolean }) {
  const [rewind, setRewind] = useState('');
  const [confirmRewind, setConfirmRewind] = useState(false);
  return (
    <form
      className="controls__row"
      onSubmit={(e) => {
        e.preventDefault();
        if (!rewind) return;
        if (!confirmRewind) return setConfirmRewind(true);
        setConfirmRewind(false);
        void run('rewind', { type: 'REWIND', beat: rewind }, 'Rewound: the beat starts again from its checkpoint.');
      }}
    >
      <label>
        Rewind to
        <select
          value={rewind}
          onChange={(e) => {
            setRewind(e.target.value);
            setConfirmRewind(false);
          }}
          data-testid="rewind-select"
        >
          <option value="">Choose a beat…</option>
          {targets.map((t) => (
            <option key={t.id} value={t.id}>
              {t.label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className={confirmRewind ? 'btn btn--danger' : 'btn'} disabled={disabled || !rewind} data-testid="rewind">
        {confirmRewind ? 'Confirm rewind' : 'Rewind…'}
      </button>
      {confirmRewind && (
        <>
          <button type="button" className="btn btn--ghost" onClick={() => setConfirmRewind(false)}>
            Cancel
          </button>
          <p className="controls__hint controls__warn" role="alert" data-testid="rewind-summary">
            {rewindSummary(view, rewind)}
          </p>
        </>
      )}
    </form>
  );
}

function EndGameForm({ view, run, disabled, onIncomplete }: { view: GameView; run: Run; disabled: boolean; onIncomplete: (text: string) => void }) {
  const [outcome, setOutcome] = useState('');
  const [reason, setReason] = useState('');
  return (
    <form
      className="controls__row controls__row--end"
      onSubmit={(e) => {
        e.preventDefault();
        if (!outcome || !reason.trim()) return onIncomplete('Choose an outcome and give a reason to end the game.');
        void run('end', { type: 'END_GAME', outcome, reason: reason.trim() }, 'Game ended.');
      }}
    >
      <label>
        End with
        <select value={outcome} onChange={(e) => setOutcome(e.target.value)} data-testid="end-outcome">
          <option value="">Choose an outcome…</option>
          {view.scenario.outcomes.map((o) => (
            <option key={o.id} value={o.id}>
              {o.title}
            </option>
          ))}
        </select>
      </label>
      <label>
        Reason
        <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={MAX_REASON} data-testid="end-reason" />
      </label>
      <button type="submit" className="btn btn--danger" disabled={disabled} data-testid="end-game">
        End game
      </button>
    </form>
  );
}
