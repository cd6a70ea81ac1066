/**
 * A service whose copy of the session is behind the log, or keeps falling
 * behind it: it catches up from the store's conflict replies.
 */
import { describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.ts';
import { copyBehind, facilitator, losingRaces, message, seat, serviceOn, sessionInPlay, settled } from './write-batches-fixture.ts';

describe('a copy that fell behind the log', () => {
  it('appends after one conflict whose reply brings the missed entries, and refuses only on the log as it is', async () => {
    const store = new MemoryStore();
    // A moves on; B hears nothing of it.
    const { a, b, sessionId } = await copyBehind(store);
    await a.execute(sessionId, facilitator, 'a-pause', 2, { type: 'PAUSE' });
    expect(b.peek(sessionId)?.state.version).toBe(3);
    const reads = vi.spyOn(store, 'readLog');
    const batches = vi.spyOn(store, 'appendBatch');
    expect(await b.execute(sessionId, seat(1), 'b-second', null, message(1))).toMatchObject({ version: 8, duplicate: false });
    expect(batches).toHaveBeenCalledTimes(2);
    expect(reads).not.toHaveBeenCalled();
    // Made on the game as A left it, which B has not seen: refused only after B read the log, so accepted.
    await a.execute(sessionId, facilitator, 'a-resume', 3, { type: 'RESUME' });
    expect(await b.execute(sessionId, facilitator, 'b-pause', 4, { type: 'PAUSE' })).toMatchObject({ version: 10 });
    expect(reads).toHaveBeenCalled();
    expect((await store.readLog(sessionId, 0)).map((e) => e.commandId)).toEqual([
      'setup-start', 'setup-advance', 'b-first', 'a-1', 'a-2', 'a-3', 'a-pause', 'b-second', 'a-resume', 'b-pause',
    ]);
  });
});

describe('a process that keeps losing the race for the head', () => {
  it('catches up from each conflict and sends again at once, however many times it loses, until its command is in', async () => {
    const store = new MemoryStore();
    const a = serviceOn(store);
    const sessionId = await sessionInPlay(a);
    const races = losingRaces(store, a, sessionId, 24);
    const b = serviceOn(races.store);
    // B holds the session (as a process with sockets in it does) before the races begin.
    await b.withSession(sessionId, () => {});
    const reads = vi.spyOn(store, 'readLog');
    const executed = await b.execute(sessionId, seat(0), 'b-1', null, message(0), { deadline: performance.now() + 30_000 });
    // 24 lost races (more than the 16 attempts that used to end in `unavailable`), then in, after all of them.
    expect(races.attempts()).toBe(25);
    expect(executed).toMatchObject({ version: 2 + 24 + 1, duplicate: false });
    // Every conflict's reply carried the one entry B missed: no read of the log.
    expect(reads).not.toHaveBeenCalled();
    expect(b.peek(sessionId)?.state.version).toBe(27);
  });

  it('answers `unavailable` once its time bound has passed, and never writes it', async () => {
    const store = new MemoryStore();
    const a = serviceOn(store);
    const sessionId = await sessionInPlay(a);
    const races = losingRaces(store, a, sessionId, Number.POSITIVE_INFINITY);
    const b = serviceOn(races.store);
    const late = await settled(b.execute(sessionId, seat(0), 'b-late', null, message(0), { deadline: performance.now() + 200 }));
    expect(late).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const attempts = races.attempts();
    expect(attempts).toBeGreaterThan(1);
    // Nothing more is tried once the caller was answered.
    await new Promise((r) => setTimeout(r, 50));
    expect(races.attempts()).toBe(attempts);
    expect((await store.readLog(sessionId, 0)).map((e) => e.commandId)).not.toContain('b-late');
  });
});
