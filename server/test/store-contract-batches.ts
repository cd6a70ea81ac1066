import type { LogEntry } from '@rubicon/shared';
import { expect, it } from 'vitest';
import { MISSED_ENTRIES_MAX } from '../src/store/append-batch.ts';
import type { Placement } from '../src/store/types.ts';
import type { CurrentFixture } from './store-contract.ts';
import { entry, sessionId } from './store-fixtures.ts';

/** A batch of free entries only: placed at the head past other free entries, and no barrier. */
const FREE: Placement = { movable: true, barrierEnd: 0 };

/** The contract's `log` cases for batches: one atomic step, conflicts that bring what was missed, and placement at the head. */
export function batchCases(current: CurrentFixture): void {
  atomicBatchCases(current);
  placementCases(current);
  placedWholeCases(current);
}

/** One atomic step: all or nothing at the right position, command ids checked first, races, and what a conflict brings. */
function atomicBatchCases(current: CurrentFixture): void {
  it('appends a batch in one step, and refuses all of it at the wrong position', async () => {
    const { store, peer } = current();
    const sid = sessionId();
    await store.append(sid, entry(1));
    const batch = [2, 3, 4].map((seq) => entry(seq));
    expect(await store.appendBatch(sid, [entry(3), entry(4)])).toEqual({ ok: false, reason: 'conflict', head: 1 });
    expect(await store.appendBatch(sid, batch)).toEqual({ ok: true, seq: 4 });
    expect(await peer.readLog(sid, 1)).toEqual(batch);
    for (const e of batch) expect(await peer.commandSeq(sid, e.commandId)).toBe(e.seq);
    // Made on an older position: the reply brings what the writer missed.
    const late = [entry(4), entry(5)];
    expect(await store.appendBatch(sid, late)).toEqual({ ok: false, reason: 'conflict', head: 4, missing: batch.slice(2) });
    expect(await store.head(sid)).toBe(4);
    for (const e of late) expect(await store.commandSeq(sid, e.commandId)).toBeNull();
  });

  it('names every command id of a batch appended before, before any conflict, and writes none of it', async () => {
    const { store } = current();
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
    const { store, peer } = current();
    const sid = sessionId();
    const contenders = Array.from({ length: 12 }, () => [entry(1), entry(2), entry(3)]);
    const results = await Promise.all(contenders.map((batch, i) => (i % 2 === 0 ? store : peer).appendBatch(sid, batch)));
    const winners = contenders.filter((_, i) => results[i]?.ok);
    expect(winners).toHaveLength(1);
    for (const r of results) if (!r.ok) expect(r).toEqual({ ok: false, reason: 'conflict', head: 3, missing: winners[0] });
    expect(await store.readLog(sid, 0)).toEqual(winners[0]);
  });

  it('brings the missed entries with a conflict only when they are few', async () => {
    const { store } = current();
    const sid = sessionId();
    const log = Array.from({ length: 300 }, (_, i) => entry(i + 1));
    for (let i = 0; i < log.length; i += 100) expect((await store.appendBatch(sid, log.slice(i, i + 100))).ok).toBe(true);
    const near = await store.appendBatch(sid, [entry(101)]);
    expect(near).toEqual({ ok: false, reason: 'conflict', head: 300, missing: log.slice(100) });
    expect(await store.appendBatch(sid, [entry(40)])).toEqual({ ok: false, reason: 'conflict', head: 300 });
  });
}

/** Placement of a movable batch at the head, and where a batch stays. */
function placementCases(current: CurrentFixture): void {
  it('places a movable batch planned behind the head at the head when no barrier came in between, with what it was placed after', async () => {
    const { store, peer } = current();
    const sid = sessionId();
    await store.append(sid, entry(1));
    // Two free entries by another writer: no barrier after position 1.
    const others = [entry(2), entry(3)];
    expect(await peer.appendBatch(sid, others, { placement: FREE })).toEqual({ ok: true, seq: 3 });
    const mine = [entry(2), entry(3)];
    // A moving entry last: placed at 4-5, it becomes the barrier.
    expect(await store.appendBatch(sid, mine, { placement: { movable: true, barrierEnd: 2 } })).toEqual({ ok: true, seq: 5, missed: others });
    const placed = mine.map((e, i) => ({ ...e, seq: 4 + i }));
    expect(await peer.readLog(sid, 3)).toEqual(placed);
    for (const e of placed) expect(await peer.commandSeq(sid, e.commandId)).toBe(e.seq);
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
    const { store } = current();
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

  it('places a movable batch past its planned position only while its last entry stays within placeUpTo (the log cap), else answers a conflict', async () => {
    const { store, peer } = current();
    const sid = sessionId();
    await store.appendBatch(sid, [entry(1), entry(2)], { placement: FREE });
    // Another writer's free entries take the log to 4.
    expect(await peer.appendBatch(sid, [entry(3), entry(4)], { placement: FREE })).toEqual({ ok: true, seq: 4 });
    // Planned at 3-4: placed at 5-6 would pass 5, so it is not placed and nothing is written.
    const mine = [entry(3), entry(4)];
    expect(await store.appendBatch(sid, mine, { placement: FREE, placeUpTo: 5 })).toEqual({ ok: false, reason: 'conflict', head: 4, missing: [expect.objectContaining({ seq: 3 }), expect.objectContaining({ seq: 4 })] });
    expect(await store.head(sid)).toBe(4);
    expect(await store.commandSeq(sid, mine[0]?.commandId ?? '')).toBeNull();
    // Up to 6 it fits, and goes where it is placed.
    expect(await store.appendBatch(sid, mine, { placement: FREE, placeUpTo: 6 })).toMatchObject({ ok: true, seq: 6 });
    // Where it was planned, placeUpTo is not the store's to check (the writer checked the seqs it planned).
    expect(await store.appendBatch(sid, [entry(7)], { placement: FREE, placeUpTo: 5 })).toEqual({ ok: true, seq: 7 });
  });
}

/** Placement is whole or nothing, once per batch however many race; malformed batches are refused. */
function placedWholeCases(current: CurrentFixture): void {
  it('checks duplicates before placing a movable batch, and places it whole or not at all', async () => {
    const { store } = current();
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
    const { store, peer } = current();
    const sid = sessionId();
    const contenders = Array.from({ length: 12 }, () => [entry(1), entry(2)]);
    const results = await Promise.all(contenders.map((batch, i) => (i % 2 === 0 ? store : peer).appendBatch(sid, batch, { placement: FREE })));
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
    const { store } = current();
    const sid = sessionId();
    const one = entry(1);
    await expect(store.appendBatch(sid, [])).rejects.toThrow();
    await expect(store.appendBatch(sid, [one, entry(3)])).rejects.toThrow(/consecutive/);
    await expect(store.appendBatch(sid, [one, { ...entry(2), commandId: one.commandId }])).rejects.toThrow(/twice/);
    await expect(store.appendBatch(sid, [one, { ...entry(2), command: { type: 'NOT_A_COMMAND' } } as unknown as LogEntry])).rejects.toThrow();
    expect(await store.head(sid)).toBe(0);
    expect(await store.commandSeq(sid, one.commandId)).toBeNull();
  });
}
