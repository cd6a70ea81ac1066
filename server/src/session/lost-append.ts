import { canonicalJson, type Actor, type Command, type LogEntry } from '@rubicon/shared';
import { StoreUnavailableError } from '../store/redis-availability.ts';
import type { BatchAppendResult, SessionStore } from '../store/types.ts';
import { unavailable } from './service-error.ts';

/*
 * What happened to an append whose answer was lost (a timeout, a dropped
 * connection mid-reply): the store is asked by command id before anyone is
 * answered, so that nothing applied is ever reported refused.
 */

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether two log records are the same command by the same actor (a retry), whatever their seqs. */
export function sameCommand(a: { by: Actor; command: Command }, b: { by: Actor; command: Command }): boolean {
  return canonicalJson({ by: a.by, command: a.command }) === canonicalJson({ by: b.by, command: b.command });
}

/**
 * After an append of `entries` failed: its outcome, if the failure left it
 * unknown; otherwise the failure. A batch is written whole or not at all, so
 * its first command id tells (a movable batch may have been placed past the
 * head it was planned on: then the log holds it whole from there). If the
 * store cannot tell before `bound`, the refusal is `unavailable` with a retry
 * hint: a retry with the same id then gets the true answer.
 */
export async function lostAppendOutcome(
  store: SessionStore,
  sessionId: string,
  entries: readonly LogEntry[],
  movable: boolean,
  bound: number,
  err: unknown,
): Promise<BatchAppendResult> {
  if (!(err instanceof StoreUnavailableError) || !err.outcomeUnknown) throw err;
  const first = entries[0];
  if (!first) throw new Error('an empty batch');
  while (performance.now() < bound) {
    let seq: number | null;
    let placed = false;
    try {
      seq = await store.commandSeq(sessionId, first.commandId);
      placed = seq === first.seq || (seq !== null && movable && (await heldWhole(store, sessionId, entries, seq)));
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      await sleep(50);
      continue;
    }
    if (seq !== null && placed) return { ok: true, seq: seq + entries.length - 1 };
    if (seq !== null) return { ok: false, reason: 'duplicate', duplicates: [{ index: 0, seq }] };
    // Not in the log, and the lookup went after the append on the same connection: it was not applied.
    throw unavailable();
  }
  throw unavailable('The game store did not answer in time, and this may have been applied');
}

/** Whether the log holds these entries' commands, in order and by the same actors, from `seq` on. */
async function heldWhole(store: SessionStore, sessionId: string, entries: readonly LogEntry[], seq: number): Promise<boolean> {
  const held = (await store.readLog(sessionId, seq - 1)).slice(0, entries.length);
  return held.length === entries.length && entries.every((e, i) => {
    const h = held[i];
    return h !== undefined && e.commandId === h.commandId && sameCommand(e, h);
  });
}
