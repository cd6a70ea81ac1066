import { constants } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { episodesOf, epochToMonotonic, findStalls, gcIn, offCpu, parseSwitches } from '../bench/fanout/stall-causes.ts';

describe("the fan-out bench: a server loop's long stalls by cause", () => {
  it('finds long iterations and the busy part of long gaps, not gaps the loop spent waiting in poll', () => {
    const bursts = [
      { n: 3, ms: 1, at: 1000, idle: 0 },
      // 40 ms later, 35 of them in poll: 4 ms busy, no stall
      { n: 2, ms: 20, at: 1040, idle: 35 },
      // after a 20 ms iteration, 30 ms of gap with 2 of them in poll: 28 ms busy
      { n: 50, ms: 1, at: 1090, idle: 37 },
    ];
    expect(findStalls({ bursts }, 15)).toEqual([
      { from: 1040, to: 1060, kind: 'iteration', packets: 2 },
      { from: 1062, to: 1090, kind: 'gap', packets: 50 },
    ]);
  });

  it("splits a thread's time off its CPU into preempted (by whom) and asleep, cut at the span", () => {
    const line = (tid: number, cpu: number, t: string, prev: number, state: string, next: string, nextPid: number) =>
      ` ${tid} [00${cpu}] ${t}: sched:sched_switch: prev_comm=x prev_pid=${prev} prev_prio=120 prev_state=${state} ==> next_comm=${next} next_pid=${nextPid} next_prio=120`;
    const switches = parseSwitches(
      [
        line(100, 0, '10.000', 100, 'R+', 'node', 200),
        line(200, 0, '10.005', 200, 'S', 'MainThread', 100),
        line(100, 0, '10.010', 100, 'S', 'swapper/0', 0),
        line(0, 0, '10.013', 0, 'R', 'MainThread', 100),
        line(100, 1, '10.020', 100, 'R', 'ksoftirqd/1', 22),
        'garbage line',
      ].join('\n'),
    );
    expect(switches).toHaveLength(5);
    const off = offCpu(switches, 100, 10.002, 10.024);
    expect(off.runnableMs).toBeCloseTo(3 + 4, 6);
    expect(off.sleepingMs).toBeCloseTo(3, 6);
    expect([...off.by]).toEqual([
      ['node', expect.closeTo(3, 6)],
      ['ksoftirqd/N', expect.closeTo(4, 6)],
    ]);
  });

  it('adds up the GC pauses inside a span by kind, and maps epoch ms onto the monotonic clock', () => {
    const gcs: [number, number, number][] = [
      [990, 20, constants.NODE_PERFORMANCE_GC_MINOR],
      [1050, 5, constants.NODE_PERFORMANCE_GC_MAJOR],
      [2000, 5, constants.NODE_PERFORMANCE_GC_MAJOR],
    ];
    const gc = gcIn(gcs, 1000, 1100);
    expect(gc.ms).toBe(15);
    expect([...gc.byKind]).toEqual([
      ['scavenge', 10],
      ['mark-compact', 5],
    ]);
    expect(gc.longestMs).toBe(20);
    const toMono = epochToMonotonic({ epochMs: [5000, 6000], monotonicNs: ['2000000000', '3000000000'] });
    expect(toMono(5500)).toBeCloseTo(2.5, 9);
  });
});

describe('stall episodes', () => {
  it('joins stalls less than joinMs apart, in time order, and keeps the rest apart', () => {
    const s = (from: number, to: number) => ({ from, to, kind: 'iteration' as const, packets: 1 });
    const episodes = episodesOf([s(130, 150), s(100, 120), s(200, 230), s(122, 128)], 5);
    expect(episodes.map((e) => [e.from, e.to, e.stalls.length])).toEqual([
      [100, 150, 3],
      [200, 230, 1],
    ]);
  });
});
