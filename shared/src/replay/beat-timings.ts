import type { LogEntry } from '../game/commands.ts';
import { phaseOf, type GameState } from '../game/game.ts';
import type { SeatId } from '../scenario/schema.ts';

/** Whether this event opened a beat's planning: a new beat, or a beat entered again by a rewind. */
export function beatOpened(entry: LogEntry, before: GameState, after: GameState): boolean {
  if (phaseOf(after.turn) !== 'planning') return false;
  return entry.command.type === 'REWIND' || phaseOf(before.turn) !== 'planning' || before.turn.context.beat !== after.turn.context.beat;
}

/** When a beat's planning opened and closed, and when each seat locked in (event times, ms). */
export interface BeatTiming {
  openedAt: number;
  closedAt: number | null;
  lockedAt: Record<SeatId, number>;
}

/**
 * Collects beat timings while a log is walked, event by event. A beat played
 * again after a rewind starts over, so the timings are those of the beat as
 * it stands on the final path.
 */
export class BeatClock {
  readonly #beats = new Map<string, BeatTiming>();

  observe(entry: LogEntry, before: GameState, after: GameState): void {
    const was = before.turn.context.beat;
    const now = after.turn.context.beat;
    if (beatOpened(entry, before, after) && now) {
      this.#beats.set(now, { openedAt: entry.at, closedAt: null, lockedAt: {} });
      return;
    }
    const open = was ? this.#beats.get(was) : undefined;
    if (!open || phaseOf(before.turn) !== 'planning') return;
    const c = entry.command;
    if (c.type === 'SUBMIT_MOVE' && entry.by.kind === 'seat') {
      if (c.lock) open.lockedAt[entry.by.seat] = entry.at;
      else delete open.lockedAt[entry.by.seat];
    }
    if (phaseOf(after.turn) !== 'planning') open.closedAt = entry.at;
  }

  of(beat: string): BeatTiming | null {
    return this.#beats.get(beat) ?? null;
  }
}
