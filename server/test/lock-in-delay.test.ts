import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_DELAYS, lockInDelay, type Delays } from '../src/bots/bot-player.ts';

const NOW = 1_000_000;
const timer = (deadline: number | null) => ({ timer: { deadline, remainingMs: deadline === null ? null : deadline - NOW, setAtVersion: 1 } });

/** Issue 12: bots lock in within a human-like delay, never after the deadline. */
describe('when a bot locks in', () => {
  it('waits a human-like while (BOT_MIN_DELAY_MS–BOT_MAX_DELAY_MS) when the beat has room for it', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 0, max: 3_600_000 }), (r, room) => {
        const delays: Delays = DEFAULT_DELAYS;
        const deadline = NOW + 2 * (delays.maxMs + delays.marginMs) + room;
        const delay = lockInDelay(timer(deadline), delays, () => r, NOW);
        expect(delay).toBeGreaterThanOrEqual(delays.minMs);
        expect(delay).toBeLessThanOrEqual(delays.maxMs);
      }),
    );
    // No clock at all (a beat without a deadline): the same window.
    expect(lockInDelay(timer(null), DEFAULT_DELAYS, () => 0, NOW)).toBe(DEFAULT_DELAYS.minMs);
  });

  it('never plans past the deadline less its margin, and at once when the deadline is nearer than that', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: -60_000, max: 120_000 }),
        fc.record({ minMs: fc.integer({ min: 0, max: 10_000 }), spread: fc.integer({ min: 0, max: 60_000 }), marginMs: fc.integer({ min: 0, max: 45_000 }) }),
        (r, left, d) => {
          const delays: Delays = { minMs: d.minMs, maxMs: d.minMs + d.spread, marginMs: d.marginMs };
          const delay = lockInDelay(timer(NOW + left), delays, () => r, NOW);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.max(0, left - delays.marginMs));
        },
      ),
    );
  });
});
