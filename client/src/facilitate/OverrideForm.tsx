import type { Dispatch, SetStateAction } from 'react';
import type { FixedEffect, GameView, PlannedChange } from '@rubicon/shared';
import { MAX_REASON } from '@rubicon/shared/limits';
import { describeCause, type CauseNames } from '../lib/describe.ts';

type Scenario = GameView['scenario'];

/** One editable line of an override. Kept flat so switching kind keeps what was typed. */
export interface OverrideRow {
  key: number;
  kind: FixedEffect['kind'];
  delta: string;
  seat: string;
  measure: string;
  flag: string;
  set: boolean;
  /** Where the line came from, when prefilled from the proposal. */
  from: string | null;
}

let rowKey = 0;

export function rowsFromProposal(changes: readonly PlannedChange[], scenario: Scenario, names: CauseNames = {}): OverrideRow[] {
  return changes.map(({ effect, cause }) => ({
    key: ++rowKey,
    kind: effect.kind,
    delta: effect.kind === 'flag' ? '0' : String(effect.delta),
    seat: effect.kind === 'measure' ? effect.seat : (scenario.seats[0]?.id ?? ''),
    measure: effect.kind === 'measure' ? effect.measure : (scenario.measures[0]?.id ?? ''),
    flag: effect.kind === 'flag' ? effect.flag : '',
    set: effect.kind === 'flag' ? effect.set : true,
    from: `${describeCause(scenario, cause, names)}${effect.when ? ' (conditional in the rules)' : ''}`,
  }));
}

/** Turns the rows into the command's changes, or says what is wrong. */
export function rowsToEffects(rows: readonly OverrideRow[]): { ok: true; changes: FixedEffect[] } | { ok: false; problem: string } {
  const changes: FixedEffect[] = [];
  for (const [i, r] of rows.entries()) {
    const line = `Line ${i + 1}`;
    if (r.kind === 'flag') {
      if (!/^[a-z][a-z0-9-]*$/.test(r.flag)) return { ok: false, problem: `${line}: a flag is lower-case letters, digits and dashes.` };
      changes.push({ kind: 'flag', flag: r.flag, set: r.set });
      continue;
    }
    const delta = Number(r.delta);
    if (!Number.isInteger(delta)) return { ok: false, problem: `${line}: the change must be a whole number.` };
    if (r.kind === 'ladder') {
      if (delta < -10 || delta > 10) return { ok: false, problem: `${line}: the ladder moves at most 10 rungs.` };
      changes.push({ kind: 'ladder', delta });
    } else {
      if (!r.seat || !r.measure) return { ok: false, problem: `${line}: choose a seat and a measure.` };
      changes.push({ kind: 'measure', seat: r.seat, measure: r.measure, delta });
    }
  }
  return { ok: true, changes };
}

interface FormProps {
  scenario: Scenario;
  rows: OverrideRow[];
  setRows: Dispatch<SetStateAction<OverrideRow[]>>;
  reason: string;
  setReason: (reason: string) => void;
  busy: boolean;
  onSubmit: () => void;
  onBack: () => void;
}

/**
 * The white cell's override: the changes to apply instead of the proposal, line by line, and the
 * reason recorded with them. The rows live in the review, so going back to the proposal and
 * returning keeps what was typed.
 */
export function OverrideForm({ scenario, rows, setRows, reason, setReason, busy, onSubmit, onBack }: FormProps) {
  const update = (key: number, patch: Partial<OverrideRow>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <form
      className="override"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
      data-testid="override-form"
    >
      <fieldset>
        <legend>Override: the changes to apply instead</legend>
        {rows.length === 0 && <p className="muted">No changes: the beat resolves with the world unchanged.</p>}
        <ol className="override__rows">
          {rows.map((r, i) => (
            <OverrideLine
              key={r.key}
              row={r}
              index={i}
              scenario={scenario}
              update={(patch) => update(r.key, patch)}
              onRemove={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}
            />
          ))}
        </ol>
        <button
          type="button"
          className="btn btn--small"
          onClick={() =>
            setRows((rs) => [
              ...rs,
              { key: ++rowKey, kind: 'ladder', delta: '0', seat: scenario.seats[0]?.id ?? '', measure: scenario.measures[0]?.id ?? '', flag: '', set: true, from: null },
            ])
          }
        >
          Add a change
        </button>
      </fieldset>
      <label className="stack">
        Reason for the override (required, recorded with the changes)
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} maxLength={MAX_REASON} rows={3} required data-testid="override-reason" />
      </label>
      <div className="review__actions">
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="apply-override">
          {busy ? 'Applying…' : 'Apply override'}
        </button>
        <button type="button" className="btn btn--ghost" onClick={onBack} disabled={busy}>
          Back to the proposal
        </button>
      </div>
    </form>
  );
}

interface LineProps {
  row: OverrideRow;
  index: number;
  scenario: Scenario;
  update: (patch: Partial<OverrideRow>) => void;
  onRemove: () => void;
}

/** One line of the override: its kind, then the fields that kind needs. Labels name the line for screen readers. */
function OverrideLine({ row: r, index: i, scenario, update, onRemove }: LineProps) {
  return (
    <li className="override__row">
      <label>
        Kind <span className="visually-hidden">of change {i + 1}</span>
        <select value={r.kind} onChange={(e) => update({ kind: e.target.value as OverrideRow['kind'] })}>
          <option value="ladder">Escalation ladder</option>
          <option value="measure">Measure</option>
          <option value="flag">Flag</option>
        </select>
      </label>
      {r.kind === 'measure' && (
        <>
          <label>
            Seat <span className="visually-hidden">of change {i + 1}</span>
            <select value={r.seat} onChange={(e) => update({ seat: e.target.value })}>
              {scenario.seats.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Measure <span className="visually-hidden">of change {i + 1}</span>
            <select value={r.measure} onChange={(e) => update({ measure: e.target.value })}>
              {scenario.measures.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      {r.kind === 'flag' ? (
        <>
          <label>
            Flag <span className="visually-hidden">of change {i + 1}</span>
            <input value={r.flag} onChange={(e) => update({ flag: e.target.value })} size={16} />
          </label>
          <label className="check">
            <input type="checkbox" checked={r.set} onChange={(e) => update({ set: e.target.checked })} /> Set{' '}
            <span className="visually-hidden">flag of change {i + 1}</span>
          </label>
        </>
      ) : (
        <label>
          Change by <span className="visually-hidden">(change {i + 1})</span>
          <input type="number" step={1} value={r.delta} onChange={(e) => update({ delta: e.target.value })} className="override__delta" />
        </label>
      )}
      <button type="button" className="btn btn--small btn--ghost" onClick={onRemove}>
        Remove <span className="visually-hidden">change {i + 1}</span>
      </button>
      {r.from && <span className="override__from muted">from: {r.from}</span>}
    </li>
  );
}
