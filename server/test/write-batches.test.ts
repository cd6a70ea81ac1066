/**
 * The batched write path in memory, where the batching is deterministic:
 * commands waiting for one session are checked in order, each on top of the
 * ones before it, and appended together in one atomic step.
 */
import { describe, expect, it, vi } from 'vitest';
import { CommandPath } from '../src/session/command-path.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { facilitator, message, seat, serviceOn, sessionInPlay, settled } from './write-batches-fixture.ts';

describe('batched appends, in memory', () => {
  oneStepCases();
  roundCases();
});

/** The waiting commands appended in one step, each decided on those before it, a repeated id answered once. */
function oneStepCases(): void {
  it('append the commands waiting for a session in one step, in arrival order', async () => {
    const store = new MemoryStore();
    const service = serviceOn(store);
    const sessionId = await sessionInPlay(service);
    const batches = vi.spyOn(store, 'appendBatch');
    const sent = Array.from({ length: 30 }, (_, i) => service.execute(sessionId, seat(i), `m-${i}`, null, message(i)));
    const results = await Promise.all(sent);
    expect(batches).toHaveBeenCalledTimes(1);
    expect(results.map((r) => r.version)).toEqual(Array.from({ length: 30 }, (_, i) => 3 + i));
    const log = await store.readLog(sessionId, 2);
    expect(log.map((e) => e.commandId)).toEqual(Array.from({ length: 30 }, (_, i) => `m-${i}`));
  });

  it('decide each command on top of those before it: a game command made on the same version as one just ahead of it is stale', async () => {
    const store = new MemoryStore();
    const service = serviceOn(store);
    const sessionId = await sessionInPlay(service);
    const [pause, again, chat] = await Promise.all([
      settled(service.execute(sessionId, facilitator, 'pause-1', 2, { type: 'PAUSE' })),
      settled(service.execute(sessionId, facilitator, 'pause-2', 2, { type: 'PAUSE' })),
      settled(service.execute(sessionId, seat(0), 'chat-1', null, message(0))),
    ]);
    expect(pause).toMatchObject({ ok: true, value: { version: 3, duplicate: false } });
    expect(again).toMatchObject({ ok: false, error: { code: 'stale' } });
    expect(chat).toMatchObject({ ok: true, value: { version: 4 } });
    expect((await store.readLog(sessionId, 0)).map((e) => e.commandId)).toEqual(['setup-start', 'setup-advance', 'pause-1', 'chat-1']);
  });

  it('answer a command id sent twice at once with one entry, and a retry of a command no longer legal with its first answer', async () => {
    const store = new MemoryStore();
    const service = serviceOn(store);
    const sessionId = await sessionInPlay(service);
    const twice = await Promise.all([0, 1].map(() => service.execute(sessionId, seat(0), 'same-id', null, message(0))));
    expect(twice.map((r) => r.version)).toEqual([3, 3]);
    expect(twice.map((r) => r.duplicate).sort()).toEqual([false, true]);
    // START again is illegal now, but it is a retry of what was appended at 1.
    expect(await service.execute(sessionId, facilitator, 'setup-start', 0, { type: 'START' })).toEqual({ version: 1, duplicate: true });
    await expect(service.execute(sessionId, seat(1), 'same-id', null, message(1))).rejects.toMatchObject({ code: 'duplicate' });
    expect(await store.head(sessionId)).toBe(3);
  });
}

/** A batch answered whole, and a command whose caller was told it is unavailable. */
function roundCases(): void {
  it('end a batch its first round answered whole at the next round, without looking for overdue commands', async () => {
    const store = new MemoryStore();
    const service = serviceOn(store);
    const sessionId = await sessionInPlay(service);
    // Private: the clock read and the empty copy of a round with nothing open are the work this checks is skipped.
    const overdue = vi.spyOn(CommandPath.prototype as unknown as { answerOverdue: () => void }, 'answerOverdue');
    try {
      const results = await Promise.all([0, 1, 2].map((i) => service.execute(sessionId, seat(i), `m-${i}`, null, message(i))));
      expect(results.map((r) => r.version)).toEqual([3, 4, 5]);
      expect(overdue).not.toHaveBeenCalled();
      expect((await store.readLog(sessionId, 2)).map((e) => e.commandId)).toEqual(['m-0', 'm-1', 'm-2']);
    } finally {
      overdue.mockRestore();
    }
  });

  it('never append a command whose caller was already answered unavailable', async () => {
    const store = new MemoryStore();
    const service = serviceOn(store);
    const sessionId = await sessionInPlay(service);
    // The first holds the session's queue in the store; the second's deadline passes while it waits.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const original = store.appendBatch.bind(store);
    vi.spyOn(store, 'appendBatch').mockImplementationOnce(async (id, entries) => {
      await held;
      return original(id, entries);
    });
    const first = service.execute(sessionId, seat(0), 'first', null, message(0));
    await new Promise((r) => setTimeout(r, 10));
    const late = settled(service.execute(sessionId, seat(1), 'late', null, message(1), { deadline: performance.now() + 20 }));
    expect(await late).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    release();
    expect(await first).toMatchObject({ version: 3, duplicate: false });
    await service.execute(sessionId, seat(2), 'after', null, message(2));
    expect((await store.readLog(sessionId, 2)).map((e) => e.commandId)).toEqual(['first', 'after']);
  });
}
