import { isMessageSide, refuse, type Actor, type Command, type Refusal } from '@rubicon/shared';
import { ServiceError } from './service-error.ts';

/**
 * The most entries a session's log may hold (MAX_LOG_ENTRIES), and how many of them, at its end, only the
 * white cell's game controls may take (LOG_CONTROL_RESERVE): plain commands (every message, every seat's
 * command) stop at `maxEntries - controlReserve`, so a class that filled its log with talk can still be
 * adjudicated, ended and exported. Nothing passes `maxEntries`.
 */
export interface LogCap {
  maxEntries: number;
  controlReserve: number;
}

/**
 * 50,000: every import MAX_IMPORT_BYTES lets in fits. The smallest entry a valid file can carry (a
 * facilitator's PAUSE or RESUME with a one-character id, `at` 0 and its 64-hex-digit hash) is about 160
 * bytes, so the default 5 MiB holds at most ~33,000. A class's game is a few thousand entries. At the
 * longest message (2,000 characters, ~2.1 KB stored) a full log is ~100 MB: bounded, where it was not.
 */
export const DEFAULT_LOG_CAP: LogCap = { maxEntries: 50_000, controlReserve: 500 };

/** The seq past which this command is refused: the reserve is for the white cell's and the server's own game commands. */
export function ceilingOf(cap: LogCap, actor: Actor, command: Command): number {
  const control = (actor.kind === 'facilitator' || actor.kind === 'system') && !isMessageSide(command);
  return control ? cap.maxEntries : plainCeiling(cap);
}

/** The last seq a plain command may take; a batch placed past its planned position must stay at or under it. */
export function plainCeiling(cap: LogCap): number {
  return Math.max(0, cap.maxEntries - cap.controlReserve);
}

/** The refusal of a command that would take the log past its ceiling: nothing is written. */
export function logFull(cap: LogCap, control: boolean): Refusal {
  const held = control ? cap.maxEntries : plainCeiling(cap);
  const rest = control
    ? 'nothing more can be added'
    : `only the white cell's game controls (adjudicating, the clock, ending the game) are taken now, up to ${cap.maxEntries}`;
  return refuse('log_full', `This session's log holds ${held} entries, its limit (MAX_LOG_ENTRIES): ${rest}. Export the session to keep it.`);
}

/** A log that cannot be stored whole (an import, a branch, a replay): refused before anything is written. */
export function checkLogFits(cap: LogCap, entries: number): void {
  if (entries <= cap.maxEntries) return;
  throw new ServiceError('too_large', `The log has ${entries} entries; a session on this server holds at most ${cap.maxEntries} (MAX_LOG_ENTRIES).`);
}
