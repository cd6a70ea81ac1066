/**
 * How a process catches up with what another appended. The append notice,
 * published by the append script itself, carries the appended entries, so a process holding the session applies
 * them without reading the log; a gap, a notice without entries or one that
 * does not parse falls back to the read. The log poll (for lost notices)
 * asks the heads of all its sessions' logs at once and catches up only the
 * copies behind. Two services on one store stand for two processes.
 */
import { describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import type { Command, LogEntry } from '@rubicon/shared';
import { createMetrics } from '../src/metrics.ts';
import { SessionDirectory } from '../src/session/session-directory.ts';
import { SessionService, type AppliedEvent } from '../src/session/session-service.ts';
import type { ActingActor } from '../src/session/access.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import type { Scheduler } from '../src/store/types.ts';
import { NOTICE_ENTRIES_MAX, readNotice, type AppendNotice } from '../src/store/append-notice.ts';
import { createStores } from '../src/store/index.ts';
import { REDIS_URL, deleteRedisKeys, uniquePrefix } from './harness.ts';
import { entry } from './store-fixtures.ts';

const noScheduler: Scheduler = { schedule: async () => {}, cancel: async () => {}, start: () => {}, stop: async () => {} };
const logger = pino({ level: 'silent' });
const clock = { now: () => 1_712_000_000_000 };
const facilitator: ActingActor = { kind: 'facilitator' };
const iran: ActingActor = { kind: 'seat', seat: 'iran' };
const message = (i: number): Command => ({ type: 'SEND_MESSAGE', channel: 'public', text: `message ${i}` });

const serviceOn = (store: MemoryStore) => new SessionService({ store, scheduler: noScheduler, clock, logger, metrics: createMetrics(), snapshotEvery: 50 });

/** Two services on one store, a session in its first beat, held by both; `writer` appends, `reader` follows. */
async function twoProcesses() {
  const store = new MemoryStore();
  const writer = serviceOn(store);
  const reader = serviceOn(store);
  const { sessionId } = await new SessionDirectory(writer, clock, logger).create({ scenarioId: 'april-2024', seed: 'notice', timerScale: 1, timerSeconds: {}, review: true, optionalSeats: [] });
  await writer.execute(sessionId, facilitator, 'start', 0, { type: 'START' });
  await writer.execute(sessionId, facilitator, 'advance', 1, { type: 'ADVANCE' });
  await reader.withSession(sessionId, () => {});
  const appended: LogEntry[] = [];
  writer.onApplied((e: AppliedEvent) => appended.push(e.entry));
  const applied: number[] = [];
  reader.onApplied((e: AppliedEvent) => applied.push(e.entry.seq));
  const send = (n: number) => Promise.all(Array.from({ length: n }, (_, i) => writer.execute(sessionId, iran, `m-${appended.length + i}`, null, message(i))));
  return { store, reader, sessionId, appended, applied, send, reads: vi.spyOn(store, 'readLog') };
}

type Heard = { sessionId: string; version: number; entries: LogEntry[] | null };
const heard = (n: AppendNotice | null): Heard | null => n && { sessionId: n.sessionId, version: n.version, entries: n.entries() };

describe('the append notice', () => {
  it('is published by the append itself, with its entries, to every other store on the Redis but not the writer', async () => {
    const prefix = uniquePrefix('notice');
    const [a, b] = [await createStores({ redisUrl: REDIS_URL, prefix, clock, pollMs: 60_000 }), await createStores({ redisUrl: REDIS_URL, prefix, clock, pollMs: 60_000 })];
    try {
      const heardByA: (Heard | null)[] = [];
      const heardByB: (Heard | null)[] = [];
      const stopA = await a.store.followAppends((n) => heardByA.push(heard(n)));
      await b.store.followAppends((n) => heardByB.push(heard(n)));
      const batch = [entry(1), entry(2)];
      expect(await a.store.appendBatch('s1', batch)).toEqual({ ok: true, seq: 2 });
      // Refused appends publish nothing.
      expect(await a.store.append('s1', entry(2))).toMatchObject({ ok: false, reason: 'conflict' });
      const big = Array.from({ length: NOTICE_ENTRIES_MAX + 1 }, (_, i) => entry(i + 1));
      expect(await a.store.appendBatch('s2', big)).toEqual({ ok: true, seq: NOTICE_ENTRIES_MAX + 1 });
      await stopA();
      await b.store.append('s1', entry(3));
      await vi.waitFor(() => expect(heardByB).toHaveLength(2));
      expect(heardByB).toEqual([
        { sessionId: 's1', version: 2, entries: batch },
        { sessionId: 's2', version: NOTICE_ENTRIES_MAX + 1, entries: null },
      ]);
      // A skips its own notices, and hears nothing once stopped.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(heardByA).toEqual([]);
    } finally {
      await a.close();
      await b.close();
      await deleteRedisKeys(prefix);
    }
  });

  it('is read as carrying no entries when they do not parse, and not at all when it is not a notice', () => {
    const one = entry(3);
    expect(heard(readNotice(`w\ns1\n3\n${JSON.stringify([one])}`, 'me'))).toEqual({ sessionId: 's1', version: 3, entries: [one] });
    expect(readNotice(`me\ns1\n3\n${JSON.stringify([one])}`, 'me')).toBeNull();
    expect(heard(readNotice('w\ns1\n3\n', 'me'))).toEqual({ sessionId: 's1', version: 3, entries: null });
    expect(heard(readNotice('w\ns1\n3\nnot json', 'me'))).toEqual({ sessionId: 's1', version: 3, entries: null });
    expect(heard(readNotice('w\ns1\n3\n[{"seq":"x"}]', 'me'))).toEqual({ sessionId: 's1', version: 3, entries: null });
    expect(heard(readNotice('w\ns1\n3\n[]', 'me'))).toEqual({ sessionId: 's1', version: 3, entries: null });
    expect(readNotice('w\ns1\nx\n[]', 'me')).toBeNull();
    expect(readNotice('w\ns1\n[]', 'me')).toBeNull();
    expect(readNotice('no notice', 'me')).toBeNull();
  });
});

describe('catching up from a notice', () => {
  it('applies the handed entries in order without reading the log', async () => {
    const p = await twoProcesses();
    await p.send(3);
    await p.reader.refresh(p.sessionId, p.appended);
    expect(p.reads).not.toHaveBeenCalled();
    expect(p.applied).toEqual([3, 4, 5]);
    expect(p.reader.peek(p.sessionId)?.state.version).toBe(5);
  });

  it('reads the log when the handed entries leave a gap before them', async () => {
    const p = await twoProcesses();
    await p.send(3);
    await p.reader.refresh(p.sessionId, p.appended.slice(2));
    expect(p.reads).toHaveBeenCalledTimes(1);
    expect(p.applied).toEqual([3, 4, 5]);
  });

  it('applies entries it already has only once, and takes notices that came out of log order', async () => {
    const p = await twoProcesses();
    await p.send(2);
    await p.reader.refresh(p.sessionId, p.appended.slice(0, 1));
    await p.send(1);
    const [second, third] = [p.appended.slice(1, 2), p.appended.slice(2, 3)];
    await Promise.all([p.reader.refresh(p.sessionId, third), p.reader.refresh(p.sessionId, second)]);
    expect(p.reads).not.toHaveBeenCalled();
    expect(p.applied).toEqual([3, 4, 5]);
  });

  it('still reads the log when a catch-up without entries (the poll, an older process) shares the queued one', async () => {
    const p = await twoProcesses();
    await p.send(2);
    await Promise.all([p.reader.refresh(p.sessionId), p.reader.refresh(p.sessionId, p.appended)]);
    expect(p.reads).toHaveBeenCalledTimes(1);
    expect(p.applied).toEqual([3, 4]);
  });
});

describe('the log poll', () => {
  it('finds the copies behind their log with one look at all the heads, reading no log', async () => {
    const p = await twoProcesses();
    const heads = vi.spyOn(p.store, 'heads');
    expect(await p.reader.behind([p.sessionId, 'not-held'])).toEqual([]);
    await p.send(2);
    expect(await p.reader.behind(new Set([p.sessionId, 'not-held']))).toEqual([p.sessionId]);
    expect(heads).toHaveBeenCalledTimes(2);
    expect(heads).toHaveBeenLastCalledWith([p.sessionId]);
    expect(p.reads).not.toHaveBeenCalled();
    await p.reader.refresh(p.sessionId);
    expect(await p.reader.behind([p.sessionId])).toEqual([]);
    expect(await p.reader.behind([])).toEqual([]);
    expect(heads).toHaveBeenCalledTimes(3);
  });
});

describe('callers of withSession queued together', () => {
  it('share one read of the log sent after they asked, rather than each reading in turn', async () => {
    const p = await twoProcesses();
    await p.send(2);
    const versions = await Promise.all(Array.from({ length: 20 }, () => p.reader.withSession(p.sessionId, (s) => s.state.version)));
    // Before, each of the 20 read the log in turn, holding the session's queue for a round trip each.
    expect(p.reads).toHaveBeenCalledTimes(1);
    expect(versions).toEqual(Array.from({ length: 20 }, () => 4));
    // One who asks after that read was sent reads again, and sees what was appended since.
    await p.send(1);
    expect(await p.reader.withSession(p.sessionId, (s) => s.state.version)).toBe(5);
    expect(p.reads).toHaveBeenCalledTimes(2);
  });

  it('are not served by a read sent before they asked, though it is answered after', async () => {
    const p = await twoProcesses();
    const original = MemoryStore.prototype.readLog.bind(p.store);
    let sent!: () => void;
    const wasSent = new Promise<void>((resolve) => (sent = resolve));
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    // The first read takes the log as it is when sent, and its answer is held back.
    p.reads.mockImplementationOnce(async (sessionId, after) => {
      const entries = await original(sessionId, after);
      sent();
      await answered;
      return entries;
    });
    const first = p.reader.withSession(p.sessionId, (s) => s.state.version);
    await wasSent;
    await p.send(1);
    const second = p.reader.withSession(p.sessionId, (s) => s.state.version);
    answer();
    expect(await first).toBe(2);
    expect(await second).toBe(3);
    expect(p.reads).toHaveBeenCalledTimes(2);
  });
});
