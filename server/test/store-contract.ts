import type { LogEntry, PersistedGame } from '@rubicon/shared';
import { nanoid } from 'nanoid';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SchedulerErrorHandler } from '../src/store/memory-scheduler.ts';
import { MISSED_ENTRIES_MAX } from '../src/store/append-batch.ts';
import type { Clock, DueTimer, Placement, Scheduler, SessionMeta, SessionStore } from '../src/store/types.ts';

/** A batch of free entries only: placed at the head past other free entries, and no barrier. */
const FREE: Placement = { movable: true, barrierEnd: 0 };

/**
 * The one behaviour every SessionStore and Scheduler must show, run against
 * each implementation by store-memory.test.ts and store-redis.test.ts.
 */

export interface StoreFixture {
  store: SessionStore;
  /**
   * Another handle on the same data: a second store instance with its own
   * connection for Redis, the same instance for memory. Races are run across both.
   */
  peer: SessionStore;
  cleanup(): Promise<void>;
}

export function sessionStoreContract(name: string, make: () => Promise<StoreFixture>): void {
  describe(`SessionStore contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: SessionStore;
    beforeEach(async () => {
      fx = await make();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    describe('sessions', () => {
      it('stores a session and gives it back', async () => {
        const meta = sessionMeta({ createdAt: 1000 });
        await store.createSession(meta);
        expect(await store.getSession(meta.sessionId)).toEqual(meta);
        expect(await fx.peer.getSession(meta.sessionId)).toEqual(meta);
        expect(await store.getSession('no-such-session')).toBeNull();
      });

      it('keeps its own copy: mutating what was passed in or handed out changes nothing', async () => {
        const meta = sessionMeta();
        const original = structuredClone(meta);
        await store.createSession(meta);
        meta.title = 'changed';
        meta.codes.push({ role: { kind: 'observer' }, code: 'ZZZZZZ' });
        const got = await store.getSession(original.sessionId);
        expect(got).toEqual(original);
        if (got) got.setup.optionalSeats.push('green');
        expect(await store.getSession(original.sessionId)).toEqual(original);
      });

      it('refuses a second session with the same id, or a code already in use, writing nothing', async () => {
        const first = sessionMeta();
        await store.createSession(first);
        await expect(store.createSession({ ...sessionMeta(), sessionId: first.sessionId })).rejects.toThrow(/exists/);

        const clash = sessionMeta();
        const firstCode = first.codes[0];
        if (!firstCode) throw new Error('fixture has codes');
        clash.codes = [{ role: { kind: 'observer' }, code: `FRESH${nanoid(4)}` }, { role: { kind: 'observer' }, code: firstCode.code }];
        await expect(store.createSession(clash)).rejects.toThrow(/in use/);
        expect(await store.getSession(clash.sessionId)).toBeNull();
        expect(await store.resolveCode(clash.codes[0]?.code ?? '')).toBeNull();
        expect(await store.resolveCode(firstCode.code)).toEqual({ sessionId: first.sessionId, role: firstCode.role });
        expect((await store.listSessions(10)).map((s) => s.sessionId)).toEqual([first.sessionId]);
      });

      it('lists sessions newest first, up to the limit', async () => {
        const metas = [3000, 1000, 4000, 2000].map((createdAt) => sessionMeta({ createdAt }));
        for (const meta of metas) await store.createSession(meta);
        const byAge = [...metas].sort((a, b) => b.createdAt - a.createdAt);
        expect(await store.listSessions(10)).toEqual(byAge);
        expect(await store.listSessions(2)).toEqual(byAge.slice(0, 2));
        expect(await store.listSessions(0)).toEqual([]);
      });
    });

    describe('codes and tokens', () => {
      it('resolves each join code of a session to its session and role', async () => {
        const meta = sessionMeta();
        await store.createSession(meta);
        for (const { code, role } of meta.codes) {
          expect(await fx.peer.resolveCode(code)).toEqual({ sessionId: meta.sessionId, role });
        }
        expect(await store.resolveCode('NOPE42')).toBeNull();
      });

      it('resolves a saved token hash to its grant, and an unknown one to null', async () => {
        const seat = { sessionId: 's1', role: { kind: 'seat', seat: 'red' } } as const;
        const facilitator = { sessionId: 's1', role: { kind: 'facilitator' } } as const;
        await store.saveToken('a'.repeat(64), seat);
        await store.saveToken('b'.repeat(64), facilitator);
        expect(await fx.peer.resolveToken('a'.repeat(64))).toEqual(seat);
        expect(await store.resolveToken('b'.repeat(64))).toEqual(facilitator);
        expect(await store.resolveToken('c'.repeat(64))).toBeNull();
      });

      it('rotates an access key: the old code stops resolving, the new one resolves at the next generation', async () => {
        const meta = sessionMeta();
        await store.createSession(meta);
        const [iran] = meta.codes;
        const fresh = `K${nanoid(7)}`;
        const r = await store.rotateAccess(meta.sessionId, 'iran', iran!.role, iran!.code, fresh);
        expect(r).toEqual({ ok: true, access: { code: fresh, generation: 1 } });
        expect(await fx.peer.resolveCode(iran!.code)).toBeNull();
        expect(await fx.peer.resolveCode(fresh)).toEqual({ sessionId: meta.sessionId, role: iran!.role, key: 'iran', generation: 1 });
        expect(await fx.peer.accessChanges(meta.sessionId)).toEqual({ iran: { code: fresh, generation: 1 } });
        // A code another grant holds is refused, changing nothing.
        expect(await store.rotateAccess(meta.sessionId, 'iran', iran!.role, iran!.code, meta.codes[1]!.code)).toEqual({ ok: false, reason: 'code-taken' });
        expect(await fx.peer.accessChanges(meta.sessionId)).toEqual({ iran: { code: fresh, generation: 1 } });
      });

      it('saves a token at the new generation in the same rotation, for a key with no code (the creator\'s)', async () => {
        const meta = sessionMeta();
        await store.createSession(meta);
        const role = { kind: 'facilitator' } as const;
        expect(await store.rotateAccess(meta.sessionId, 'owner', role, null, null, 'd'.repeat(64))).toEqual({ ok: true, access: { code: null, generation: 1 } });
        expect(await fx.peer.resolveToken('d'.repeat(64))).toEqual({ sessionId: meta.sessionId, role, key: 'owner', generation: 1 });
        expect(await store.rotateAccess(meta.sessionId, 'owner', role, null, null, 'e'.repeat(64))).toEqual({ ok: true, access: { code: null, generation: 2 } });
        expect(await fx.peer.resolveToken('e'.repeat(64))).toEqual({ sessionId: meta.sessionId, role, key: 'owner', generation: 2 });
        expect((await fx.peer.accessChanges(meta.sessionId)).owner).toEqual({ code: null, generation: 2 });
        // Without a token hash, none is saved.
        await store.rotateAccess(meta.sessionId, 'observer', meta.codes[2]!.role, meta.codes[2]!.code, null);
        expect(await fx.peer.resolveToken('-')).toBeNull();
      });

      it('stores an imported session\'s creator grant as given', async () => {
        const meta = sessionMeta();
        const ownerGrant = { sessionId: meta.sessionId, role: { kind: 'facilitator' }, key: 'owner', generation: 0 } as const;
        await store.importSession({ meta, entries: [], snapshot: 'null', ownerGrant });
        expect(await fx.peer.resolveToken(meta.facilitatorTokenHash)).toEqual(ownerGrant);
      });
    });

    describe('log', () => {
      it('appends in order and reads back exactly what was appended', async () => {
        const sid = sessionId();
        expect(await store.head(sid)).toBe(0);
        expect(await store.readLog(sid, 0)).toEqual([]);
        const entries = [1, 2, 3].map((seq) => entry(seq));
        for (const e of entries) expect(await store.append(sid, e)).toEqual({ ok: true, seq: e.seq });
        expect(await store.head(sid)).toBe(3);
        expect(await fx.peer.readLog(sid, 0)).toEqual(entries);
        expect(await store.commandSeq(sid, entries[1]?.commandId ?? '')).toBe(2);
        expect(await store.commandSeq(sid, 'never-sent')).toBeNull();
      });

      it('gives the heads of several logs at once, in the order asked, 0 for a log never written', async () => {
        const [a, b, none] = [sessionId(), sessionId(), sessionId()];
        await store.appendBatch(a, [entry(1), entry(2), entry(3)]);
        await store.append(b, entry(1));
        expect(await store.heads([b, none, a])).toEqual([1, 0, 3]);
        expect(await store.heads([])).toEqual([]);
      });

      it('refuses an append at the wrong position with the current head, writing nothing', async () => {
        const sid = sessionId();
        await store.append(sid, entry(1));
        await store.append(sid, entry(2));
        const ahead = entry(4);
        const behind = entry(2);
        expect(await store.append(sid, ahead)).toEqual({ ok: false, reason: 'conflict', head: 2 });
        expect(await store.append(sid, behind)).toEqual({ ok: false, reason: 'conflict', head: 2 });
        expect(await store.head(sid)).toBe(2);
        expect((await store.readLog(sid, 0)).map((e) => e.seq)).toEqual([1, 2]);
        expect(await store.commandSeq(sid, ahead.commandId)).toBeNull();
        expect(await store.commandSeq(sid, behind.commandId)).toBeNull();
        expect(await store.append(sid, entry(1))).toEqual({ ok: false, reason: 'conflict', head: 2 });
      });

      it('refuses a command id already appended with its original seq, writing nothing', async () => {
        const sid = sessionId();
        const first = entry(1);
        await store.append(sid, first);
        await store.append(sid, entry(2));
        // A retry after a lost acknowledgement, made against a newer version.
        const retry = { ...entry(3), commandId: first.commandId };
        expect(await store.append(sid, retry)).toEqual({ ok: false, reason: 'duplicate', seq: 1 });
        expect(await store.head(sid)).toBe(2);
        expect(await store.readLog(sid, 0)).toHaveLength(2);
        // Command ids are per session.
        expect(await store.append(sessionId(), { ...entry(1), commandId: first.commandId })).toEqual({ ok: true, seq: 1 });
      });

      it('lets exactly one of many racing appends for one position win', async () => {
        const sid = sessionId();
        const contenders = Array.from({ length: 20 }, () => entry(1));
        const results = await Promise.all(contenders.map((e, i) => (i % 2 === 0 ? store : fx.peer).append(sid, e)));
        const winners = results.flatMap((r, i) => (r.ok ? [contenders[i]] : []));
        expect(winners).toHaveLength(1);
        for (const r of results) if (!r.ok) expect(r).toEqual({ ok: false, reason: 'conflict', head: 1 });
        expect(await store.readLog(sid, 0)).toEqual(winners);

        // The same command retried concurrently is appended once.
        const retried = entry(2);
        const retries = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : fx.peer).append(sid, retried)));
        expect(retries.filter((r) => r.ok)).toHaveLength(1);
        for (const r of retries) if (!r.ok) expect(r).toEqual({ ok: false, reason: 'duplicate', seq: 2 });
        expect(await store.head(sid)).toBe(2);
      });

      it('reads exactly the entries after a given seq', async () => {
        const sid = sessionId();
        const entries = [1, 2, 3, 4, 5].map((seq) => entry(seq));
        for (const e of entries) await store.append(sid, e);
        expect(await store.readLog(sid, 3)).toEqual(entries.slice(3));
        expect(await store.readLog(sid, 4)).toEqual(entries.slice(4));
        expect(await store.readLog(sid, 5)).toEqual([]);
        expect(await store.readLog(sid, 9)).toEqual([]);
        expect(await store.readLog(sessionId(), 0)).toEqual([]);
      });

      it('reads a log longer than one page', async () => {
        const sid = sessionId();
        const n = 2100;
        for (let seq = 1; seq <= n; seq++) await store.append(sid, entry(seq));
        const all = await store.readLog(sid, 0);
        expect(all.map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
        const tail = await store.readLog(sid, 999);
        expect(tail).toHaveLength(n - 999);
        expect(tail[0]?.seq).toBe(1000);
        expect(await store.head(sid)).toBe(n);
      });

      it('appends a batch in one step, and refuses all of it at the wrong position', async () => {
        const sid = sessionId();
        await store.append(sid, entry(1));
        const batch = [2, 3, 4].map((seq) => entry(seq));
        expect(await store.appendBatch(sid, [entry(3), entry(4)])).toEqual({ ok: false, reason: 'conflict', head: 1 });
        expect(await store.appendBatch(sid, batch)).toEqual({ ok: true, seq: 4 });
        expect(await fx.peer.readLog(sid, 1)).toEqual(batch);
        for (const e of batch) expect(await fx.peer.commandSeq(sid, e.commandId)).toBe(e.seq);
        // Made on an older position: the reply brings what the writer missed.
        const late = [entry(4), entry(5)];
        expect(await store.appendBatch(sid, late)).toEqual({ ok: false, reason: 'conflict', head: 4, missing: batch.slice(2) });
        expect(await store.head(sid)).toBe(4);
        for (const e of late) expect(await store.commandSeq(sid, e.commandId)).toBeNull();
      });

      it('names every command id of a batch appended before, before any conflict, and writes none of it', async () => {
        const sid = sessionId();
        const a = entry(1);
        const b = entry(2);
        const c = entry(3);
        expect(await store.appendBatch(sid, [a, b, c])).toEqual({ ok: true, seq: 3 });
        const fresh = entry(5);
        // At a stale position too: a retry is recognised however far the log moved on.
        const retry = [{ ...entry(3), commandId: b.commandId }, { ...fresh, seq: 4 }, { ...entry(5), commandId: a.commandId }];
        expect(await store.appendBatch(sid, retry)).toEqual({ ok: false, reason: 'duplicate', duplicates: [{ index: 0, seq: 2 }, { index: 2, seq: 1 }] });
        expect(await store.head(sid)).toBe(3);
        expect(await store.commandSeq(sid, fresh.commandId)).toBeNull();
        expect(await store.append(sid, { ...c, seq: 4 })).toEqual({ ok: false, reason: 'duplicate', seq: 3 });
      });

      it('lets exactly one of many racing batches for one position win, whole', async () => {
        const sid = sessionId();
        const contenders = Array.from({ length: 12 }, () => [entry(1), entry(2), entry(3)]);
        const results = await Promise.all(contenders.map((batch, i) => (i % 2 === 0 ? store : fx.peer).appendBatch(sid, batch)));
        const winners = contenders.filter((_, i) => results[i]?.ok);
        expect(winners).toHaveLength(1);
        for (const r of results) if (!r.ok) expect(r).toEqual({ ok: false, reason: 'conflict', head: 3, missing: winners[0] });
        expect(await store.readLog(sid, 0)).toEqual(winners[0]);
      });

      it('brings the missed entries with a conflict only when they are few', async () => {
        const sid = sessionId();
        const log = Array.from({ length: 300 }, (_, i) => entry(i + 1));
        for (let i = 0; i < log.length; i += 100) expect((await store.appendBatch(sid, log.slice(i, i + 100))).ok).toBe(true);
        const near = await store.appendBatch(sid, [entry(101)]);
        expect(near).toEqual({ ok: false, reason: 'conflict', head: 300, missing: log.slice(100) });
        expect(await store.appendBatch(sid, [entry(40)])).toEqual({ ok: false, reason: 'conflict', head: 300 });
      });

      it('places a movable batch planned behind the head at the head when no barrier came in between, with what it was placed after', async () => {
        const sid = sessionId();
        await store.append(sid, entry(1));
        // Two free entries by another writer: no barrier after position 1.
        const others = [entry(2), entry(3)];
        expect(await fx.peer.appendBatch(sid, others, { placement: FREE })).toEqual({ ok: true, seq: 3 });
        const mine = [entry(2), entry(3)];
        // A moving entry last: placed at 4-5, it becomes the barrier.
        expect(await store.appendBatch(sid, mine, { placement: { movable: true, barrierEnd: 2 } })).toEqual({ ok: true, seq: 5, missed: others });
        const placed = mine.map((e, i) => ({ ...e, seq: 4 + i }));
        expect(await fx.peer.readLog(sid, 3)).toEqual(placed);
        for (const e of placed) expect(await fx.peer.commandSeq(sid, e.commandId)).toBe(e.seq);
        // Planned at 4: the barrier at 5 came after it.
        const behind = [entry(5)];
        expect(await store.appendBatch(sid, behind, { placement: FREE })).toEqual({ ok: false, reason: 'conflict', head: 5, missing: placed.slice(1) });
        expect(await store.commandSeq(sid, behind[0]?.commandId ?? '')).toBeNull();
        // At the head it goes, and a free batch planned at 5 may then follow it.
        expect(await store.appendBatch(sid, [entry(6)], { placement: FREE })).toEqual({ ok: true, seq: 6 });
        const last = entry(6);
        expect(await store.appendBatch(sid, [last], { placement: FREE })).toEqual({ ok: true, seq: 7, missed: [expect.objectContaining({ seq: 6 })] });
        expect((await store.readLog(sid, 6))[0]).toEqual({ ...last, seq: 7 });
      });

      it('keeps a batch that is not movable, or comes after a barrier, where it was planned', async () => {
        const sid = sessionId();
        await store.appendBatch(sid, [entry(1)], { placement: FREE });
        await store.appendBatch(sid, [entry(2)], { placement: FREE });
        // Not movable: any move of the head is a conflict.
        expect(await store.appendBatch(sid, [entry(2)], { placement: { movable: false, barrierEnd: 1 } })).toEqual({ ok: false, reason: 'conflict', head: 2, missing: [expect.objectContaining({ seq: 2 })] });
        // No placement (a strict batch, every entry a barrier): likewise, and at the head it becomes the barrier.
        expect(await store.appendBatch(sid, [entry(2)])).toMatchObject({ ok: false, reason: 'conflict', head: 2 });
        expect(await store.appendBatch(sid, [entry(3)])).toEqual({ ok: true, seq: 3 });
        expect(await store.appendBatch(sid, [entry(3)], { placement: FREE })).toMatchObject({ ok: false, reason: 'conflict', head: 3 });
        // Ahead of the head is never placed.
        expect(await store.appendBatch(sid, [entry(9)], { placement: FREE })).toEqual({ ok: false, reason: 'conflict', head: 3 });
        expect(await store.head(sid)).toBe(3);
      });

      it('checks duplicates before placing a movable batch, and places it whole or not at all', async () => {
        const sid = sessionId();
        const a = entry(1);
        await store.appendBatch(sid, [a, entry(2)], { placement: FREE });
        const retry = [entry(1), { ...entry(2), commandId: a.commandId }];
        expect(await store.appendBatch(sid, retry, { placement: FREE })).toEqual({ ok: false, reason: 'duplicate', duplicates: [{ index: 1, seq: 1 }] });
        expect(await store.head(sid)).toBe(2);
        expect(await store.commandSeq(sid, retry[0]?.commandId ?? '')).toBeNull();
        // A long way behind: placed, with nothing of what it was placed after when that is too much to carry.
        const many = Array.from({ length: MISSED_ENTRIES_MAX + 1 }, (_, i) => entry(3 + i));
        expect((await store.appendBatch(sid, many, { placement: FREE })).ok).toBe(true);
        const late = [entry(2), entry(3)];
        const head = 2 + many.length;
        expect(await store.appendBatch(sid, late, { placement: FREE })).toEqual({ ok: true, seq: head + 2 });
        expect(await store.readLog(sid, head)).toEqual(late.map((e, i) => ({ ...e, seq: head + 1 + i })));
      });

      it('places each of many racing movable batches once, whole and in one run', async () => {
        const sid = sessionId();
        const contenders = Array.from({ length: 12 }, () => [entry(1), entry(2)]);
        const results = await Promise.all(contenders.map((batch, i) => (i % 2 === 0 ? store : fx.peer).appendBatch(sid, batch, { placement: FREE })));
        expect(results.every((r) => r.ok)).toBe(true);
        const log = await store.readLog(sid, 0);
        expect(log.map((e) => e.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
        contenders.forEach((batch, i) => {
          const r = results[i];
          const at = r?.ok ? r.seq - 1 : -1;
          expect(log.slice(at - 1, at + 1).map((e) => e.commandId)).toEqual(batch.map((e) => e.commandId));
        });
      });

      it('refuses a batch that is empty, not consecutive or repeats a command id, writing nothing', async () => {
        const sid = sessionId();
        const one = entry(1);
        await expect(store.appendBatch(sid, [])).rejects.toThrow();
        await expect(store.appendBatch(sid, [one, entry(3)])).rejects.toThrow(/consecutive/);
        await expect(store.appendBatch(sid, [one, { ...entry(2), commandId: one.commandId }])).rejects.toThrow(/twice/);
        await expect(store.appendBatch(sid, [one, { ...entry(2), command: { type: 'NOT_A_COMMAND' } } as unknown as LogEntry])).rejects.toThrow();
        expect(await store.head(sid)).toBe(0);
        expect(await store.commandSeq(sid, one.commandId)).toBeNull();
      });

      it('refuses an entry that is not a valid LogEntry, writing nothing', async () => {
        const sid = sessionId();
        const bad = { ...entry(1), command: { type: 'NOT_A_COMMAND' } } as unknown as LogEntry;
        await expect(store.append(sid, bad)).rejects.toThrow();
        expect(await store.head(sid)).toBe(0);
      });
    });

    describe('snapshots', () => {
      it('saves and loads a snapshot; the latest save wins', async () => {
        const sid = sessionId();
        expect(await store.loadSnapshot(sid)).toBeNull();
        const first = snapshot(3);
        await store.saveSnapshot(sid, first);
        expect(await fx.peer.loadSnapshot(sid)).toEqual(first);
        const second = snapshot(7);
        await store.saveSnapshot(sid, second);
        expect(await store.loadSnapshot(sid)).toEqual(second);
      });
    });

    describe('health', () => {
      it('answers ping while open and not after close', async () => {
        expect(await store.ping()).toBe(true);
        await store.close();
        expect(await store.ping()).toBe(false);
        await store.close();
      });
    });
  });
}

export interface SchedulerFixture {
  /** A new scheduler on the fixture's backend, driven by the fixture's clock. */
  create(onError?: SchedulerErrorHandler): Promise<Scheduler>;
  /** Whether separate instances share their timers (Redis) or not (memory). */
  shared: boolean;
  cleanup(): Promise<void>;
}

export const CONTRACT_POLL_MS = 5;

export interface FakeClock extends Clock {
  t: number;
  advance(ms: number): void;
}

export function fakeClock(start = 1_700_000_000_000): FakeClock {
  return {
    t: start,
    now() {
      return this.t;
    },
    advance(ms: number) {
      this.t += ms;
    },
  };
}

export function schedulerContract(name: string, make: (clock: Clock) => Promise<SchedulerFixture>): void {
  describe(`Scheduler contract: ${name}`, () => {
    let fx: SchedulerFixture;
    let clock: FakeClock;
    const started: Scheduler[] = [];
    /** Starts a scheduler that records what it is handed. */
    const run = async (handle: (t: DueTimer) => Promise<void> = async () => {}, onError?: SchedulerErrorHandler) => {
      const scheduler = await fx.create(onError);
      const fired: DueTimer[] = [];
      scheduler.start(async (t) => {
        fired.push(t);
        await handle(t);
      });
      started.push(scheduler);
      return { scheduler, fired };
    };

    beforeEach(async () => {
      clock = fakeClock();
      fx = await make(clock);
    });
    afterEach(async () => {
      await Promise.all(started.splice(0).map((s) => s.stop()));
      await fx.cleanup();
    });

    it('fires a due timer once, and not before it is due', async () => {
      const { scheduler, fired } = await run();
      const timer = { sessionId: sessionId(), timerVersion: 1, at: clock.now() + 1000 };
      await scheduler.schedule(timer);
      await polls();
      clock.advance(999);
      await polls();
      expect(fired).toEqual([]);
      clock.advance(1);
      await vi.waitFor(() => expect(fired).toEqual([timer]), WAIT);
      clock.advance(10_000);
      await polls();
      expect(fired).toEqual([timer]);
    });

    it('fires each of several timers only when its own time comes', async () => {
      const { scheduler, fired } = await run();
      const base = clock.now();
      const timers = [300, 100, 200].map((delay, i) => ({ sessionId: `s${i}-${nanoid(6)}`, timerVersion: 1, at: base + delay }));
      for (const t of timers) await scheduler.schedule(t);
      for (const [step, expected] of [
        [50, []],
        [100, [timers[1]]],
        [150, [timers[1]]],
        [200, [timers[1], timers[2]]],
        [300, [timers[1], timers[2], timers[0]]],
      ] as const) {
        clock.t = base + step;
        if (expected.length === fired.length) await polls();
        else await vi.waitFor(() => expect(fired).toHaveLength(expected.length), WAIT);
        expect(fired).toEqual(expected);
      }
    });

    it('replaces a session’s pending timer when it is scheduled again', async () => {
      const { scheduler, fired } = await run();
      const sid = sessionId();
      const base = clock.now();
      await scheduler.schedule({ sessionId: sid, timerVersion: 1, at: base + 100 });
      await scheduler.schedule({ sessionId: sid, timerVersion: 2, at: base + 500 });
      clock.t = base + 200;
      await polls();
      expect(fired).toEqual([]);
      clock.t = base + 500;
      await vi.waitFor(() => expect(fired).toHaveLength(1), WAIT);
      // Brought forward, too.
      await scheduler.schedule({ sessionId: sid, timerVersion: 3, at: base + 5000 });
      await scheduler.schedule({ sessionId: sid, timerVersion: 4, at: base + 600 });
      clock.t = base + 600;
      await vi.waitFor(() => expect(fired).toHaveLength(2), WAIT);
      clock.t = base + 6000;
      await polls();
      expect(fired.map((t) => t.timerVersion)).toEqual([2, 4]);
    });

    it('does not fire a cancelled timer', async () => {
      const { scheduler, fired } = await run();
      const kept = { sessionId: sessionId(), timerVersion: 1, at: clock.now() + 100 };
      const dropped = { sessionId: sessionId(), timerVersion: 1, at: clock.now() + 100 };
      await scheduler.schedule(kept);
      await scheduler.schedule(dropped);
      await scheduler.cancel(dropped.sessionId);
      await scheduler.cancel('never-scheduled');
      clock.advance(100);
      await vi.waitFor(() => expect(fired).toHaveLength(1), WAIT);
      await polls();
      expect(fired).toEqual([kept]);
    });

    it('keeps a deadline scheduled by the handler of the one that fired', async () => {
      const sid = sessionId();
      let scheduler: Scheduler | null = null;
      const next = { sessionId: sid, timerVersion: 2, at: clock.now() + 1000 };
      const run1 = await run(async (t) => {
        if (t.timerVersion === 1) await scheduler?.schedule(next);
      });
      scheduler = run1.scheduler;
      await scheduler.schedule({ sessionId: sid, timerVersion: 1, at: clock.now() });
      await vi.waitFor(() => expect(run1.fired).toHaveLength(1), WAIT);
      await polls();
      clock.advance(1000);
      await vi.waitFor(() => expect(run1.fired).toHaveLength(2), WAIT);
      expect(run1.fired[1]).toEqual(next);
    });

    it('reports a failing handler and carries on', async () => {
      const errors: unknown[] = [];
      const { scheduler, fired } = await run(
        async (t) => {
          if (t.timerVersion === 1) throw new Error('handler failed');
        },
        (error) => errors.push(error),
      );
      await scheduler.schedule({ sessionId: sessionId(), timerVersion: 1, at: clock.now() });
      await vi.waitFor(() => expect(errors).toHaveLength(1), WAIT);
      expect(String(errors[0])).toMatch(/handler failed/);
      await scheduler.schedule({ sessionId: sessionId(), timerVersion: 2, at: clock.now() });
      await vi.waitFor(() => expect(fired).toHaveLength(2), WAIT);
      await polls();
      // Failed once is delivered once: it is not retried.
      expect(fired.map((t) => t.timerVersion)).toEqual([1, 2]);
    });

    it('fires nothing after stop, and stop waits for a delivery in progress', async () => {
      let finished = false;
      const { scheduler, fired } = await run(async () => {
        await sleep(50);
        finished = true;
      });
      await scheduler.schedule({ sessionId: sessionId(), timerVersion: 1, at: clock.now() });
      await vi.waitFor(() => expect(fired).toHaveLength(1), WAIT);
      await scheduler.stop();
      expect(finished).toBe(true);
      await scheduler.schedule({ sessionId: sessionId(), timerVersion: 2, at: clock.now() });
      await polls();
      expect(fired).toHaveLength(1);
    });

    it('delivers each due timer to exactly one of several polling instances', async (ctx) => {
      if (!fx.shared) ctx.skip();
      const instances = await Promise.all([run(), run(), run()]);
      const timers = Array.from({ length: 30 }, (_, i) => ({ sessionId: `s${i}-${nanoid(6)}`, timerVersion: i, at: clock.now() + (i % 3) * 10 }));
      // Scheduled through different instances: they share one schedule.
      await Promise.all(timers.map((t, i) => instances[i % instances.length]?.scheduler.schedule(t)));
      clock.advance(20);
      const all = () => instances.flatMap((x) => x.fired);
      await vi.waitFor(() => expect(all()).toHaveLength(30), WAIT);
      await polls(10);
      const delivered = all();
      expect(delivered).toHaveLength(30);
      expect(new Set(delivered.map((t) => t.sessionId)).size).toBe(30);
      expect([...delivered].sort((a, b) => a.timerVersion - b.timerVersion)).toEqual(timers);
    });
  });
}

const WAIT = { timeout: 3000, interval: 2 };

/** Long enough for several polls to have run. */
export function polls(n = 5): Promise<void> {
  return sleep(CONTRACT_POLL_MS * n + 20);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sessionId(): string {
  return `session-${nanoid(10)}`;
}

export function sessionMeta(overrides: Partial<SessionMeta> = {}): SessionMeta {
  const id = sessionId();
  return {
    sessionId: id,
    title: `Crisis ${id} — «Rubicon» ✓ "quoted"\n`,
    scenarioId: 'april-2024',
    setup: { scenarioId: 'april-2024', seed: 'seed-1', timerScale: 1, timerSeconds: { planning: 300 }, review: true, optionalSeats: [] },
    createdAt: 1_700_000_000_000,
    facilitatorTokenHash: 'f'.repeat(64),
    codes: [
      { role: { kind: 'seat', seat: 'iran' }, code: `K${nanoid(7)}` },
      { role: { kind: 'seat', seat: 'israel' }, code: `K${nanoid(7)}` },
      { role: { kind: 'observer' }, code: `K${nanoid(7)}` },
    ],
    ...overrides,
  };
}

export function entry(seq: number): LogEntry {
  return {
    seq,
    at: 1_700_000_000_000 + seq,
    by: seq % 2 === 0 ? { kind: 'seat', seat: 'iran' } : { kind: 'facilitator' },
    commandId: `cmd-${nanoid(12)}`,
    command:
      seq % 2 === 0
        ? { type: 'SUBMIT_MOVE', move: 'signal-restraint', rationale: `because ${seq} — «quoted» ✓`, lock: seq % 4 === 0 }
        : { type: 'ADVANCE' },
  };
}

export function snapshot(version: number): PersistedGame {
  // The store treats a snapshot as opaque JSON; its real shape comes from the
  // turn machine, which these tests need not build.
  return {
    scenarioId: 'april-2024',
    scenarioVersion: 1,
    machineVersion: 1,
    version,
    turn: { value: { planning: 'open' }, context: { beat: 'b1', seats: { iran: { trust: 50 } }, log: [1, 2, null] }, status: 'active' },
    messages: [{ id: 'm1', seq: 2, at: 5, channel: 'public', from: 'iran', text: 'hello', audience: ['iran', 'israel'], to: null, relayOf: null }],
  } as unknown as PersistedGame;
}
