/**
 * A session's state grows with its log (every message stays in it), so a
 * snapshot costs more the longer the log: stored every fixed number of
 * events, a busy session spent more of its CPU serialising snapshots as it
 * went on (7 % of the servers' busy time in the contention bench, whose log
 * reaches tens of thousands of messages). The interval therefore grows with
 * the log, in powers of two of `every`, once the log is 32 intervals long:
 * the cost per event stays bounded, and a load still replays at most a
 * sixteenth of the log (and never fewer than `every` events) after its
 * snapshot.
 */
export function snapshotInterval(version: number, every: number): number {
  let interval = every;
  while (interval * 32 <= version) interval *= 2;
  return interval;
}

/**
 * Whether the events from `before` to `after` pass a snapshot point. Every
 * interval is `every` times a power of two and they only grow, so a point of
 * a longer log is a point of every shorter one: the rule needs no memory of
 * the last snapshot, and any process that appends decides it alike.
 */
export function snapshotDue(before: number, after: number, every: number): boolean {
  const interval = snapshotInterval(after, every);
  return Math.floor(after / interval) > Math.floor(before / interval);
}
