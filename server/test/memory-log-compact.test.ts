/**
 * The memory store keeps a session's log as columns (CompactLog), its command
 * ids as bytes outside the heap (IdArena) and finds them through an Int32Array
 * table (CommandIndex): an appended plain message leaves on the V8 heap only
 * its text, which the game's message holds anyway; not an entry object, a heap
 * number for its time, a Map's table slots, its command object or its command
 * id string (docs/performance/fan-out-log.md, "A compact log in the memory
 * store" and "Command ids and plain commands off the young generation's
 * path"). Only a heap snapshot counts what stays, so one test reads two.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { Actor, LogEntry } from '@rubicon/shared';
import { diffHeaps, readHeap } from '../bench/survivors/heap-diff.ts';
import { CommandIndex } from '../src/store/command-index.ts';
import { MemoryStore } from '../src/store/memory-store.ts';

const SEAT: Actor = { kind: 'seat', seat: 'iran' };

/** As the command path builds one: new objects, a time past the small-integer range, a fresh id and text. */
function entry(seq: number): LogEntry {
  return {
    seq,
    at: 1_764_900_000_000 + 250 * seq,
    by: SEAT,
    commandId: ['cmd', seq, 'x'].join('-'),
    command: { type: 'SEND_MESSAGE', channel: 'public', text: ['text of message', seq].join(' ') },
  };
}

async function appendRun(store: MemoryStore, from: number, count: number): Promise<void> {
  for (let seq = from; seq < from + count; seq++) {
    const r = await store.appendBatch('s', [entry(seq)], { parsed: true });
    if (!r.ok) throw new Error(`append ${seq} refused: ${r.reason}`);
  }
}

describe('the memory store\'s log', () => {
  it('keeps an appended plain message as its text only (about 1 heap object: no entry, command or command id)', async () => {
    const store = new MemoryStore();
    const COUNT = 3000;
    // Warm: the arrays past their first growths, the code compiled.
    await appendRun(store, 1, COUNT);
    const dir = mkdtempSync(join(tmpdir(), 'memory-log-'));
    try {
      // Both taken before either is read: a heap read in would be most of what the second one holds anew.
      const a = writeHeapSnapshot(join(dir, 'a.heapsnapshot'));
      await appendRun(store, COUNT + 1, COUNT);
      const b = writeHeapSnapshot(join(dir, 'b.heapsnapshot'));
      const diff = diffHeaps(readHeap(a), readHeap(b));
      const objects = diff.byKind.reduce((n, g) => n + g.count, 0) / COUNT;
      const entries = diff.byKind.find((g) => g.key.startsWith('{at,by,commandId,command'))?.count ?? 0;
      const numbers = diff.byKind.filter((g) => g.key.startsWith('number')).reduce((n, g) => n + g.count, 0);
      expect(entries).toBe(0);
      expect(numbers).toBeLessThan(COUNT / 10);
      // The text is the test's own; the command id's bytes and the channel's place lie outside the heap.
      expect(diff.byKind.find((g) => g.key.startsWith('{type,channel,text'))?.count ?? 0).toBe(0);
      expect(objects, JSON.stringify(diff.byKind.slice(0, 8))).toBeLessThan(1.5);
      expect(await store.head('s')).toBe(2 * COUNT);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads back what was appended, key for key and byte for byte, and finds each command id', async () => {
    const store = new MemoryStore();
    await appendRun(store, 1, 300);
    const log = await store.readLog('s', 0);
    expect(log.map((e) => JSON.stringify(e))).toEqual(Array.from({ length: 300 }, (_, i) => JSON.stringify(entry(i + 1))));
    expect((await store.readLog('s', 290)).map((e) => e.seq)).toEqual([291, 292, 293, 294, 295, 296, 297, 298, 299, 300]);
    expect(await store.readLog('s', Number.NaN)).toHaveLength(300);
    expect(await store.readLog('s', 400)).toEqual([]);
    for (let seq = 1; seq <= 300; seq++) expect(await store.commandSeq('s', entry(seq).commandId)).toBe(seq);
    expect(await store.commandSeq('s', 'cmd-301-x')).toBeNull();
    const again = await store.appendBatch('s', [{ ...entry(301), commandId: entry(17).commandId }], { parsed: true });
    expect(again).toEqual({ ok: false, reason: 'duplicate', duplicates: [{ index: 0, seq: 17 }] });
  });
});

describe('CommandIndex', () => {
  it('finds every id through its growths, answers undefined for others, and lets a later seq win', () => {
    const ids: string[] = [];
    const index = new CommandIndex((seq, id) => ids[seq - 1] === id);
    for (let seq = 1; seq <= 5000; seq++) {
      ids.push(seq % 7 === 0 ? `same-prefix-${seq}` : `${seq}`);
      index.set(ids[seq - 1] as string, seq);
    }
    expect(ids.every((id, i) => index.get(id) === i + 1)).toBe(true);
    expect(index.get('5001')).toBeUndefined();
    expect(index.get('')).toBeUndefined();
    ids.push('42');
    index.set('42', 5001);
    expect(index.get('42')).toBe(5001);
  });

  it('grows without reading any id back from the log: each id is hashed once, when it is set', () => {
    const ids: string[] = [];
    let reads = 0;
    const index = new CommandIndex((seq, id) => {
      reads++;
      return ids[seq - 1] === id;
    });
    // Distinct ids through six doublings (64 to 4096 slots): a probe reads an id back only on a kept hash's match.
    for (let seq = 1; seq <= 2000; seq++) {
      ids.push(`retained-s-${seq}`);
      index.set(ids[seq - 1] as string, seq);
    }
    expect(reads).toBe(0);
    expect(ids.every((id, i) => index.get(id) === i + 1)).toBe(true);
    expect(reads).toBe(2000);
  });
});
