import { meanInterval, wilson, type Interval, type Scenario } from '@rubicon/shared';
import { fixed, percent } from './figures.ts';
import type { GameRow } from './play.ts';

export interface MixSummary {
  mix: string;
  games: number;
  outcomes: { outcome: string; title: string; count: number; share: Interval }[];
  peakRung: { mean: Interval; counts: number[] };
  casualties: Interval & { median: number; p90: number; max: number };
  escalation: { seat: string; mean: Interval }[];
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Distributions over one mix's games, each with a 95% interval. */
export function summarise(scenario: Scenario, mix: string, games: readonly GameRow[], seats: readonly string[]): MixSummary {
  const n = games.length;
  const outcomes = scenario.outcomes.map((o) => {
    const count = games.filter((g) => g.outcome === o.id).length;
    return { outcome: o.id, title: o.title, count, share: wilson(count, n) };
  });
  const rungs = scenario.ladder.rungs.map((r) => r.level);
  const counts = Array.from({ length: Math.max(...rungs) + 1 }, (_, level) => games.filter((g) => g.peakRung === level).length);
  const cas = games.map((g) => g.casualties).sort((a, b) => a - b);
  return {
    mix,
    games: n,
    outcomes,
    peakRung: { mean: meanInterval(games.map((g) => g.peakRung)), counts },
    casualties: { ...meanInterval(cas), median: quantile(cas, 0.5), p90: quantile(cas, 0.9), max: cas.at(-1) ?? 0 },
    escalation: seats.map((seat) => ({ seat, mean: meanInterval(games.map((g) => g.escalation[seat] ?? 0)) })),
  };
}

const pct = (x: number) => `${percent(x)}%`;
const ci = (i: Interval, f: (x: number) => string) => `${f(i.estimate)} [${f(i.low)}, ${f(i.high)}]`;
const num = (x: number) => fixed(x, 1);

/** The summary as plain text for the terminal. */
export function formatSummary(s: MixSummary): string {
  const w = Math.max(...s.outcomes.map((o) => o.title.length));
  const lines = [
    `${s.mix}  (${s.games} games; 95% intervals in brackets)`,
    '  outcomes:',
    ...s.outcomes.map((o) => `    ${o.title.padEnd(w)}  ${String(o.count).padStart(6)}  ${ci(o.share, pct)}`),
    `  peak rung: mean ${ci(s.peakRung.mean, num)}; by rung ${s.peakRung.counts.map((c, i) => `${i}:${c}`).join(' ')}`,
    `  casualties: mean ${ci(s.casualties, (x) => fixed(x, 0))}; median ${s.casualties.median}, 90th percentile ${s.casualties.p90}, max ${s.casualties.max}`,
    `  escalation score per seat (Rivera et al. 2024, summed over the game): ${s.escalation.map((e) => `${e.seat} ${ci(e.mean, num)}`).join('; ')}`,
  ];
  return lines.join('\n');
}
