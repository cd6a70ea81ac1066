/**
 * How a batch's decision settles its lane's task (CommandPath.decideBatch): a held session's batch that the
 * memory store answers at once is decided within the call and returns no promise at all (no async frame per
 * batch, and its lane adopts no settled promise); on Redis the append is a round trip, so the decision goes on
 * after the call returns. Either way a command's ack is written within its decision, before the next batch is decided.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CommandPath, type PendingCommand } from '../src/session/command-path.ts';
import { DeadlineQueue } from '../src/session/deadline-queue.ts';
import { KeyedQueue } from '../src/session/keyed-queue.ts';
import { WriteBatches } from '../src/session/write-batches.ts';
import { createStores, type Stores } from '../src/store/index.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import type { SessionStore } from '../src/store/types.ts';
import { REDIS_URL, deleteRedisKeys, uniquePrefix } from './harness.ts';
import { clock, message, seat, serviceOn, sessionInPlay } from './write-batches-fixture.ts';

interface Call {
  promise: Promise<void> | undefined;
  /** Whether every command of the batch was answered when decideBatch returned. */
  answeredInCall: boolean;
}

/** Every decideBatch call from here on, with its promise and whether it answered its batch before returning. */
function watchDecisions(): Call[] {
  const calls: Call[] = [];
  const original = CommandPath.prototype.decideBatch;
  vi.spyOn(CommandPath.prototype, 'decideBatch').mockImplementation(function (this: CommandPath, sessionId: string, batch: readonly PendingCommand[]) {
    const promise = original.call(this, sessionId, batch);
    calls.push({ promise, answeredInCall: batch.every((p) => p.answered) });
    return promise;
  });
  return calls;
}

/** Three messages from one seat, one after another, each answered with its own version. */
async function threeMessages(store: SessionStore): Promise<Call[]> {
  const service = serviceOn(store);
  const sessionId = await sessionInPlay(service);
  const calls = watchDecisions();
  const versions: number[] = [];
  for (let i = 0; i < 3; i++) versions.push((await service.execute(sessionId, seat(0), `m-${i}`, null, message(0, `m ${i}`))).version);
  expect(versions).toEqual([versions[0] ?? 0, (versions[0] ?? 0) + 1, (versions[0] ?? 0) + 2]);
  return calls;
}

describe("a batch's decision", () => {
  const prefix = uniquePrefix('decision');
  const opened: Stores[] = [];
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    await deleteRedisKeys(prefix);
  });

  it('is made within the call for a held session in memory, handing its lane no promise', async () => {
    const calls = await threeMessages(new MemoryStore());
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.answeredInCall)).toBe(true);
    // No async function's promise (and frame) made per batch, and none for the lane to adopt.
    expect(calls.map((c) => c.promise)).toEqual([undefined, undefined, undefined]);
  });

  it('goes on after the call on Redis, a promise of its own per batch settling once the append is answered', async () => {
    const stores = await createStores({ redisUrl: REDIS_URL, prefix, clock, pollMs: 60_000 });
    opened.push(stores);
    const calls = await threeMessages(stores.store);
    expect(calls).toHaveLength(3);
    expect(calls.some((c) => c.answeredInCall)).toBe(false);
    expect(calls.every((c) => c.promise instanceof Promise)).toBe(true);
    expect(new Set(calls.map((c) => c.promise)).size).toBe(3);
  });

  it('answers each command of a batch decided at once within its decision, before the next batch is decided', async () => {
    const seen: string[] = [];
    let writes: WriteBatches | null = null;
    const send = (id: string) => {
      // As the command handler's Answer does: the ack is written where the decision answers.
      writes?.submit('S', { actor: seat(0), commandId: id, expectedGameVersion: null, command: message(0) }, Infinity, undefined, {
        ok: () => seen.push(`ack ${id}`),
        fail: () => seen.push(`refused ${id}`),
      });
    };
    writes = new WriteBatches(new KeyedQueue(), new DeadlineQueue(), (_id, batch) => {
      const ids = batch.map((p) => p.request.commandId).join();
      seen.push(`decide ${ids}`);
      // The next command arrives while this batch is decided: it waits for the next batch.
      if (batch.some((p) => p.request.commandId === 'a')) send('b');
      for (const p of batch) p.resolve({ version: 1, duplicate: false });
      seen.push(`decided ${ids}`);
      return undefined;
    }, 16);
    send('a');
    await vi.waitFor(() => expect(seen).toHaveLength(6));
    expect(seen).toEqual(['decide a', 'ack a', 'decided a', 'decide b', 'ack b', 'decided b']);
  });
});
