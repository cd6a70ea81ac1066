/**
 * Plain messages placed at the head past other plain messages, in one append,
 * and only when nothing between changed what they may do.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Command } from '@rubicon/shared';
import { StoreUnavailableError } from '../src/store/redis-availability.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import type { SessionStore } from '../src/store/types.ts';
import { copyBehind, facilitator, message, seat, serviceOn, sessionInPlay, settled } from './write-batches-fixture.ts';

describe('plain messages placed past plain messages', () => {
  it('places a message planned behind other plain messages at the head in one append, acknowledged with the state after its real entry', async () => {
    const store = new MemoryStore();
    // A moves on; B hears nothing of it.
    const { b, sessionId } = await copyBehind(store);
    expect(b.peek(sessionId)?.state.version).toBe(3);
    const reads = vi.spyOn(store, 'readLog');
    const batches = vi.spyOn(store, 'appendBatch');
    const executed = await b.execute(sessionId, seat(1), 'b-second', null, message(1, 'after three'));
    // Placed at 7 in its one append: the three messages it was placed after came with the answer.
    expect(executed).toMatchObject({ version: 7, duplicate: false });
    expect(batches).toHaveBeenCalledTimes(1);
    expect(reads).not.toHaveBeenCalled();
    expect(executed.after?.version).toBe(7);
    expect(executed.after?.messages.at(-1)).toMatchObject({ id: 'm7', seq: 7, text: 'after three' });
    expect(b.peek(sessionId)?.state).toBe(executed.after);
    expect((await store.readLog(sessionId, 3)).map((e) => [e.seq, e.commandId])).toEqual([[4, 'a-1'], [5, 'a-2'], [6, 'a-3'], [7, 'b-second']]);
  });

  it('finds a placed batch whose answer was lost where the store put it, and answers it as appended there', async () => {
    const store = new MemoryStore();
    const a = serviceOn(store);
    const sessionId = await sessionInPlay(a);
    let lost = 0;
    // Appends, then loses the answer (a dropped connection), once.
    const appendBatch: SessionStore['appendBatch'] = async (id, entries, options) => {
      const answer = await store.appendBatch(id, entries, options);
      if (lost++ > 0) return answer;
      throw new StoreUnavailableError('lost', 'the connection closed before the answer');
    };
    const b = serviceOn(new Proxy(store, { get: (target, prop) => (prop === 'appendBatch' ? appendBatch : Reflect.get(target, prop, target)) }));
    await b.withSession(sessionId, () => {});
    await a.execute(sessionId, seat(1), 'a-1', null, message(1));
    await a.execute(sessionId, seat(2), 'a-2', null, message(2));
    const executed = await b.execute(sessionId, seat(0), 'b-1', null, message(0, 'placed, answer lost'), { deadline: performance.now() + 5_000 });
    expect(executed).toMatchObject({ version: 5, duplicate: false });
    expect(executed.after?.version).toBe(5);
    expect(executed.after?.messages.at(-1)).toMatchObject({ seq: 5, text: 'placed, answer lost' });
    expect((await store.readLog(sessionId, 2)).map((e) => e.commandId)).toEqual(['a-1', 'a-2', 'b-1']);
  });

  it('does not place a message past a game command that changed what it may do (a line closing)', async () => {
    const store = new MemoryStore();
    const a = serviceOn(store);
    const b = serviceOn(store);
    const sessionId = await sessionInPlay(a);
    await a.execute(sessionId, facilitator, 'open-line', 2, { type: 'FIRE_INJECT', inject: 'direct-line-opened' });
    const line: Command = { type: 'SEND_MESSAGE', channel: 'iran-us-direct', text: 'on the line' };
    await b.execute(sessionId, seat(0), 'b-line', null, line);
    // A takes the session back to the beat's start, before the line opened; B has not heard.
    await a.execute(sessionId, facilitator, 'a-rewind', 3, { type: 'REWIND', beat: a.peek(sessionId)?.state.turn.context.beat ?? '' });
    await a.execute(sessionId, seat(1), 'a-after', null, message(1));
    const late = await settled(b.execute(sessionId, seat(0), 'b-line-2', null, line));
    expect(late).toMatchObject({ ok: false, error: { code: 'channel_closed' } });
    expect((await store.readLog(sessionId, 0)).map((e) => e.commandId)).not.toContain('b-line-2');
  });
});
