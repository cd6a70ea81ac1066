/**
 * The memory store keeps the command path's entries as built, without
 * parsing them again (AppendOptions.parsed, append-batch.ts): these tests
 * hold the command path to building only entries the schema accepts, and the
 * memory store to its batch checks and to parsing everything else.
 */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { LogEntry, type Actor, type Command } from '@rubicon/shared';
import { createMetrics } from '../src/metrics.ts';
import { SessionDirectory } from '../src/session/session-directory.ts';
import { SessionService } from '../src/session/session-service.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import type { Scheduler } from '../src/store/types.ts';

const noScheduler: Scheduler = { schedule: async () => {}, cancel: async () => {}, start: () => {}, stop: async () => {} };
const logger = pino({ level: 'silent' });
const clock = { now: () => 1_712_000_000_000 };
const facilitator: Actor = { kind: 'facilitator' };
const SEATS = ['iran', 'israel', 'us', 'mediators'] as const;

describe('entries the command path appends in memory', () => {
  it('each parses as a LogEntry exactly as stored (no field added, none missing)', async () => {
    const store = new MemoryStore();
    const service = new SessionService({ store, scheduler: noScheduler, clock, logger, metrics: createMetrics(), snapshotEvery: 50 });
    const directory = new SessionDirectory(service, clock, logger);
    const { sessionId } = await directory.create({ scenarioId: 'april-2024', seed: 'entries', timerScale: 1, timerSeconds: {}, review: true, optionalSeats: [] });
    await service.execute(sessionId, facilitator, 'start', 0, { type: 'START' });
    await service.execute(sessionId, facilitator, 'advance', 1, { type: 'ADVANCE' });
    const sends = SEATS.map((seat, i) => {
      const actor: Actor = { kind: 'seat', seat, name: `Player ${i}` };
      const command: Command = { type: 'SEND_MESSAGE', channel: `team-${seat}`, text: `a word from ${seat}` };
      return service.execute(sessionId, actor, `m-${i}`, null, command, { atLeast: clock.now() + 5 });
    });
    await Promise.all(sends);
    await service.execute(sessionId, facilitator, 'pause', 2, { type: 'PAUSE' });
    await service.execute(sessionId, facilitator, 'resume', 3, { type: 'RESUME' });
    const log = await store.readLog(sessionId, 0);
    expect(log.length).toBeGreaterThanOrEqual(8);
    for (const entry of log) expect(LogEntry.parse(entry)).toEqual(entry);
  });
});

describe('the memory store with parsed entries', () => {
  const entry = (seq: number, commandId = `c-${seq}`): LogEntry => ({ seq, at: 1, by: facilitator, commandId, command: { type: 'PAUSE' } });

  it('still refuses a batch that is not one run of seqs with distinct ids', async () => {
    const store = new MemoryStore();
    await expect(store.appendBatch('s', [entry(1), entry(3)], { parsed: true })).rejects.toThrow(/consecutive/);
    await expect(store.appendBatch('s', [entry(1), entry(2, 'c-1')], { parsed: true })).rejects.toThrow(/twice/);
    expect(await store.head('s')).toBe(0);
  });

  it('answers an append at once, not as a promise (the command path awaits nothing for it); a refused batch still rejects', async () => {
    const store = new MemoryStore();
    const written = store.appendBatch('s', [entry(1), entry(2)], { parsed: true });
    expect(written).not.toBeInstanceOf(Promise);
    expect(written).toEqual({ ok: true, seq: 2 });
    expect(store.appendBatch('s', [entry(2, 'c-9')], { parsed: true })).toEqual({ ok: false, reason: 'conflict', head: 2, missing: [entry(2)] });
    expect(store.appendBatch('s', [entry(3, 'c-1')], { parsed: true })).toEqual({ ok: false, reason: 'duplicate', duplicates: [{ index: 0, seq: 1 }] });
    const refused = store.appendBatch('s', [entry(3), entry(5)], { parsed: true });
    expect(refused).toBeInstanceOf(Promise);
    await expect(refused).rejects.toThrow(/consecutive/);
  });

  it('parses entries not marked as the command path built them', async () => {
    const store = new MemoryStore();
    const odd = { ...entry(1), extra: true } as LogEntry;
    await expect(store.appendBatch('s', [odd])).rejects.toThrow();
    expect(await store.appendBatch('s', [odd], { parsed: true })).toEqual({ ok: true, seq: 1 });
  });
});
