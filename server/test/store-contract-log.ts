import type { LogEntry } from '@rubicon/shared';
import { expect, it } from 'vitest';
import type { CurrentFixture } from './store-contract.ts';
import { entry, sessionId } from './store-fixtures.ts';

/** The contract's `log` cases for single appends and reads: positions, command ids, races, pages, validation. */
export function logCases(current: CurrentFixture): void {
  appendCases(current);
  repeatCases(current);
  readCases(current);
}

/** Single appends: in order, the heads of several logs, and one at the wrong position. */
function appendCases(current: CurrentFixture): void {
  it('appends in order and reads back exactly what was appended', async () => {
    const { store, peer } = current();
    const sid = sessionId();
    expect(await store.head(sid)).toBe(0);
    expect(await store.readLog(sid, 0)).toEqual([]);
    const entries = [1, 2, 3].map((seq) => entry(seq));
    for (const e of entries) expect(await store.append(sid, e)).toEqual({ ok: true, seq: e.seq });
    expect(await store.head(sid)).toBe(3);
    expect(await peer.readLog(sid, 0)).toEqual(entries);
    expect(await store.commandSeq(sid, entries[1]?.commandId ?? '')).toBe(2);
    expect(await store.commandSeq(sid, 'never-sent')).toBeNull();
  });

  it('gives the heads of several logs at once, in the order asked, 0 for a log never written', async () => {
    const { store } = current();
    const [a, b, none] = [sessionId(), sessionId(), sessionId()];
    await store.appendBatch(a, [entry(1), entry(2), entry(3)]);
    await store.append(b, entry(1));
    expect(await store.heads([b, none, a])).toEqual([1, 0, 3]);
    expect(await store.heads([])).toEqual([]);
  });

  it('refuses an append at the wrong position with the current head, writing nothing', async () => {
    const { store } = current();
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
}

/** A command id appended again, and appends racing for one position. */
function repeatCases(current: CurrentFixture): void {
  it('refuses a command id already appended with its original seq, writing nothing', async () => {
    const { store } = current();
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
    const { store, peer } = current();
    const sid = sessionId();
    const contenders = Array.from({ length: 20 }, () => entry(1));
    const results = await Promise.all(contenders.map((e, i) => (i % 2 === 0 ? store : peer).append(sid, e)));
    const winners = results.flatMap((r, i) => (r.ok ? [contenders[i]] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) if (!r.ok) expect(r).toEqual({ ok: false, reason: 'conflict', head: 1 });
    expect(await store.readLog(sid, 0)).toEqual(winners);

    // The same command retried concurrently is appended once.
    const retried = entry(2);
    const retries = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : peer).append(sid, retried)));
    expect(retries.filter((r) => r.ok)).toHaveLength(1);
    for (const r of retries) if (!r.ok) expect(r).toEqual({ ok: false, reason: 'duplicate', seq: 2 });
    expect(await store.head(sid)).toBe(2);
  });
}

/** Reads after a seq and past a page, and an invalid entry refused. */
function readCases(current: CurrentFixture): void {
  it('reads exactly the entries after a given seq', async () => {
    const { store } = current();
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
    const { store } = current();
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

  it('refuses an entry that is not a valid LogEntry, writing nothing', async () => {
    const { store } = current();
    const sid = sessionId();
    const bad = { ...entry(1), command: { type: 'NOT_A_COMMAND' } } as unknown as LogEntry;
    await expect(store.append(sid, bad)).rejects.toThrow();
    expect(await store.head(sid)).toBe(0);
  });
}
