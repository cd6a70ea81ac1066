import type { SerializedEntry } from './types.ts';

/*
 * An import's log goes to Redis in staging calls (the STAGE_IMPORT script, redis-scripts.ts) before one
 * COMMIT_IMPORT makes the session appear whole: how the log is cut into those calls, and how long a staged
 * log outlives an import that never commits.
 */

/**
 * The most one staging call carries, in entries and in bytes of entry JSON:
 * the bytes bound each call's work on both sides (encoding and writing the
 * arguments on this event loop, the script on Redis's). 500 entries of an
 * ordinary log were ~190 KB a call, a 10-20 ms stretch of this process's main
 * thread; a log of long messages made them bigger still.
 */
export const IMPORT_CHUNK_ENTRIES = 500;
export const IMPORT_CHUNK_BYTES = 48 * 1024;
/** How long the staged log of an import that never finished stays around. */
export const STAGING_TTL_S = 3600;

/**
 * The arguments of each staging call (seq, command id, JSON per entry), built
 * one call at a time as the loop reaches it: at most IMPORT_CHUNK_ENTRIES
 * entries and IMPORT_CHUNK_BYTES of JSON (UTF-16 length, a bound on the work;
 * one entry bigger than that goes alone).
 */
export function* stagingCalls(entries: readonly SerializedEntry[]): Generator<string[]> {
  let args: string[] = [];
  let bytes = 0;
  for (const e of entries) {
    if (args.length > 0 && (args.length / 3 >= IMPORT_CHUNK_ENTRIES || bytes + e.json.length > IMPORT_CHUNK_BYTES)) {
      yield args;
      args = [];
      bytes = 0;
    }
    args.push(String(e.seq), e.commandId, e.json);
    bytes += e.json.length;
  }
  if (args.length > 0) yield args;
}
