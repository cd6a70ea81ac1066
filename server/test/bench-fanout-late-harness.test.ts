// A late fan-out harness (its sends behind their due times) as a disturbance: each late send's cause read from what
// ran at the time (disturbance.ts, thread-cpu.ts), the phase marked only for causes outside the server under test, and
// saved rounds judged by the same rule when pooled (rounds-summary.ts, fanout-pool.ts).
import { readFileSync } from 'node:fs';
import { constants } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { harnessLateOf, lateCauses, LATE_MS, lateLimitOf, type LateCauses } from '../bench/fanout/disturbance.ts';
import { latenessOf } from '../bench/fanout/harness-load.ts';
import { summariseRounds, type RoundFigures } from '../bench/fanout/rounds-summary.ts';
import { poolRuns, type SavedRun } from '../bench/fanout/saved-rounds.ts';
import { intervalsOf, threadTicks, windowThreads, type CpuInterval, type Reading } from '../bench/fanout/thread-cpu.ts';

const MAJOR = constants.NODE_PERFORMANCE_GC_MAJOR;

/** A quarter-second interval from `start` (ms), CPU in % of a core. */
function interval(start: number, cpu: { serverMain?: number; serverHelpers?: number; harnessMain?: number; others?: number; waitMs?: number }): CpuInterval {
  return { start, end: start + 250, machine: null, serverMain: cpu.serverMain ?? 20, serverHelpers: cpu.serverHelpers ?? 2, harnessMain: cpu.harnessMain ?? 60, harnessHelpers: 1, others: cpu.others ?? 2, harnessWaitMs: cpu.waitMs ?? 0 };
}

describe('the cause of each late send', () => {
  const intervals = [
    interval(0, { waitMs: 40 }), // the harness had a core (a quiet window waits 11-12 %): busy with its own work
    interval(250, { others: 95, serverMain: 25, waitMs: 120 }), // another process took the harness's core
    interval(500, { serverMain: 90, serverHelpers: 70, others: 5, waitMs: 100 }), // the server's own threads did
    interval(750, { serverMain: 70, serverHelpers: 40, others: 60, waitMs: 100 }), // both: the server alone is past a core
  ];
  const gcs: [number, number, number][] = [[1010, 30, MAJOR]];

  it('names the harness GC, other processes, the server, or none', () => {
    const late: [number, number][] = [
      [100, 12], // no wait: no cause found
      [300, 20], // others
      [600, 9], // server
      [800, 15], // others at 60 % but the server past one core: the server's
      [1005, 30], // its own mark-compact covers 25 of 30 ms
      [2000, 8], // no reading covers it
      [400, LATE_MS], // not late past the limit: not counted
    ];
    expect(lateCauses(1000, 9, late, gcs, intervals)).toEqual({ sends: 1000, p99: 9, late: 6, harnessGc: 1, others: 1, server: 2, unexplained: 2 });
  });

  it('lists the late sends with their due times (the harness side)', () => {
    const l = latenessOf([1, 6, 2, 40], [10, 20, 30, 40]);
    expect(l.late).toEqual([[20, 6], [40, 40]]);
    expect(latenessOf([1, 2]).late).toBeUndefined();
  });
});

describe('a late harness as a disturbance', () => {
  const causes = (c: Partial<LateCauses>): LateCauses => ({ sends: 48_000, p99: 13.4, late: 0, harnessGc: 0, others: 0, server: 0, unexplained: 0, ...c });
  // A quiet host's phases (lateness p99 about 2 ms): the limit is the 5 ms floor.
  const floor = lateLimitOf([1.9, 2.0, 2.1]);

  it('marks a late phase whose late sends, but for outside causes, are under 1 % of its sends', () => {
    expect(harnessLateOf(causes({ late: 1200, others: 900, harnessGc: 100, unexplained: 200 }), floor)).toMatch(/^harness late: sends' p99 13\.4 ms, past 5\.0 ms; 1200 sends late past 5 ms: the harness's own GC 8 %, other processes on its core 75 %/);
  });

  it('keeps a phase whose harness the server’s own threads made late, or for no cause found', () => {
    expect(harnessLateOf(causes({ late: 1200, others: 600, server: 600 }), floor)).toBeNull();
    expect(harnessLateOf(causes({ late: 1200, unexplained: 1200 }), floor)).toBeNull();
  });

  it('leaves a harness on time alone, and a phase with no causes read', () => {
    expect(harnessLateOf(causes({ p99: 2.1, late: 40, others: 40 }), floor)).toBeNull();
    expect(harnessLateOf(null, floor)).toBeNull();
  });
});

describe('the threads’ CPU between readings', () => {
  const proc = (ticks: [number, number][], wait: number | null) => ({ ticks: new Map(ticks), mainWaitNs: wait });
  const readings: Reading[] = [
    { at: 0, busy: 1000, servers: new Map([[10, proc([[10, 500], [11, 40]], 0)]]), harness: proc([[20, 300]], 1_000_000), redis: null },
    // 500 ms: the server's main thread 20 ticks, an old helper 5, a new helper 3; the harness 30, and 90 ms on a run queue.
    { at: 500, busy: 1080, servers: new Map([[10, proc([[10, 520], [11, 45], [12, 3]], 0)]]), harness: proc([[20, 330]], 91_000_000), redis: null },
  ];

  it('splits the servers’ main threads from their helpers and leaves the rest to the others', () => {
    expect(intervalsOf(readings, 20)).toEqual([{ start: 0, end: 500, machine: 160, serverMain: 40, serverHelpers: 16, harnessMain: 60, harnessHelpers: 0, others: 44, harnessWaitMs: 90 }]);
    expect(windowThreads(intervalsOf(readings, 20))).toEqual({ serverMain: 40, serverHelpers: 16, harnessMain: 60, harnessHelpers: 0, others: 44, harnessWaitMsPerSecond: 180 });
  });

  it('reads a thread’s ticks from its stat line, whatever its name holds', () => {
    expect(threadTicks('4242 (V8 Default (w) R 1 2 3 4 5 6 7 8 9 10 17 5 0 0 20 0 1 0 99')).toBe(22);
  });
});

describe('saved rounds with a late harness, pooled', () => {
  // Round 1 is a real FANOUT_SAVE round (6 December, 13:05-13:08 UTC, servers on Node 24): bare, and as Rubicon the
  // phase whose harness ran late (sends' p99 6.7 ms, max 49 ms; 375 late past 5 ms, 204 of them while other processes
  // filled both cores), its mark-compact figures left out and its machine reason cleared (`disturbed: null`, as a
  // round saved without the rule), so only the lateness rule can mark it. Rounds 2 and 3 are made up, on time.
  const run = JSON.parse(readFileSync(new URL('./fixtures/fanout-late-harness.json', import.meta.url), 'utf8')) as SavedRun;
  const { pairs, conditions } = poolRuns([run]);
  const rounds = conditions[0]?.rounds ?? [];
  const value = (rs: typeof rounds, name: string) => summariseRounds(rs, pairs).find((r) => r.name === name)?.value;

  it('leaves out the round whose harness was late for outside causes', () => {
    expect(value(rounds, 'rubicon/bare: p99, median over the undisturbed pairs')).toMatch(/\(2 of 3 rounds\)$/);
    expect(value(rounds, 'disturbed phases (* above; FANOUT_STEAL_MAX, FANOUT_OTHERS_MAX)')).toMatch(/^round 1 rubicon \(harness late: /);
  });

  it('keeps it when the same lateness came from the server’s own threads', () => {
    const own = rounds.map((r) => new Map([...r].map(([name, f]) => [name, f.lateCauses ? { ...f, lateCauses: { ...f.lateCauses, server: f.lateCauses.others, others: 0 } } : f])));
    expect(value(own, 'rubicon/bare: p99, median over the undisturbed pairs')).toMatch(/\(3 of 3 rounds\)$/);
    expect(value(own, 'disturbed phases (* above; FANOUT_STEAL_MAX, FANOUT_OTHERS_MAX)')).toBe('none');
  });
});

describe('a late harness judged against the run’s quiet phases', () => {
  const ms = (p99: number, others = 0, unexplained = 0): RoundFigures => ({
    cpuMicrosPerDelivery: 50,
    p99: 6,
    disturbed: null,
    latencies: {},
    lateCauses: { sends: 24_000, p99, late: others + unexplained, harnessGc: 0, others, server: 0, unexplained },
  });
  const disturbedRow = (rounds: Map<string, RoundFigures>[]) => summariseRounds(rounds, []).find((r) => r.name === 'disturbed phases (* above; FANOUT_STEAL_MAX, FANOUT_OTHERS_MAX)')?.value;

  it('takes the larger of 5 ms and 1.5 × the median of the phases judged', () => {
    expect(lateLimitOf([1.9, 2.0, 2.1]).limitMs).toBe(LATE_MS);
    expect(lateLimitOf([3.1, 3.6, 3.8, 4.0, 4.4, 5.2]).limitMs).toBeCloseTo(5.85, 6);
    expect(lateLimitOf([]).limitMs).toBe(LATE_MS);
  });

  it('keeps a slow host’s phase at 5.2 ms, which the fixed 5 ms limit marked (the twelfth session’s closing runs)', () => {
    // Mostly other processes' late sends (under 1 % of sends for the rest), so only the limit decides.
    const rounds = [new Map([['bare', ms(3.4)], ['rubicon', ms(5.2, 200, 60)], ['base', ms(4.1)]]), new Map([['bare', ms(3.6)], ['rubicon', ms(3.9)], ['base', ms(4.4)]])];
    expect(disturbedRow(rounds)).toBe('none');
  });

  it('marks a phase late for other processes well past its run’s median (the late harness’s a3 call)', () => {
    const rounds = [new Map([['bare @ 20', ms(3.79)], ['rubicon @ 20', ms(6.49, 204, 100)], ['bare @ 24', ms(3.85)], ['rubicon @ 24', ms(3.92)]])];
    expect(disturbedRow(rounds)).toMatch(/^round 1 rubicon @ 20 \(harness late: sends' p99 6\.5 ms, past 5\.8 ms; /);
  });

  it('judges again a round saved with the fixed limit’s reason, keeping the machine’s', () => {
    const saved = (f: RoundFigures, disturbed: string): RoundFigures => ({ ...f, disturbed });
    const late = "harness late: sends' p99 5.2 ms; 260 sends late past 5 ms: the harness's own GC 0 %, other processes on its core 77 %, the server's threads on its core 0 %, no cause found 23 %";
    const rounds = [new Map([['bare', saved(ms(3.4), `others 20 % of a core; ${late}`)], ['rubicon', saved(ms(5.2, 200, 60), late)], ['base', ms(4.1)], ['bare 2', ms(3.8)]])];
    expect(disturbedRow(rounds)).toBe('round 1 bare (others 20 % of a core)');
  });

  it('leaves the machine’s disturbed phases out of the median', () => {
    // Counted, the two 9 ms phases would raise the median to 6.5 ms and the limit to 9.75 ms: the 6.5 ms phase would stand.
    const busy = (f: RoundFigures): RoundFigures => ({ ...f, disturbed: 'others 40 % of a core' });
    const rounds = [new Map([['a', ms(3.8)], ['b', ms(6.5, 300)], ['e', ms(3.9)], ['c', busy(ms(9))], ['d', busy(ms(9))]])];
    expect(disturbedRow(rounds)).toContain("round 1 b (harness late: sends' p99 6.5 ms, past 5.8 ms; ");
  });
});
