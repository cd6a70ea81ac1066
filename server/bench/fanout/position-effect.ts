/**
 * Whether a phase's place in its round moved its figures. Calls run one
 * round each and pooled (fanout-pool.ts) used to run their phases in one
 * order, so a contender that always ran second could read dearer for its
 * place rather than its code; with the order rotated between calls
 * (phase-order.ts), each contender's CPU per delivery over its bare can be
 * read by the place it ran in. Only the undisturbed pairs count, as in the
 * medians over rounds; a pair's two phases must have run on the same Node's
 * group for a place among its phases to mean anything.
 */
import { midMedian } from './mid-median.ts';
import type { RatioPair, RoundFigures, SummaryRow } from './rounds-summary.ts';

interface Placed {
  ratio: number;
  /** The `of` side's place among its Node's phases, 1-based. */
  place: number;
  /** The `of` side ran before the `over` side. */
  before: boolean;
}

const ordinal = (n: number) => `${n}${n === 1 ? 'st' : n === 2 ? 'nd' : n === 3 ? 'rd' : 'th'}`;

function placedPairs(rounds: readonly ReadonlyMap<string, RoundFigures>[], pair: RatioPair): Placed[] {
  return rounds.flatMap((r) => {
    const [of, over] = [r.get(pair.of), r.get(pair.over)];
    if (!of?.position || !over?.position || of.position.group !== over.position.group) return [];
    if (of.disturbed !== null || over.disturbed !== null) return [];
    return [{ ratio: of.cpuMicrosPerDelivery / over.cpuMicrosPerDelivery, place: of.position.inGroup, before: of.position.inRound < over.position.inRound }];
  });
}

const medianOf = (ps: readonly Placed[]) => (ps.length === 0 ? '-' : `${midMedian(ps.map((p) => p.ratio)).toFixed(2)}× (${ps.length})`);

/** For each pair within one Node's phases: the median CPU ratio by the `of` side's place, and with it before and after the `over` side; nothing for rounds saved without places. */
export function positionRows(rounds: readonly ReadonlyMap<string, RoundFigures>[], pairs: readonly RatioPair[]): SummaryRow[] {
  return pairs.flatMap((pair) => {
    const placed = placedPairs(rounds, pair);
    if (placed.length === 0) return [];
    const places = [...new Set(placed.map((p) => p.place))].sort((a, b) => a - b);
    const byPlace = places.map((n) => `${ordinal(n)} ${medianOf(placed.filter((p) => p.place === n))}`).join(' · ');
    const split = `before ${medianOf(placed.filter((p) => p.before))} · after ${medianOf(placed.filter((p) => !p.before))}`;
    return [{ name: `${pair.label}: CPU per delivery, median over the undisturbed pairs by ${pair.of}'s place among its Node's phases (pairs); with it before · after ${pair.over}`, value: `${byPlace}; ${split}` }];
  });
}
