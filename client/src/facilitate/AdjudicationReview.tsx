import { useState } from 'react';
import type { FixedEffect, GameView, PlannedChange, ProposalView } from '@rubicon/shared';
import { describeCause, describeEffect, formatRoll, humanize, seatName, type CauseNames } from '../lib/describe.ts';
import { MAX_REASON } from '@rubicon/shared/limits';
import type { Session } from '../net/useSession.ts';
import { withAlso } from '@rubicon/shared/also';
import { RelayList } from './RelayList.tsx';

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

interface Props {
  session: Session;
  view: GameView;
}

/**
 * The white cell's review of the rule engine's proposal: every choice with
 * its rationale, every random draw with its roll, every planned change with
 * its cause. Accept it, or override it with edited changes and a reason.
 */
export function AdjudicationReview({ session, view }: Props) {
  const proposal = view.proposal;
  if (!proposal) {
    return (
      <section className="review panel" aria-labelledby="review-heading" data-testid="adjudication-review">
        <h2 id="review-heading" className="panel-title">
          Adjudication
        </h2>
        <p className="muted">
          {view.phase === 'planning'
            ? 'The rule engine proposes effects when planning closes (all acting seats locked in, the clock ran out, or you close it).'
            : 'Nothing is awaiting review.'}
        </p>
      </section>
    );
  }
  return <Review key={`${proposal.beat}:${view.beat?.index ?? 0}`} session={session} view={view} proposal={proposal} />;
}

function Review({ session, view, proposal }: Props & { proposal: ProposalView }) {
  const scenario = view.scenario;
  const [mode, setMode] = useState<'review' | 'override'>('review');
  const [rows, setRows] = useState<OverrideRow[]>(() => rowsFromProposal(proposal.changes, scenario, proposalNames(proposal)));
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const accept = async () => {
    setBusy(true);
    setError(null);
    const r = await session.send({ type: 'ACCEPT_ADJUDICATION' });
    setBusy(false);
    if (!r.ok) setError(r.error.message);
  };

  const override = async () => {
    const parsed = rowsToEffects(rows);
    if (!parsed.ok) return setError(parsed.problem);
    if (!reason.trim()) return setError('Give a reason for the override: it is recorded with the changes.');
    setBusy(true);
    setError(null);
    const r = await session.send({ type: 'OVERRIDE_ADJUDICATION', changes: parsed.changes, reason: reason.trim() });
    setBusy(false);
    if (!r.ok) setError(r.error.message);
  };

  const update = (key: number, patch: Partial<OverrideRow>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  return (
    <section className="review panel panel--accent" aria-labelledby="review-heading" data-testid="adjudication-review">
      <h2 id="review-heading" className="panel-title">
        Adjudication review: {view.beat?.title ?? humanize(proposal.beat)}
      </h2>

      <h3 className="subhead">Choices</h3>
      <ul className="review__choices">
        {proposal.choices.map((c) => (
          <li key={c.seat}>
            <strong>{seatName(scenario, c.seat)}</strong>: {withAlso(c.title, c.alsoTitles)}
            {c.defaulted && <span className="tag">default: no decision in time</span>}
            {c.rationale ? <blockquote className="review__rationale">{c.rationale}</blockquote> : <span className="muted"> (no rationale)</span>}
          </li>
        ))}
      </ul>

      <RelayList scenario={scenario} relays={proposal.relays} messages={session.messages} proposal={proposal} />

      {proposal.draws.length > 0 && (
        <>
          <h3 className="subhead">Random draws</h3>
          <ul className="review__draws">
            {proposal.draws.map((d) => (
              <li key={d.draw}>
                {d.title}: <strong>{d.label}</strong> — roll {formatRoll(d.roll)}
                <span className="muted">
                  {' '}
                  (weights: {Object.entries(d.weights).map(([k, w]) => `${humanize(k)} ${w}`).join(', ')})
                </span>
              </li>
            ))}
          </ul>
        </>
      )}

      <h3 className="subhead">Proposed changes</h3>
      {proposal.changes.length === 0 ? (
        <p className="muted">No changes.</p>
      ) : (
        <table className="review__changes">
          <thead>
            <tr>
              <th scope="col">Change</th>
              <th scope="col">Cause</th>
            </tr>
          </thead>
          <tbody>
            {proposal.changes.map((c, i) => (
              <tr key={i}>
                <td>
                  {describeEffect(scenario, c.effect)}
                  {c.effect.when && <span className="tag">if its condition holds</span>}
                </td>
                <td>{describeCause(scenario, c.cause, proposalNames(proposal))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {proposal.narrative.length > 0 && (
        <>
          <h3 className="subhead">Narrative</h3>
          <ul className="review__narrative">
            {proposal.narrative.map((n, i) => (
              <li key={i}>
                {n.text}{' '}
                <span className="muted">
                  ({n.visibility === 'public' ? 'public' : n.visibility === 'actor' ? `seen by ${seatName(scenario, n.seat ?? null)} only` : `seen by ${n.visibility.seats.map((s) => seatName(scenario, s)).join(', ')}`})
                </span>
              </li>
            ))}
          </ul>
        </>
      )}

      {error && (
        <p className="alert" role="alert" data-testid="review-error">
          <strong>Not accepted:</strong> {error}
        </p>
      )}

      {mode === 'review' ? (
        <div className="review__actions">
          <button type="button" className="btn btn--primary" onClick={() => void accept()} disabled={busy} data-testid="accept-adjudication">
            {busy ? 'Accepting…' : 'Accept proposal'}
          </button>
          <button type="button" className="btn" onClick={() => setMode('override')} disabled={busy} data-testid="start-override">
            Override…
          </button>
        </div>
      ) : (
        <form
          className="override"
          onSubmit={(e) => {
            e.preventDefault();
            void override();
          }}
          data-testid="override-form"
        >
          <fieldset>
            <legend>Override: the changes to apply instead</legend>
            {rows.length === 0 && <p className="muted">No changes: the beat resolves with the world unchanged.</p>}
            <ol className="override__rows">
              {rows.map((r, i) => (
                <li key={r.key} className="override__row">
                  <label>
                    Kind <span className="visually-hidden">of change {i + 1}</span>
                    <select value={r.kind} onChange={(e) => update(r.key, { kind: e.target.value as OverrideRow['kind'] })}>
                      <option value="ladder">Escalation ladder</option>
                      <option value="measure">Measure</option>
                      <option value="flag">Flag</option>
                    </select>
                  </label>
                  {r.kind === 'measure' && (
                    <>
                      <label>
                        Seat <span className="visually-hidden">of change {i + 1}</span>
                        <select value={r.seat} onChange={(e) => update(r.key, { seat: e.target.value })}>
                          {scenario.seats.map((s) => (
                            <option key={s.id} value={s.id}>
                              {s.name}
                            </option>
                          ))}
                        </select>
                      </label>
                      <label>
                        Measure <span className="visually-hidden">of change {i + 1}</span>
                        <select value={r.measure} onChange={(e) => update(r.key, { measure: e.target.value })}>
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
                        <input value={r.flag} onChange={(e) => update(r.key, { flag: e.target.value })} size={16} />
                      </label>
                      <label className="check">
                        <input type="checkbox" checked={r.set} onChange={(e) => update(r.key, { set: e.target.checked })} /> Set{' '}
                        <span className="visually-hidden">flag of change {i + 1}</span>
                      </label>
                    </>
                  ) : (
                    <label>
                      Change by <span className="visually-hidden">(change {i + 1})</span>
                      <input type="number" step={1} value={r.delta} onChange={(e) => update(r.key, { delta: e.target.value })} className="override__delta" />
                    </label>
                  )}
                  <button type="button" className="btn btn--small btn--ghost" onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}>
                    Remove <span className="visually-hidden">change {i + 1}</span>
                  </button>
                  {r.from && <span className="override__from muted">from: {r.from}</span>}
                </li>
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
            <button type="button" className="btn btn--ghost" onClick={() => setMode('review')} disabled={busy}>
              Back to the proposal
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** Move titles and rule descriptions from the proposal, for its cause column. */
function proposalNames(proposal: ProposalView): CauseNames {
  return {
    move: (beat, seat, move) => {
      const c = proposal.choices.find((x) => x.beat === beat && x.seat === seat);
      return c?.move === move ? c.title : c?.alsoTitles[(c.also ?? []).indexOf(move)];
    },
    rule: (rule) => proposal.ruleText[rule],
  };
}
