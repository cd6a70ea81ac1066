import { describe, expect, it } from 'vitest';
import { snapshotDue, snapshotInterval } from '../src/session/snapshot-schedule.ts';

/** Appends batches of 1 to 7 events up to `end`, and lists the versions at which a snapshot was stored. */
function snapshotsUpTo(end: number, every: number): number[] {
  const taken: number[] = [];
  for (let version = 0, i = 0; version < end; i++) {
    const after = Math.min(end, version + 1 + (i % 7));
    if (snapshotDue(version, after, every)) taken.push(after);
    version = after;
  }
  return taken;
}

describe('snapshot schedule', () => {
  it('stores every `every` events while the log is short', () => {
    expect(snapshotsUpTo(500, 50).map((v) => Math.floor(v / 50))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('never leaves more than `every` events or a sixteenth of the log unsnapshotted', () => {
    for (const every of [1, 4, 50]) {
      const taken = snapshotsUpTo(60_000, every);
      let last = 0;
      for (let version = 1, k = 0; version <= 60_000; version++) {
        while (k < taken.length && (taken[k] ?? Infinity) <= version) last = taken[k++] ?? last;
        // Batches end past a point by at most 6 events.
        expect(version - last).toBeLessThanOrEqual(Math.max(every, version / 16) + 6);
      }
    }
  });

  it('stores a long log a number of times that grows with its logarithm, not its length', () => {
    // Before: 60,000 / 50 = 1,200 snapshots, each as large as the log so far.
    expect(snapshotsUpTo(60_000, 50).length).toBeLessThan(200);
    expect(snapshotInterval(60_000, 50)).toBe(3200);
    expect(snapshotInterval(1599, 50)).toBe(50);
  });
});
