import type { LogEntry } from './commands.ts';
import { replay, type Game, type GameState } from './game.ts';

/**
 * The log a new live session continues from another's (a branch, an import),
 * and the state it leads to. That log was recorded elsewhere and earlier: a
 * beat's clock running at its end has a deadline that passed, or will pass,
 * while nobody could play, and the new session would close planning at once
 * on everyone's default moves. So when the clock runs at its end, a
 * facilitator PAUSE is appended at the last entry's time: the session starts
 * paused with the time that was left. A read-only replay never takes this:
 * it must stay exactly its file.
 */
export function continuedLog(game: Game, log: readonly LogEntry[], final: GameState): { log: LogEntry[]; final: GameState } {
  const timer = final.turn.context.timer;
  const last = log.at(-1);
  if (!last || !timer || timer.deadline === null || final.turn.context.paused) return { log: [...log], final };
  const pause: LogEntry = { seq: last.seq + 1, at: last.at, by: { kind: 'facilitator' }, commandId: freshCommandId(log, `continue-pause-${last.seq}`), command: { type: 'PAUSE' } };
  return { log: [...log, pause], final: replay(game, [pause], final) };
}

/** A session file refuses two entries with one commandId, and a client may have sent any id: never reuse one. */
function freshCommandId(log: readonly LogEntry[], wanted: string): string {
  const taken = new Set(log.map((e) => e.commandId));
  let id = wanted;
  for (let n = 2; taken.has(id); n++) id = `${wanted}-${n}`;
  return id;
}
