import { csvCell as cell } from '@rubicon/shared';
import type { BeatRow, GameRow } from './play.ts';

/** A row per game: the mix, outcome, rungs, casualties and each seat's escalation score. */
export function gamesCsv(rows: readonly { mix: string; game: GameRow }[], seats: readonly string[]): string {
  const head = ['mix', 'game', 'outcome', 'peak_rung', 'final_rung', 'beats', 'casualties', ...seats.map((s) => `escalation_${s}`)];
  const body = rows.map(({ mix, game: g }) =>
    [mix, g.game, g.outcome, g.peakRung, g.finalRung, g.beats, g.casualties, ...seats.map((s) => g.escalation[s] ?? 0)].map(cell).join(','),
  );
  return [head.join(','), ...body].join('\n') + '\n';
}

/** beats.csv's header: a row per game × beat × seat, with the move, its escalation category and score, and whether it was the default. */
export const BEATS_CSV_HEAD = 'mix,game,beat_index,beat,seat,move,category,score,defaulted\n';

/** One line of beats.csv, newline included (written where the game is played, in the worker). */
export function beatLine(mix: string, b: BeatRow): string {
  return [mix, b.game, b.beatIndex, b.beat, b.seat, b.move, b.category, b.score, b.defaulted].map(cell).join(',') + '\n';
}
