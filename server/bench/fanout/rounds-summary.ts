/**
 * One condition's rounds side by side: each round's ratio of two contenders
 * and the median over rounds, for CPU per delivery and the send → receipt
 * p99. A round's p99 is set by a handful of stalls in its window, so it
 * swings from round to round; the median over rounds is steadier than any
 * one round and, unlike pooling every delivery, keeps each ratio a
 * comparison of phases that met the same machine in the same round. Both
 * contenders' figures are the ones each round printed, the same statistic
 * for both.
 */

/** What one phase contributes. */
export interface RoundFigures {
  cpuMicrosPerDelivery: number;
  p99: number;
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

/** The middle value; with an even count, the mean of the two middle ones (neither contender gets the kinder half). */
export function midMedian(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  const upper = sorted[half] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[half - 1] as number) + upper) / 2;
}

const METRICS: readonly { name: string; pick: (f: RoundFigures) => number }[] = [
  { name: 'server CPU per delivery', pick: (f) => f.cpuMicrosPerDelivery },
  { name: 'p99', pick: (f) => f.p99 },
];

const times = (x: number) => `${x.toFixed(2)}×`;

/**
 * Rows for `rounds` (each a map from contender name to its figures in that
 * round): every contender's own figures, then each pair's ratios, per round
 * and as the median over rounds. A round missing either side of a pair is
 * left out of that pair's row.
 */
export function summariseRounds(rounds: readonly ReadonlyMap<string, RoundFigures>[], pairs: readonly RatioPair[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const names = [...new Set(rounds.flatMap((r) => [...r.keys()]))];
  for (const name of names) {
    const own = rounds.flatMap((r) => {
      const f = r.get(name);
      return f ? [f] : [];
    });
    const cpu = own.map((f) => f.cpuMicrosPerDelivery);
    const p99 = own.map((f) => f.p99);
    const each = (xs: number[], unit: string) => `${xs.map((x) => x.toFixed(1)).join(' / ')} (median ${midMedian(xs).toFixed(1)}) ${unit}`;
    rows.push({ name: `${name}: CPU per delivery; p99: each round (median over rounds)`, value: `${each(cpu, 'µs')}; ${each(p99, 'ms')}` });
  }
  for (const pair of pairs) {
    for (const metric of METRICS) {
      const ratios = rounds.flatMap((r) => {
        const a = r.get(pair.of);
        const b = r.get(pair.over);
        return a && b ? [metric.pick(a) / metric.pick(b)] : [];
      });
      if (ratios.length === 0) continue;
      rows.push({ name: `${pair.label}: ${metric.name}, each round; median over rounds`, value: `${ratios.map(times).join(' / ')}; median ${times(midMedian(ratios))}` });
    }
  }
  return rows;
}
