/**
 * One condition's rounds side by side: each round's ratio of two contenders
 * and the median over rounds, for CPU per delivery and the send → receipt
 * p99. A round's p99 is set by a handful of stalls in its window, so it
 * swings from round to round; the median over rounds is steadier than any
 * one round and keeps each ratio a comparison of phases that met the same
 * machine in the same round. Both contenders' figures are the ones each
 * round printed, the same statistic for both.
 *
 * A phase the host disturbed (disturbance.ts) is printed with the others and
 * marked `*`; the medians are then given again over the undisturbed rounds
 * alone (a pair's round counts only when both its phases were undisturbed),
 * and so is the p99 of every undisturbed round's deliveries pooled
 * (latency-histogram.ts): hundreds of thousands of deliveries from rounds in
 * rotating order, which a few stalls cannot swing as they swing one
 * window's p99. Rounds that saved their phases' places also give CPU per
 * delivery by place (position-effect.ts).
 */
import { histogramCount, histogramQuantile, mergeHistograms, type LatencyHistogram } from './latency-histogram.ts';
import { markCompactsPerMinute, poolShares, type MarkCompactShare, type WindowMarkCompacts } from './mark-compacts.ts';
import type { HarnessGc } from './harness-gc.ts';
import type { SendLateness } from './types.ts';
import { harnessLateOf, joinDisturbances, LATE_MS, lateLimitLine, lateLimitOf, machineReasonOf, type LateCauses, type LateLimit } from './disturbance.ts';
import { midMedian } from './mid-median.ts';
import type { PhasePosition } from './phase-order.ts';
import { positionRows } from './position-effect.ts';

export { midMedian } from './mid-median.ts';

/** What one phase contributes. */
export interface RoundFigures {
  cpuMicrosPerDelivery: number;
  p99: number;
  /**
   * Why the machine disturbed the phase (disturbance.ts, disturbanceOf), or
   * null. A late harness is judged over the rounds together (judgeRounds);
   * rounds saved before that carry its reason after the machine's, which is
   * judged again.
   */
  disturbed: string | null;
  /** Its window's send → receipt latencies. */
  latencies: LatencyHistogram;
  /** Its servers' mark-compacts in the window and the deliveries they held up (absent from runs saved before 5 December, 23:50 UTC, null from a server without the probe). */
  markCompacts?: WindowMarkCompacts | null;
  /** The harness's own collections in the window (absent from runs saved before 6 December, 10:45 UTC). */
  harnessGc?: HarnessGc;
  /** How late its harness's sends went against their due times (absent before the send grid); saved without the late sends' list. */
  sendLateness?: SendLateness;
  /** Its harness's sends late past LATE_MS by cause (absent before 6 December, 13:00 UTC): a late harness for outside causes marks the round disturbed here too (disturbance.ts, harnessLateOf). */
  lateCauses?: LateCauses | null;
  /** Where the phase ran in its round (phase-order.ts; absent before 6 December, 16:00 UTC). */
  position?: PhasePosition;
}

/** `of` over `over`, e.g. rubicon over bare; `label` names the row. */
export interface RatioPair {
  label: string;
  of: string;
  over: string;
}

export interface SummaryRow {
  name: string;
  value: string;
}

type Rounds = readonly ReadonlyMap<string, RoundFigures>[];


const METRICS: readonly { name: string; pick: (f: RoundFigures) => number }[] = [
  { name: 'server CPU per delivery', pick: (f) => f.cpuMicrosPerDelivery },
  { name: 'p99', pick: (f) => f.p99 },
];

const times = (x: number) => `${x.toFixed(2)}×`;
const mark = (disturbed: boolean) => (disturbed ? '*' : '');
const count = (n: number) => n.toLocaleString('en-US');

/**
 * Rows for `rounds` (each a map from contender name to its figures in that
 * round): every contender's own figures, then each pair's ratios, per round
 * and as the median over rounds, then the same over the undisturbed rounds
 * and the pooled p99. A round missing either side of a pair is left out of
 * that pair's rows.
 */
export function summariseRounds(given: Rounds, pairs: readonly RatioPair[]): SummaryRow[] {
  const { rounds, limit } = judgeRounds(given);
  const names = [...new Set(rounds.flatMap((r) => [...r.keys()]))];
  return [...names.flatMap((name) => contenderRows(rounds, name)), ...pairs.flatMap((pair) => pairRows(rounds, pair)), ...positionRows(rounds, pairs), ...disturbedRows(rounds, limit)];
}

/**
 * The rounds with each phase's `disturbed` the machine's reason and a late
 * harness's together, the late harness judged against the limit of these
 * rounds' phases (disturbance.ts, lateLimitOf): a call's rounds in fanout.ts,
 * every pooled round in fanout-pool.ts, by this one function.
 */
export function judgeRounds(given: Rounds): { rounds: Map<string, RoundFigures>[]; limit: LateLimit } {
  const machine = given.map((r) => new Map([...r].map(([name, f]) => [name, { ...f, disturbed: machineReasonOf(f.disturbed) }])));
  const quiet = machine.flatMap((r) => [...r.values()].flatMap((f) => (f.disturbed === null && f.lateCauses ? [f.lateCauses.p99] : [])));
  const limit = lateLimitOf(quiet);
  const rounds = machine.map((r) => new Map([...r].map(([name, f]) => [name, { ...f, disturbed: joinDisturbances(f.disturbed, harnessLateOf(f.lateCauses, limit)) }])));
  return { rounds, limit };
}

function contenderRows(rounds: Rounds, name: string): SummaryRow[] {
  const own = rounds.flatMap((r) => {
    const f = r.get(name);
    return f ? [f] : [];
  });
  const each = (pick: (f: RoundFigures) => number, unit: string) =>
    `${own.map((f) => `${pick(f).toFixed(1)}${mark(f.disturbed !== null)}`).join(' / ')} (median ${midMedian(own.map(pick)).toFixed(1)}) ${unit}`;
  const quiet = own.filter((f) => f.disturbed === null);
  const pooled = (fs: readonly RoundFigures[]) => {
    const h = mergeHistograms(fs.map((f) => f.latencies));
    return `${histogramQuantile(h, 0.99).toFixed(1)} ms (${count(histogramCount(h))})`;
  };
  return [
    { name: `${name}: CPU per delivery; p99: each round (median over rounds)`, value: `${each((f) => f.cpuMicrosPerDelivery, 'µs')}; ${each((f) => f.p99, 'ms')}` },
    {
      name: `${name}: undisturbed rounds; their median CPU per delivery; p99`,
      value: `${quiet.length} of ${own.length}; ${midMedian(quiet.map((f) => f.cpuMicrosPerDelivery)).toFixed(1)} µs; ${midMedian(quiet.map((f) => f.p99)).toFixed(1)} ms`,
    },
    { name: `${name}: p99 of the deliveries pooled, undisturbed rounds · all rounds (deliveries)`, value: `${pooled(quiet)} · ${pooled(own)}` },
    ...markCompactRows(name, quiet),
    ...harnessRows(name, own),
  ];
}

const percent = (n: number, of: number) => (of > 0 ? `${((n / of) * 100).toFixed(1)} %` : '-');

/** Rounds whose servers counted their mark-compacts, and of those the ones whose harness counted the deliveries they held up. */
function counted(fs: readonly RoundFigures[]): { windows: WindowMarkCompacts[]; shares: MarkCompactShare[] } {
  const windows = fs.flatMap((f) => (f.markCompacts ? [f.markCompacts] : []));
  return { windows, shares: windows.flatMap((w) => (w.share ? [w.share] : [])) };
}

/**
 * Over the undisturbed rounds: mark-compacts per minute of load (all of them
 * over all the minutes), the share of deliveries in flight during one, of
 * all and of those past their round's p99 (the tail), and the p99 of the
 * deliveries no mark-compact caught, pooled: what the tail reads without them.
 */
function markCompactRows(name: string, quiet: readonly RoundFigures[]): SummaryRow[] {
  const { windows, shares } = counted(quiet);
  if (windows.length === 0) return [];
  const s = poolShares(shares);
  const clear = mergeHistograms(shares.map((x) => x.clear));
  return [
    {
      name: `${name}: undisturbed rounds: mark-compacts per minute of load; deliveries in flight during one, of all · of those past their round's p99; p99 of the rest pooled`,
      value: `${markCompactsPerMinute(windows).toFixed(1)} (${windows.reduce((k, w) => k + w.count, 0)} in ${windows.length} windows); ${percent(s.inFlight, s.deliveries)} · ${percent(s.slowInFlight, s.slow)}; ${shares.length > 0 ? `${histogramQuantile(clear, 0.99).toFixed(1)} ms (${count(histogramCount(clear))})` : '-'}`,
    },
  ];
}

/** The instrument's own stalls, every round (disturbed ones marked): its mark-compacts in the window, the longest's pause, and how late its sends went. */
function harnessRows(name: string, own: readonly RoundFigures[]): SummaryRow[] {
  const gcs = own.flatMap((f) => (f.harnessGc ? [{ gc: f.harnessGc, disturbed: f.disturbed !== null }] : []));
  const late = own.flatMap((f) => (f.sendLateness ? [{ l: f.sendLateness, disturbed: f.disturbed !== null }] : []));
  const causes = own.flatMap((f) => (f.lateCauses ? [{ c: f.lateCauses, disturbed: f.disturbed !== null }] : []));
  return [
    ...(gcs.length === 0
      ? []
      : [{ name: `${name}: the harness's mark-compacts in the window (longest), each round`, value: gcs.map(({ gc, disturbed }) => `${gc.markCompacts} (${gc.longestMarkCompactMs.toFixed(1)} ms)${mark(disturbed)}`).join(' / ') }]),
    ...(late.length === 0
      ? []
      : [{ name: `${name}: the harness's sends late against their due times, p99 / max, each round`, value: late.map(({ l, disturbed }) => `${l.p99.toFixed(2)} / ${l.max.toFixed(1)} ms${mark(disturbed)}`).join(' · ') }]),
    ...(causes.length === 0
      ? []
      : [{ name: `${name}: the harness's sends late past ${LATE_MS} ms, each round: of them, its own GC / other processes / the server's threads / no cause`, value: causes.map(({ c, disturbed }) => `${c.late}: ${causeShares(c)}${mark(disturbed)}`).join(' · ') }]),
  ];
}

function causeShares(c: LateCauses): string {
  const pc = (n: number) => (c.late > 0 ? `${((n / c.late) * 100).toFixed(0)}` : '-');
  return `${pc(c.harnessGc)} / ${pc(c.others)} / ${pc(c.server)} / ${pc(c.unexplained)} %`;
}

function pairRows(rounds: Rounds, pair: RatioPair): SummaryRow[] {
  const both = rounds.flatMap((r) => {
    const a = r.get(pair.of);
    const b = r.get(pair.over);
    return a && b ? [{ of: a, over: b, disturbed: a.disturbed !== null || b.disturbed !== null }] : [];
  });
  if (both.length === 0) return [];
  const quiet = both.filter((p) => !p.disturbed);
  const rows = METRICS.flatMap((metric) => {
    const ratio = (p: (typeof both)[number]) => metric.pick(p.of) / metric.pick(p.over);
    return [
      { name: `${pair.label}: ${metric.name}, each round; median over rounds`, value: `${both.map((p) => `${times(ratio(p))}${mark(p.disturbed)}`).join(' / ')}; median ${times(midMedian(both.map(ratio)))}` },
      { name: `${pair.label}: ${metric.name}, median over the undisturbed pairs`, value: `${times(midMedian(quiet.map(ratio)))} (${quiet.length} of ${both.length} rounds)` },
    ];
  });
  const pooled = (ps: typeof both) => {
    const [of, over] = [mergeHistograms(ps.map((p) => p.of.latencies)), mergeHistograms(ps.map((p) => p.over.latencies))];
    const [a, b] = [histogramQuantile(of, 0.99), histogramQuantile(over, 0.99)];
    return { ratio: a / b, text: `${a.toFixed(1)} / ${b.toFixed(1)} ms = ${times(a / b)} (${ps.length} rounds; ${count(histogramCount(of))} / ${count(histogramCount(over))} deliveries)` };
  };
  const undisturbed = quiet.length > 0 ? pooled(quiet).text : 'no undisturbed pair';
  rows.push({ name: `${pair.label}: p99 of the deliveries pooled, undisturbed pairs; all rounds`, value: `${undisturbed}; all ${times(pooled(both).ratio)}` });
  const clear = clearRatio(quiet);
  if (clear) rows.push({ name: `${pair.label}: p99 of the deliveries no mark-compact held up, pooled, undisturbed pairs`, value: clear });
  return rows;
}

/** The pooled p99 ratio of the deliveries clear of mark-compacts, over the pairs whose both sides counted them; null if none did. */
function clearRatio(quiet: readonly { of: RoundFigures; over: RoundFigures }[]): string | null {
  const both = quiet.flatMap((p) => (p.of.markCompacts?.share && p.over.markCompacts?.share ? [[p.of.markCompacts.share, p.over.markCompacts.share] as const] : []));
  if (both.length === 0) return null;
  const [a, b] = [histogramQuantile(mergeHistograms(both.map(([of]) => of.clear)), 0.99), histogramQuantile(mergeHistograms(both.map(([, over]) => over.clear)), 0.99)];
  return `${a.toFixed(1)} / ${b.toFixed(1)} ms = ${times(a / b)} (${both.length} rounds)`;
}

/** Which phases were marked, and why; and the late harness's limit they were judged against. */
export function disturbedRows(rounds: Rounds, limit: LateLimit): SummaryRow[] {
  const marked = rounds.flatMap((r, i) => [...r].flatMap(([name, f]) => (f.disturbed === null ? [] : [`round ${i + 1} ${name} (${f.disturbed})`])));
  return [
    { name: "a late harness: the sends' lateness p99 past which a phase is marked, over these rounds", value: lateLimitLine(limit) },
    { name: 'disturbed phases (* above; FANOUT_STEAL_MAX, FANOUT_OTHERS_MAX)', value: marked.length > 0 ? marked.join(', ') : 'none' },
  ];
}
