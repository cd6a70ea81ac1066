import type { Scenario } from '@rubicon/shared';
import { personasFor } from '@rubicon/shared/bots';
import { fixed, percent } from './figures.ts';
import type { GameRow } from './play.ts';

/** seat → the personas to try for it. */
export type Grid = Record<string, string[]>;

/** "iran=a|b;israel=c" → grid. Seats not named keep their default persona. */
export function parseGrid(spec: string): Grid {
  const grid: Grid = {};
  for (const part of spec.split(';').map((p) => p.trim()).filter(Boolean)) {
    const [seat, list] = part.split('=').map((s) => s.trim());
    if (!seat || !list) throw new Error(`"${part}" should be seat=persona|persona…`);
    grid[seat] = list.split('|').map((s) => s.trim()).filter(Boolean);
  }
  return grid;
}

/** Every persona of every seat in play: the default sweep. */
export function fullGrid(scenario: Scenario, seats: readonly string[]): Grid {
  return Object.fromEntries(seats.map((s) => [s, personasFor(scenario, s).map((p) => p.id)]));
}

/** Every combination of the grid, as seat → persona id. */
export function mixesOf(grid: Grid): Record<string, string>[] {
  let mixes: Record<string, string>[] = [{}];
  for (const [seat, ids] of Object.entries(grid)) mixes = mixes.flatMap((m) => ids.map((id) => ({ ...m, [seat]: id })));
  return mixes;
}

export interface Shift {
  seat: string;
  persona: string;
  outcome: string;
  /** Share of games ending in the outcome with this choice, and with the seat's other choices. */
  withIt: number;
  without: number;
  /** Odds ratio (with ½ added to each cell) and its 95% interval. */
  oddsRatio: number;
  low: number;
  high: number;
}

/**
 * How much each seat's choice of persona shifts the odds of each outcome,
 * over the whole sweep: games where the seat played that persona against
 * games where it played another, every other seat varying alike.
 */
export function rankShifts(runs: readonly { mix: Record<string, string>; games: readonly GameRow[] }[], outcomes: readonly string[]): Shift[] {
  const shifts: Shift[] = [];
  const seats = [...new Set(runs.flatMap((r) => Object.keys(r.mix)))];
  for (const seat of seats) {
    const personas = [...new Set(runs.map((r) => r.mix[seat]).filter((p): p is string => p !== undefined))];
    if (personas.length < 2) continue;
    for (const persona of personas)
      for (const outcome of outcomes) {
        let a = 0, n1 = 0, c = 0, n0 = 0;
        for (const r of runs) {
          const hits = r.games.filter((g) => g.outcome === outcome).length;
          if (r.mix[seat] === persona) { a += hits; n1 += r.games.length; } else { c += hits; n0 += r.games.length; }
        }
        // An outcome no game reached says nothing about any choice; with ½ in each cell it would still
        // show an odds ratio (2.00 with twice as many games on the other side) and a rank.
        if (a + c === 0) continue;
        const [A, B, C, D] = [a + 0.5, n1 - a + 0.5, c + 0.5, n0 - c + 0.5];
        const lor = Math.log((A * D) / (B * C));
        const se = Math.sqrt(1 / A + 1 / B + 1 / C + 1 / D);
        shifts.push({ seat, persona, outcome, withIt: n1 ? a / n1 : 0, without: n0 ? c / n0 : 0, oddsRatio: Math.exp(lor), low: Math.exp(lor - 1.96 * se), high: Math.exp(lor + 1.96 * se) });
      }
  }
  return shifts.sort((x, y) => Math.abs(Math.log(y.oddsRatio)) - Math.abs(Math.log(x.oddsRatio)));
}

export function formatShifts(shifts: readonly Shift[], scenario: Scenario, top = 5): string {
  const lines: string[] = ['choices ranked by how much they shift the odds of each outcome (odds ratio vs the seat’s other choices, 95% interval):'];
  for (const o of scenario.outcomes) {
    const ranked = shifts.filter((x) => x.outcome === o.id).slice(0, top);
    lines.push(ranked.length > 0 ? `  ${o.title}:` : `  ${o.title}: reached in no game, so no choice is ranked`);
    for (const s of ranked)
      lines.push(`    ${`${s.seat}=${s.persona}`.padEnd(34)} ${percent(s.withIt).padStart(5)}% vs ${percent(s.without).padStart(5)}%  OR ${fixed(s.oddsRatio, 2)} [${fixed(s.low, 2)}, ${fixed(s.high, 2)}]`);
  }
  return lines.join('\n');
}
