// The fan-out benchmark's figures that a noisy host cannot fake: the host's steal apart from other
// processes' CPU (/proc/stat), phases marked disturbed past a threshold, medians over the undisturbed
// rounds, and the p99 of many rounds' deliveries pooled in a histogram, saved and read back.
import { constants } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { harnessGcOf } from '../bench/fanout/harness-gc.ts';
import { parseProcStat, stealPercent } from '../bench/fanout/machine-cpu.ts';
import { DISTURBANCE_DEFAULTS, disturbanceOf } from '../bench/fanout/disturbance.ts';
import { bucketTop, histogramCount, histogramOf, histogramQuantile, mergeHistograms } from '../bench/fanout/latency-histogram.ts';
import { summariseRounds, type RoundFigures } from '../bench/fanout/rounds-summary.ts';
import { poolRuns, type SavedRun } from '../bench/fanout/saved-rounds.ts';
import { quantile } from '../bench/stats.ts';

describe('/proc/stat', () => {
  const stat = (steal: number, idle: number) => `cpu  9688 5 7315 ${idle} 470 3 285 ${steal} 40 0\ncpu0 4149 0 3094 22644 43 0 121 0 0 0\nintr 1 2 3\n`;

  it('reads busy (steal left out), steal and every tick from the first line', () => {
    expect(parseProcStat(stat(120, 42283))).toEqual({ busy: 9688 + 5 + 7315 + 3 + 285, steal: 120, total: 9688 + 5 + 7315 + 42283 + 470 + 3 + 285 + 120 });
    expect(parseProcStat('intr 1 2 3\n')).toBeNull();
    expect(parseProcStat('cpu  1 2 3\n')).toBeNull();
  });

  it('gives steal between two readings as a share of every core’s ticks, as top’s "st"', () => {
    const start = parseProcStat(stat(100, 1000));
    const end = parseProcStat(stat(150, 1150));
    if (!start || !end) throw new Error('unparsed');
    // 50 ticks stolen of 200 (150 idle + 50 steal) that passed.
    expect(stealPercent(start, end)).toBe(25);
    expect(stealPercent(start, start)).toBeNull();
  });
});

describe('a disturbed phase', () => {
  it('is one whose steal or other processes passed the limits, and says which', () => {
    expect(disturbanceOf({ stealPercent: 1, othersPercent: 8 }, DISTURBANCE_DEFAULTS)).toBeNull();
    expect(disturbanceOf({ stealPercent: 12.3, othersPercent: 8 }, DISTURBANCE_DEFAULTS)).toBe('steal 12 %');
    expect(disturbanceOf({ stealPercent: 0, othersPercent: 28 }, DISTURBANCE_DEFAULTS)).toBe('others 28 % of a core');
    expect(disturbanceOf({ stealPercent: 50, othersPercent: 60 }, { stealPercent: 60, stealSecondPercent: 60, othersPercent: 70 })).toBeNull();
    // Not Linux: nothing to tell, so not marked.
    expect(disturbanceOf({ stealPercent: null, othersPercent: null }, DISTURBANCE_DEFAULTS)).toBeNull();
  });
});

describe('the latency histogram', () => {
  // A deterministic spread like a round's: most deliveries 0.5-3 ms, a tail of stalls to 40 ms.
  const samples = (seed: number, n: number) => Array.from({ length: n }, (_, i) => ((i * 7919 + seed * 104_729) % 1000) / 300 + (i % 97 === 0 ? 10 + (i % 30) : 0.5));

  it('reads a quantile at most 0.5 % above the exact nearest-rank one', () => {
    const xs = samples(1, 40_000);
    for (const q of [0.5, 0.95, 0.99, 0.999]) {
      const exact = quantile(xs, q);
      const read = histogramQuantile(histogramOf(xs), q);
      expect(read).toBeGreaterThanOrEqual(exact);
      expect(read / exact).toBeLessThanOrEqual(1.005 + 1e-9);
    }
    expect(histogramQuantile({}, 0.99)).toBeNaN();
    expect(bucketTop(0)).toBe(0.001);
  });

  it('merges rounds into the histogram of all their deliveries', () => {
    const [a, b] = [samples(1, 5_000), samples(2, 7_000)];
    const merged = mergeHistograms([histogramOf(a), histogramOf(b)]);
    expect(merged).toEqual(histogramOf([...a, ...b]));
    expect(histogramCount(merged)).toBe(12_000);
    // It survives JSON, as it crosses IPC and FANOUT_SAVE's file.
    expect(histogramQuantile(JSON.parse(JSON.stringify(merged)) as typeof merged, 0.99)).toBe(histogramQuantile(merged, 0.99));
  });
});

describe('the summary over undisturbed rounds', () => {
  const fig = (cpu: number, p99: number, disturbed: string | null, ms: number[]): RoundFigures => ({ cpuMicrosPerDelivery: cpu, p99, disturbed, latencies: histogramOf(ms) });
  // 100 deliveries a phase: 98 at 1 ms and two at the phase's p99.
  const ms = (slow: number) => [...Array.from({ length: 98 }, () => 1), slow, slow];
  const rounds = [
    new Map([['bare', fig(30, 3, null, ms(3))], ['rubicon', fig(45, 6, null, ms(6))]]),
    new Map([['bare', fig(40, 8, 'steal 40 %', ms(8))], ['rubicon', fig(60, 30, null, ms(30))]]),
    new Map([['bare', fig(32, 4, null, ms(4))], ['rubicon', fig(48, 5, null, ms(5))]]),
  ];
  const rows = summariseRounds(rounds, [{ label: 'rubicon/bare', of: 'rubicon', over: 'bare' }]);
  const value = (name: string) => rows.find((r) => r.name === name)?.value;

  it('prints every round, marks the disturbed, and gives medians over the undisturbed apart', () => {
    expect(value('bare: CPU per delivery; p99: each round (median over rounds)')).toBe('30.0 / 40.0* / 32.0 (median 32.0) µs; 3.0 / 8.0* / 4.0 (median 4.0) ms');
    expect(value('bare: undisturbed rounds; their median CPU per delivery; p99')).toBe('2 of 3; 31.0 µs; 3.5 ms');
    expect(value('rubicon: undisturbed rounds; their median CPU per delivery; p99')).toBe('3 of 3; 48.0 µs; 6.0 ms');
    expect(value('disturbed phases (* above; FANOUT_STEAL_MAX, FANOUT_OTHERS_MAX)')).toBe('round 2 bare (steal 40 %)');
  });

  it('counts a pair only when both its phases were undisturbed', () => {
    expect(value('rubicon/bare: p99, each round; median over rounds')).toBe('2.00× / 3.75×* / 1.25×; median 2.00×');
    expect(value('rubicon/bare: p99, median over the undisturbed pairs')).toBe('1.63× (2 of 3 rounds)');
    expect(value('rubicon/bare: server CPU per delivery, median over the undisturbed pairs')).toBe('1.50× (2 of 3 rounds)');
  });

  it('pools the undisturbed pairs’ deliveries for one p99 each', () => {
    // 200 deliveries each, 4 slow: the p99 (index 197 of 200, nearest rank) is the second of them, within a bucket's 0.5 %;
    // over all 300, 6 slow, index 296 the third of them: bare's 4 ms, Rubicon's 6 ms.
    const pooled = value('rubicon/bare: p99 of the deliveries pooled, undisturbed pairs; all rounds');
    expect(pooled).toMatch(/^5\.0 \/ 3\.0 ms = 1\.6\d× \(2 rounds; 200 \/ 200 deliveries\); all 1\.5\d×$/);
    expect(value('bare: p99 of the deliveries pooled, undisturbed rounds · all rounds (deliveries)')).toMatch(/^3\.0 ms \(200\) · 4\.0 ms \(300\)$/);
  });
});

describe('FANOUT_SAVE files pooled', () => {
  it('puts each condition’s rounds from several runs one after another', () => {
    const f = (p99: number): RoundFigures => ({ cpuMicrosPerDelivery: 1, p99, disturbed: null, latencies: {} });
    const run = (p99s: number[]): SavedRun => ({ version: 1, savedAt: '', pairs: [{ label: 'rubicon/bare', of: 'rubicon', over: 'bare' }], conditions: [{ label: 'memory', rounds: p99s.map((p) => ({ bare: f(p), rubicon: f(p) })) }] });
    const pooled = poolRuns([run([1, 2]), run([3])]);
    expect(pooled.pairs).toEqual([{ label: 'rubicon/bare', of: 'rubicon', over: 'bare' }]);
    expect(pooled.conditions.map((c) => [c.label, c.rounds.map((r) => r.get('bare')?.p99)])).toEqual([['memory', [1, 2, 3]]]);
  });
});

describe("the harness's own collections", () => {
  it('counts its mark-compacts in the window and the longest, apart from scavenges', () => {
    const major = constants.NODE_PERFORMANCE_GC_MAJOR;
    const minor = constants.NODE_PERFORMANCE_GC_MINOR;
    expect(harnessGcOf([[1, 2.5, minor], [2, 8.5, major], [3, 30.9, major], [4, 40, constants.NODE_PERFORMANCE_GC_WEAKCB]])).toEqual({ markCompacts: 2, longestMarkCompactMs: 30.9, scavenges: 1, forExternalMemory: 0, forced: 0 });
    expect(harnessGcOf([])).toEqual({ markCompacts: 0, longestMarkCompactMs: 0, scavenges: 0, forExternalMemory: 0, forced: 0 });
  });

  it('tells the mark-compacts V8 ran for external memory and the forced ones from those at the heap’s limit', () => {
    const major = constants.NODE_PERFORMANCE_GC_MAJOR;
    const external = constants.NODE_PERFORMANCE_GC_FLAGS_ALL_EXTERNAL_MEMORY | constants.NODE_PERFORMANCE_GC_FLAGS_SYNCHRONOUS_PHANTOM_PROCESSING;
    const forced = constants.NODE_PERFORMANCE_GC_FLAGS_FORCED;
    const gcs: [number, number, number, number][] = [[1, 9, major, external], [2, 9, major, external | forced], [3, 9, major, forced], [4, 9, major, 0], [5, 1, constants.NODE_PERFORMANCE_GC_MINOR, external]];
    expect(harnessGcOf(gcs)).toMatchObject({ markCompacts: 4, scavenges: 1, forExternalMemory: 2, forced: 1 });
  });
});
