import { constants } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { decompose, iterationHiccups, packetCost } from '../bench/fanout/tail-decompose.ts';
import type { ServerTail } from '../bench/fanout/tail-legs.ts';

const { NODE_PERFORMANCE_GC_MAJOR: MAJOR, NODE_PERFORMANCE_GC_MINOR: MINOR } = constants;

describe("the slow deliveries' time by cause (FANOUT_TAIL_DUMP)", () => {
  // Two packet-reading iterations: 100-104 (3 packets, a 1 ms mark-compact at 101) and 110-112 (2 packets). Between them
  // a 1 ms scavenge at 106, and the loop waited in poll 4 of the gap's 5 other ms: busy a fifth of them.
  const server: ServerTail = {
    read: [110.5],
    emit: [111],
    tickEnd: [112],
    burst: [2],
    place: [0],
    gcs: [[101, 1, MAJOR], [106, 1, MINOR]],
    bursts: [{ n: 3, ms: 4, at: 100, idle: 50 }, { n: 2, ms: 2, at: 110, idle: 54 }],
  };

  it('splits a delivery from send to receipt into causes that add up to its latency', () => {
    const d = decompose([[0, 100, 115]], server, [[113, 1, MINOR]]);
    expect(d.n).toBe(1);
    expect(d.meanMs).toBe(15);
    const expected = {
      earlierIterations: 3,
      serverMarkCompact: 1,
      serverScavenge: 1,
      gapBusy: 1,
      gapIdle: 4,
      ownIterationAhead: 0.5,
      ownProcessing: 0.5,
      ownIterationAfter: 1,
      harnessGc: 1,
      afterIteration: 2,
      serverOtherGc: 0,
      unplaced: 0,
    };
    for (const [cause, ms] of Object.entries(expected)) expect(d.causes[cause as keyof typeof expected], cause).toBeCloseTo(ms, 1);
    expect(Object.values(d.causes).reduce((a, b) => a + b, 0)).toBeCloseTo(15, 1);
    expect(d).toMatchObject({ ownBurstN: 2, ownBurstMs: 2, longestEarlierMs: 4, metMarkCompact: 1, metScavenge: 1 });
  });

  it('leaves out deliveries whose message the server did not read in the window', () => {
    const d = decompose([[3, 100, 101]], server, []);
    expect(d.n).toBe(0);
    expect(Number.isNaN(d.meanMs)).toBe(true);
  });

  it("counts an iteration's read-to-read gaps past a millisecond that no server GC covers, and no gap across iterations", () => {
    const reads: ServerTail = {
      // One iteration (ending at 210) reads four packets: gaps 0.2, 1.8 (no GC: a hiccup) and 2.5 (a scavenge in it);
      // the next iteration's packet, 95.5 ms later, is no gap of the first's.
      read: [200, 200.2, 202, 204.5, 300],
      emit: [],
      tickEnd: [210, 210, 210, 210, 301],
      burst: [],
      place: [],
      gcs: [[203, 0.5, MINOR]],
      bursts: [],
    };
    const h = iterationHiccups(reads);
    expect(h.count).toBe(1);
    expect(h.totalMs).toBeCloseTo(1.8, 6);
    expect(h.gaps[0]).toBeCloseTo(1.8, 6);
  });
});

describe("a packet's cost in the window's iterations (FANOUT_TAIL_DUMP)", () => {
  it('splits per-packet time in bursts from lone packets and counts the share read in bursts', () => {
    const server: ServerTail = {
      read: [],
      emit: [],
      tickEnd: [],
      burst: [],
      place: [],
      gcs: [],
      // Bursts of 5 (1 ms) and 6 (1.8 ms): 2.8 ms over 11 packets. Lone packets 0.2, 0.3, 0.9. A 4-packet one counts in neither.
      bursts: [{ n: 5, ms: 1 }, { n: 1, ms: 0.2 }, { n: 6, ms: 1.8 }, { n: 1, ms: 0.9 }, { n: 4, ms: 3 }, { n: 1, ms: 0.3 }],
    };
    const c = packetCost(server);
    expect(c.burstMsPerPacket).toBeCloseTo(2.8 / 11, 9);
    expect(c.loneMs).toBeCloseTo(0.3, 9);
    expect(c.burstShare).toBeCloseTo(11 / 18, 9);
  });
});
