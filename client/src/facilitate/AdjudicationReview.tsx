import { useState } from 'react';
import type { GameView, ProposalView } from '@rubicon/shared';
import { describeCause, describeEffect, formatRoll, humanize, seatName, type CauseNames } from '../lib/describe.ts';
import type { Session } from '../net/useSession.ts';
import { withAlso } from '@rubicon/shared/also';
import { RelayList } from './RelayList.tsx';
import { OverrideForm, rowsFromProposal, rowsToEffects, type OverrideRow } from './OverrideForm.tsx';

type Scenario = GameView['scenario'];

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

/**
 * The white cell's decision on a proposal: accept it as it is, or override it
 * with the edited changes (starting from the proposal's) and a reason; a
 * refusal from the server is kept to show.
 */
function useReviewDecision(session: Session, scenario: Scenario, proposal: ProposalView) {
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
  return { mode, setMode, rows, setRows, reason, setReason, busy, error, accept, override };
}

function Review({ session, view, proposal }: Props & { proposal: ProposalView }) {
  const scenario = view.scenario;
  const { mode, setMode, rows, setRows, reason, setReason, busy, error, accept, override } = useReviewDecision(session, scenario, proposal);
  return (
    <section className="review panel panel--accent" aria-labelledby="review-heading" data-testid="adjudication-review">
      <h2 id="review-heading" className="panel-title">
        Adjudication review: {view.beat?.title ?? humanize(proposal.beat)}
      </h2>

      <ProposalDetails session={session} scenario={scenario} proposal={proposal} />

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
        <OverrideForm
          scenario={scenario}
          rows={rows}
          setRows={setRows}
          reason={reason}
          setReason={setReason}
          busy={busy}
          onSubmit={() => void override()}
          onBack={() => setMode('review')}
        />
      )}
    </section>
  );
}

/** What the rule engine proposes, read-only: choices with rationales, relays, draws with rolls, changes with causes, the narrative. */
function ProposalDetails({ session, scenario, proposal }: { session: Session; scenario: Scenario; proposal: ProposalView }) {
  return (
    <>
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
      <ProposedDraws proposal={proposal} />
      <ProposedChanges scenario={scenario} proposal={proposal} />
      <ProposedNarrative scenario={scenario} proposal={proposal} />
    </>
  );
}

/** The beat's random draws, each with its roll and the weights it was drawn with. */
function ProposedDraws({ proposal }: { proposal: ProposalView }) {
  if (proposal.draws.length === 0) return null;
  return (
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
  );
}

/** Each proposed change to the world beside the rule or move that causes it. */
function ProposedChanges({ scenario, proposal }: { scenario: Scenario; proposal: ProposalView }) {
  return (
    <>
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
    </>
  );
}

/** The narrative lines the room will read, each with who may see it. */
function ProposedNarrative({ scenario, proposal }: { scenario: Scenario; proposal: ProposalView }) {
  if (proposal.narrative.length === 0) return null;
  return (
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
