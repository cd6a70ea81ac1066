import type { CountedRelay, GameView, WireMessage, ProposalView } from '@rubicon/shared';
import { humanize, seatName } from '../lib/describe.ts';

interface Props {
  scenario: GameView['scenario'];
  relays: readonly CountedRelay[];
  /** The session's messages, to quote what was passed on. */
  messages: readonly WireMessage[];
  proposal: Pick<ProposalView, 'ruleText' | 'draws'>;
}

const QUOTE_MAX = 140;

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > QUOTE_MAX ? `${flat.slice(0, QUOTE_MAX - 1)}…` : flat;
}

/**
 * The beat's relays in the white cell's review: who passed whose message on
 * to whom, and what each counted for (a rule it made fire, a draw whose odds
 * it moved), so the white cell sees that the carrying was real.
 */
export function RelayList({ scenario, relays, messages, proposal }: Props) {
  if (relays.length === 0) return null;
  const text = (id: string) => messages.find((m) => m.id === id)?.text;
  const credit = (c: CountedRelay['countedFor'][number]) =>
    c.kind === 'rule'
      ? `rule: ${proposal.ruleText[c.rule] ?? humanize(c.rule)}`
      : `draw: ${proposal.draws.find((d) => d.draw === c.draw)?.title ?? humanize(c.draw)} (${humanize(c.option)})`;
  return (
    <>
      <h3 className="subhead">Relays this beat</h3>
      <ul className="review__relays" data-testid="review-relays">
        {relays.map((r) => {
          const said = text(r.original);
          return (
            <li key={r.message}>
              <strong>{seatName(scenario, r.by)}</strong> passed {seatName(scenario, r.from)}’s message on to{' '}
              {r.to.map((s) => seatName(scenario, s)).join(' and ')}
              {said && <q className="review__quote">{quote(said)}</q>}
              {r.countedFor.length > 0 ? (
                <span className="review__counted"> Counted for {r.countedFor.map(credit).join('; ')}.</span>
              ) : (
                <span className="muted"> Nothing in this beat reads it.</span>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}
