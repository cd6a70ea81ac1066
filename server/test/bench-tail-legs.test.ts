import { constants } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { attributeTail, messageNumber, type HarnessTail, type ServerTail } from '../bench/fanout/tail-legs.ts';

describe('the fan-out tail legs (FANOUT_TAIL=1)', () => {
  it('reads the message number a harness text carries, and nothing from other text', () => {
    expect(messageNumber('f1234.567:42 lorem ipsum')).toBe(42);
    expect(messageNumber('{"messages":[{"text":"f9.5:7 x"}]}')).toBe(7);
    expect(messageNumber('hello')).toBe(-1);
    expect(messageNumber(undefined)).toBe(-1);
  });

  it("splits each delivery into its legs by the server's stamps, and counts GCs met and broadcasts deferred past their iteration", () => {
    // Message 0: read 2 ms after its send, broadcast 0.5 ms later, its iteration ends 1 ms after that, received 3 ms later.
    // Message 1: the same, but its broadcast came after its iteration ended (deferred), and a server GC ran while it waited.
    // Message 2: not read in the window (NaN, or null as JSON brings it): left out.
    const server: ServerTail = {
      read: [102, 202, Number.NaN],
      emit: [102.5, 210, Number.NaN],
      tickEnd: [103.5, 203, Number.NaN],
      burst: [1, 4, Number.NaN],
      place: [0, 3, Number.NaN],
      gcs: [[150, 5, constants.NODE_PERFORMANCE_GC_MINOR], [400, 9, constants.NODE_PERFORMANCE_GC_MAJOR]],
      bursts: [{ n: 1, ms: 1.5 }, { n: 4, ms: 3 }],
    };
    const harness: HarnessTail = {
      slow: [[1, 140, 215]],
      sample: [[0, 100, 106.5], [1, 140, 215], [2, 300, 301]],
      gcs: [[104, 1, constants.NODE_PERFORMANCE_GC_MINOR]],
    };
    const a = attributeTail(server, harness);
    expect(a.slow).toMatchObject({ n: 1, toRead: 62, readToEmit: 8, emitToTickEnd: -7, tickEndToReceipt: 12, burst: 4, serverGc: 1, harnessGc: 0, deferred: 1 });
    // Nearest-rank medians of two: the lower one.
    expect(a.all).toMatchObject({ n: 2, toRead: 2, readToEmit: 0.5, tickEndToReceipt: 3, burst: 1, serverGc: 0.5, harnessGc: 0.5, deferred: 0.5 });
    expect(a.serverGcs).toEqual({ count: 2, totalMs: 14, maxMs: 9, minor: 1 });
    expect(a.burstN).toEqual([1, 4, 4]);
    expect(a).toMatchObject({ slowMessages: 1, stalls: 1, largestStall: 1 });
    // Six deliveries of two messages: four received within a few ms (one stall), two 50 ms later (another).
    const two = attributeTail(server, { sample: [], gcs: [], slow: [[0, 0, 10], [0, 0, 12], [0, 0, 14], [0, 0, 16], [1, 0, 66], [1, 0, 67]] });
    expect(two).toMatchObject({ slowMessages: 2, stalls: 2 });
    expect(two.largestStall).toBeCloseTo(4 / 6);
  });
});
