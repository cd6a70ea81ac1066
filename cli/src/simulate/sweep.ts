import { oddsRatio, proportionDifference, type Interval, type Scenario } from '@rubicon/shared';
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
  /** Games ending in the outcome, of all games, with this choice and with the seat's other choices. */
  hits: number;
  games: number;
  otherHits: number;
  otherGames: number;
  /** The outcome's rate with the choice minus with the others (a share, −1..1), with its 95% interval. */
  shift: Interval;
  /** The odds ratio, beside it for those who read odds. */
  odds: Interval;
  /** The shift's interval excludes no change: the data say which way the choice moves the outcome. */
  clear: boolean;
}

/** How the sweep ranks, in words: the terminal and the report say the same. */
export const RANKING =
  'ranked by the smallest shift the games support: the 95% interval of the difference in the outcome\'s rate ' +
  '(with the choice vs with the seat\'s other choices; Newcombe\'s interval), those whose interval excludes no change first, ' +
  'by its bound nearest zero; the odds ratio (½ added to each cell, Woolf\'s interval) beside it';

/** The shift the interval supports at least: its bound nearest zero, or 0 when it spans zero. */
function supported(s: Shift): number {
  return s.clear ? Math.min(Math.abs(s.shift.low), Math.abs(s.shift.high)) : 0;
}

/**
 * How much each seat's choice of persona shifts each outcome, over the whole
 * sweep: games where the seat played that persona against games where it
 * played another, every other seat varying alike. A rate from a handful of
 * games can make a huge odds ratio (1 game in 5,400 against none: OR 6), so
 * the ranking goes by what the interval supports, not by the estimate.
 */
export function rankShifts(runs: readonly { mix: Record<string, string>; games: readonly GameRow[] }[], outcomes: readonly string[]): Shift[] {
  const shifts: Shift[] = [];
  const seats = [...new Set(runs.flatMap((r) => Object.keys(r.mix)))];
  for (const seat of seats) {
    const personas = [...new Set(runs.map((r) => r.mix[seat]).filter((p): p is string => p !== undefined))];
    if (personas.length < 2) continue;
    for (const persona of personas)
      for (const outcome of outcomes) {
        let hits = 0, games = 0, otherHits = 0, otherGames = 0;
        for (const r of runs) {
          const k = r.games.filter((g) => g.outcome === outcome).length;
          if (r.mix[seat] === persona) { hits += k; games += r.games.length; } else { otherHits += k; otherGames += r.games.length; }
        }
        // An outcome no game reached says nothing about any choice.
        if (hits + otherHits === 0) continue;
        const shift = proportionDifference(hits, games, otherHits, otherGames);
        const clear = shift.low > 0 || shift.high < 0;
        shifts.push({ seat, persona, outcome, hits, games, otherHits, otherGames, shift, odds: oddsRatio(hits, games, otherHits, otherGames), clear });
      }
  }
  return shifts.sort((x, y) => Number(y.clear) - Number(x.clear) || supported(y) - supported(x) || Math.abs(y.shift.estimate) - Math.abs(x.shift.estimate));
}

const rate = (k: number, n: number) => `${k}/${n} (${percent(n ? k / n : 0)}%)`;
const points = (x: number) => `${x > 0 && fixed(100 * x, 1) !== '0.0' ? '+' : ''}${fixed(100 * x, 1)}`;

/** One ranked choice in words: counts behind each rate, the shift in percentage points and the odds ratio, each with its interval. */
export function shiftText(s: Shift): { rates: string; shift: string; odds: string } {
  return {
    rates: `${rate(s.hits, s.games)} vs ${rate(s.otherHits, s.otherGames)}`,
    shift: `${points(s.shift.estimate)} pp [${points(s.shift.low)}, ${points(s.shift.high)}]${s.clear ? '' : ', no clear shift'}`,
    odds: `OR ${fixed(s.odds.estimate, 2)} [${fixed(s.odds.low, 2)}, ${fixed(s.odds.high, 2)}]`,
  };
}

/** What heads an outcome's ranking: reached by how many games, and whether any choice clearly shifts it. */
export function outcomeHeading(title: string, shifts: readonly Shift[]): string {
  const any = shifts[0];
  if (!any) return `${title}: reached in no game, so no choice is ranked`;
  const reached = `${title}: ${any.hits + any.otherHits} of ${any.games + any.otherGames} games`;
  return shifts.some((s) => s.clear) ? reached : `${reached}; no choice shifts it clearly (every 95% interval includes no change)`;
}

export function formatShifts(shifts: readonly Shift[], scenario: Scenario, top = 5): string {
  const lines: string[] = [`choices per outcome, ${RANKING}:`];
  for (const o of scenario.outcomes) {
    const all = shifts.filter((x) => x.outcome === o.id);
    lines.push(`  ${outcomeHeading(o.title, all)}`);
    for (const s of all.slice(0, top)) {
      const t = shiftText(s);
      lines.push(`    ${`${s.seat}=${s.persona}`.padEnd(34)} ${t.rates}  ${t.shift}  ${t.odds}`);
    }
  }
  return lines.join('\n');
}
