/**
 * The memory store's readLog hands out new entries over the stored actors and commands, frozen, not a
 * structuredClone of the log (15-31 ms of the serving thread for 8,000 entries in every export). Whatever a
 * reader does to what it got, the store's log stays as appended, and a change to a stored object fails loudly.
 */
import { describe, expect, it } from 'vitest';
import type { Actor, LogEntry } from '@rubicon/shared';
import { MemoryStore } from '../src/store/memory-store.ts';

/** As the command path builds one: the caller's own objects, kept by the store as handed in (parsed: true). */
function entry(seq: number): LogEntry {
  const by: Actor = { kind: 'seat', seat: 'iran' };
  return { seq, at: 1_764_900_000_000 + seq, by, commandId: `cmd-${seq}`, command: { type: 'SEND_MESSAGE', channel: 'public', text: `message ${seq}` } };
}

async function storeOf(count: number): Promise<MemoryStore> {
  const store = new MemoryStore();
  for (let seq = 1; seq <= count; seq++) {
    const r = await store.appendBatch('s', [entry(seq)], { parsed: true });
    if (!r.ok) throw new Error(`append ${seq} refused: ${r.reason}`);
  }
  return store;
}

describe('the memory store\'s readLog', () => {
  it('hands out the stored commands frozen: a reader changes its own array and entries, never the store', async () => {
    const store = await storeOf(5);
    const readonlyRead = await store.readLog('s', 0);
    // The store's type says readonly (tsc -p server checks these): the stored parts of an entry are frozen.
    // @ts-expect-error readLog's entries are readonly
    expect(() => (readonlyRead[0]!.command = { type: 'START' })).not.toThrow();
    // At run time the array and the entry objects are the reader's own, made for this read: changing them
    // (against the type, as a careless caller might) changes nothing stored.
    const read = readonlyRead as LogEntry[];
    const [first] = read as [LogEntry];
    read.push(entry(99));
    read.reverse();
    first.seq = 42;
    first.commandId = 'changed';
    first.by = { kind: 'facilitator' };
    // What the store holds is frozen: a change throws (these modules are strict) and changes nothing.
    const again = await store.readLog('s', 0);
    const stored = again[0] as LogEntry;
    expect(() => ((stored.command as { text: string }).text = 'changed')).toThrow(TypeError);
    expect(() => ((stored.by as { seat: string }).seat = 'israel')).toThrow(TypeError);
    expect(() => Object.assign(stored.command, { channel: 'private' })).toThrow(TypeError);
    expect(await store.readLog('s', 0)).toEqual([1, 2, 3, 4, 5].map(entry));
    expect(await store.readLog('s', 3)).toEqual([4, 5].map(entry));
  });

  it('copies nothing it holds: two reads share the stored actors and commands, a plain message\'s text included', async () => {
    const store = await storeOf(3);
    const extend: LogEntry = { seq: 4, at: 1_764_900_000_004, by: { kind: 'facilitator' }, commandId: 'cmd-4', command: { type: 'EXTEND_TIMER', seconds: 60 } };
    await store.appendBatch('s', [extend], { parsed: true });
    const [a, b] = [await store.readLog('s', 0), await store.readLog('s', 1)];
    expect(a[1]).not.toBe(b[0]);
    expect(a[1]?.by).toBe(b[0]?.by);
    // A command kept whole is the stored object in every read.
    expect(a[3]?.command).toBe(b[2]?.command);
    // A plain public message's command is made again at each read from what the log keeps (its text, the
    // very string appended, and its channel's place; compact-log.ts), so the two reads hold equal frozen
    // commands over one text, not a copy of it.
    const [m1, m2] = [a[1]?.command, b[0]?.command] as [{ text: string }, { text: string }];
    expect(m1).toEqual(m2);
    expect(Object.isFrozen(m1) && Object.isFrozen(m2)).toBe(true);
    expect(m1.text).toBe('message 2');
    // An entry appended after a read is frozen by the next read of it.
    await store.appendBatch('s', [entry(5)], { parsed: true });
    const [fifth] = await store.readLog('s', 4);
    expect(Object.isFrozen(fifth?.command)).toBe(true);
    expect(Object.isFrozen(fifth?.by)).toBe(true);
    expect(fifth).toEqual(entry(5));
  });
});
