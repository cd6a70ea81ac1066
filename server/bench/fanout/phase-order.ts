/**
 * The order of a round's phases, by the round's index over calls: call i of
 * a series run one round per call (FANOUT_ROUND_OFFSET=i) orders its phases
 * as round i of one long run would, so that pooled calls do not all meet
 * the machine in the same order.
 *
 * A rotation rather than a reverse: with three contenders on a Node (bare,
 * main, a baseline), reversing every other round leaves the middle one in
 * the middle for ever, and each contender sees only two of the places; a
 * rotation gives each contender each place among its Node's phases once
 * every three calls. The phases stay grouped by Node, so a ratio's two
 * phases (a contender and the bare of its Node) stay a few minutes apart;
 * the groups rotate too (shifted by one every lcm(groups, group size) calls
 * when that is less than groups × group size), so that over groups × group
 * size calls each contender takes each place in the round exactly once.
 */

/** Where a phase ran: 1-based, in its round and among the phases of its group (its Node). */
export interface PhasePosition {
  inRound: number;
  ofRound: number;
  inGroup: number;
  ofGroup: number;
  /** The group's key (the Node's), so that a summary compares places only within one group. */
  group: string;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** A rotation of `items` left by `by` places (by ≥ 0). */
function rotated<T>(items: readonly T[], by: number): T[] {
  const k = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** `items` grouped by `groupOf`, groups and members in the order they first appear. */
function groupsOf<T>(items: readonly T[], groupOf: (t: T) => string): { key: string; members: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = groupOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups].map(([key, members]) => ({ key, members }));
}

/**
 * The phases of round `index` (0 for the first round of the first call) in
 * the order they run, each with its place. Round 0 keeps `items`' order.
 * Groups are assumed to be of one size (the same contenders on every Node).
 */
export function phaseOrder<T>(items: readonly T[], groupOf: (t: T) => string, index: number): { item: T; position: PhasePosition }[] {
  if (!Number.isInteger(index) || index < 0) throw new Error(`phase order: round index ${index} is not a whole number ≥ 0`);
  const groups = groupsOf(items, groupOf);
  const g = groups.length;
  const k = groups[0]?.members.length ?? 1;
  // Rotating both by the index repeats after lcm(g, k) calls; when that is short of g × k places (2 Nodes, 4 contenders), shift the groups once a cycle.
  const cycle = g === 0 ? 1 : (g * k) / gcd(g, k);
  const order = rotated(groups, index + (cycle < g * k ? Math.floor(index / cycle) : 0));
  let inRound = 0;
  return order.flatMap(({ key, members }) =>
    rotated(members, index).map((item, i) => ({ item, position: { inRound: ++inRound, ofRound: items.length, inGroup: i + 1, ofGroup: members.length, group: key } })),
  );
}
