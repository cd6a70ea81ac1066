import { useEffect, useState } from 'react';
import type { Command, GameView } from '@rubicon/shared';
import type { Session } from '../net/useSession.ts';
import { MAX_REASON } from '@rubicon/shared/limits';

/** Beats that can be rewound to: those entered on the current path (resolved ones and the one open now). */
export function rewindTargets(view: Pick<GameView, 'resolutions' | 'beat'>): { id: string; label: string }[] {
  const seen = new Map<string, string>();
  for (const r of view.resolutions) seen.set(r.beat, `Beat ${r.beatIndex}: ${r.title}`);
  if (view.beat) seen.set(view.beat.id, `Beat ${view.beat.index}: ${view.beat.title}`);
  return [...seen].map(([id, label]) => ({ id, label }));
}

/**
 * What a rewind to `beat` takes back, in words, for the confirm: the results
 * of that beat and every later one, the injects fired since, and the choices
 * of the beat under way.
 */
export function rewindSummary(view: GameView, beat: string): string {
  const last = view.resolutions.map((r) => r.beat).lastIndexOf(beat);
  const openNow = view.beat?.id === beat && (last === -1 || view.resolutions[last]!.beatIndex !== view.beat.index);
  const from = openNow ? view.resolutions.length : Math.max(0, last);
  const undone = view.resolutions.slice(from);
  // Injects fired after the previous beat's result (an approximation of the checkpoint the view does not carry).
  const since = from > 0 ? view.resolutions[from - 1]!.version : 0;
  const injects = view.injects.filter((i) => i.version > since);
  const parts: string[] = [];
  if (undone.length > 0) parts.push(`the results of ${undone.map((r) => `beat ${r.beatIndex} (${r.title})`).join(', ')}`);
  if (injects.length > 0) parts.push(`${injects.length === 1 ? 'the inject' : `${injects.length} injects`} ${injects.map((i) => `“${i.title}”`).join(', ')}`);
  if (view.outcome) parts.push(`the outcome “${view.outcome.title}”`);
  if (view.beat && view.phase === 'planning') parts.push('every draft and lock-in of the beat under way');
  return parts.length > 0 ? `This undoes ${parts.join('; ')}. The teams are told.` : 'The beat starts again from its checkpoint. The teams are told.';
}

/** The white cell's clock and flow controls. Each shows its outcome: done, or the server's reason for refusing. */
export function FacilitatorControls({ session, view }: { session: Session; view: GameView }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [inject, setInject] = useState('');
  const [rewind, setRewind] = useState('');
  const [confirmRewind, setConfirmRewind] = useState(false);
  const [outcome, setOutcome] = useState('');
  const [reason, setReason] = useState('');

  // A status line is about the step just taken: it goes when the session moves on.
  useEffect(() => {
    const t = setTimeout(() => setResult(null), 8000);
    return () => clearTimeout(t);
  }, [result, view.phase]);

  const run = async (label: string, command: Command, done: string) => {
    setBusy(label);
    setResult(null);
    const r = await session.send(command);
    setBusy(null);
    setResult(r.ok ? { ok: true, text: done } : { ok: false, text: r.error.message });
    return r.ok;
  };

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

      {!over && phase !== 'lobby' && view.scenario.injects.length > 0 && (
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
          <button type="submit" className="btn" disabled={busy !== null || !inject} data-testid="fire-inject">
            Fire inject
          </button>
          {inject && <p className="controls__hint">{view.scenario.injects.find((i) => i.id === inject)?.text}</p>}
        </form>
      )}

      {targets.length > 0 && phase !== 'debrief' && (
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
          <button type="submit" className={confirmRewind ? 'btn btn--danger' : 'btn'} disabled={busy !== null || !rewind} data-testid="rewind">
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
      )}

      {!over && phase !== 'lobby' && (
        <form
          className="controls__row controls__row--end"
          onSubmit={(e) => {
            e.preventDefault();
            if (!outcome || !reason.trim()) return setResult({ ok: false, text: 'Choose an outcome and give a reason to end the game.' });
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
          <button type="submit" className="btn btn--danger" disabled={busy !== null} data-testid="end-game">
            End game
          </button>
        </form>
      )}

      <p className={result && !result.ok ? 'alert' : 'controls__result'} role={result && !result.ok ? 'alert' : 'status'} data-testid="control-result">
        {busy ? 'Sending…' : result ? (result.ok ? `✓ ${result.text}` : `Not accepted: ${result.text}`) : ''}
      </p>
    </section>
  );
}
