import { LogEntry } from '@rubicon/shared';
import type { AppendResult, BatchAppendResult } from './types.ts';

/** The most entries one atomic append takes (the Redis script passes the command ids to one HMGET, whose arguments Lua puts on its stack). */
export const MAX_APPEND_BATCH = 1000;

/** A conflict's reply carries the entries the writer missed when there are at most this many (a busy session's usual gap). */
export const MISSED_ENTRIES_MAX = 256;

/**
 * What both stores refuse before writing anything: entries the Redis store
 * could not read back, and a batch that is not one run of consecutive seqs
 * with distinct command ids (a caller's bug, never a client's input).
 *
 * `parsed` (AppendOptions) skips the schema's parse of each entry, keeping
 * the batch's own checks. Only the memory store passes it on: its log is this
 * process's, and an entry the command path built from an already-parsed
 * command is typed, so parsing it again (a copy of every entry, about a tenth
 * of what outlived a scavenge in the fan-out benchmark with the command's
 * parse) guards against nothing a client can send. The Redis store parses
 * every entry: its log is read back by every process, and one entry it could
 * not parse would stop each of them loading that session. A test runs the
 * command path's entries through the schema (command-path-entries.test.ts).
 */
export function checkedBatch(entries: readonly LogEntry[], parsed = false): readonly LogEntry[] {
  if (entries.length === 0 || entries.length > MAX_APPEND_BATCH) throw new Error(`an append takes 1 to ${MAX_APPEND_BATCH} entries, not ${entries.length}`);
  return checkedRun(parsed ? entries : entries.map((e) => LogEntry.parse(e)));
}

/** Consecutive seqs and distinct command ids. */
function checkedRun(parsed: readonly LogEntry[]): readonly LogEntry[] {
  // A batch of one (nearly every append) has nothing to compare: no id set and no closure for it.
  if (parsed.length < 2) return parsed;
  const ids = new Set<string>();
  parsed.forEach((e, i) => {
    if (i > 0 && e.seq !== (parsed[i - 1]?.seq ?? 0) + 1) throw new Error(`a batch's seqs must be consecutive: ${e.seq} follows ${parsed[i - 1]?.seq}`);
    if (ids.has(e.commandId)) throw new Error(`a batch holds command id ${e.commandId} twice`);
    ids.add(e.commandId);
  });
  return parsed;
}

/** A one-entry batch's result in the shape of `append`'s. */
export function singleAppend(result: BatchAppendResult): AppendResult {
  if (result.ok) return result;
  if (result.reason === 'conflict') return { ok: false, reason: 'conflict', head: result.head };
  // `append` counts no limits.
  if (result.reason === 'limited') throw new Error('an append without limits was refused by one');
  const [first] = result.duplicates;
  if (!first) throw new Error('a duplicate append reported no duplicate');
  return { ok: false, reason: 'duplicate', seq: first.seq };
}
