/**
 * The arrays a session's batches are handed in: WriteBatches alone, with a decide
 * that holds each batch until the test lets it go, as a store's round trip does.
 */
import { describe, expect, it } from 'vitest';
import type { PendingCommand } from '../src/session/command-path.ts';
import { DeadlineQueue } from '../src/session/deadline-queue.ts';
import { KeyedQueue } from '../src/session/keyed-queue.ts';
import { WriteBatches } from '../src/session/write-batches.ts';
import { message, seat, submitted } from './write-batches-fixture.ts';

interface Held {
  batch: readonly PendingCommand[];
  /** The command ids as handed in. */
  ids: string[];
  release: () => void;
}

function batches(maxBatch: number) {
  const held: Held[] = [];
  let changed = false;
  const writes = new WriteBatches(new KeyedQueue(), new DeadlineQueue(), async (_id, batch) => {
    let release = () => {};
    const go = new Promise<void>((r) => (release = r));
    const ids = batch.map((p) => p.request.commandId);
    held.push({ batch, ids, release });
    await go;
    // The batch as it was handed in, all through its decision: nothing arriving meanwhile may land in it.
    changed ||= batch.map((p) => p.request.commandId).join() !== ids.join();
    for (const p of batch) p.resolve({ version: 1, duplicate: false });
  }, maxBatch);
  const send = (id: string) => submitted(writes, 'S', { actor: seat(0), commandId: id, expectedGameVersion: null, command: message(0) }, Infinity);
  /** Lets the decisions go one at a time until `count` have been handed in, sending `during(n)` while the n-th is held. */
  const run = async (count: number, during: (n: number) => string[]) => {
    const answers: Promise<unknown>[] = [];
    for (let n = 0; n < count; n++) {
      while (held.length <= n) await new Promise((r) => setTimeout(r, 0));
      for (const id of during(n)) answers.push(send(id));
      held[n]?.release();
    }
    return answers;
  };
  return { held, send, run, changed: () => changed };
}

describe("a session's batches", () => {
  it('each hold the commands that waited for it, in arrival order, unchanged while decided on, in two arrays taken in turn', async () => {
    const { held, send, run, changed } = batches(16);
    const first = send('c-0');
    const answers = await run(6, (n) => (n < 5 ? [`c-${n + 1}a`, `c-${n + 1}b`] : []));
    await Promise.all([first, ...answers]);
    expect(held.map((h) => h.ids)).toEqual([['c-0'], ...[1, 2, 3, 4, 5].map((n) => [`c-${n}a`, `c-${n}b`])]);
    expect(changed()).toBe(false);
    // A batch taken whole is the array its commands waited in: no array made per batch.
    expect(new Set(held.map((h) => h.batch)).size).toBe(2);
  });

  it('past the most one batch takes, leave the rest waiting for the next, in order', async () => {
    const { held, send, run, changed } = batches(2);
    const first = send('a');
    const answers = await run(3, (n) => (n === 0 ? ['b', 'c', 'd'] : []));
    await Promise.all([first, ...answers]);
    expect(held.map((h) => h.ids)).toEqual([['a'], ['b', 'c'], ['d']]);
    expect(changed()).toBe(false);
  });
});
