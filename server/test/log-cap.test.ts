/**
 * A session's log has a cap (MAX_LOG_ENTRIES): plain commands stop LOG_CONTROL_RESERVE entries before it, the
 * white cell's game controls at it, each refused `log_full` with nothing written; on either store, with two
 * services (two processes' copies) writing one session, and for a log brought in whole (a branch).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Command } from '@rubicon/shared';
import { createMetrics } from '../src/metrics.ts';
import { loadConfig } from '../src/config.ts';
import { DEFAULT_LOG_CAP, type LogCap } from '../src/session/log-cap.ts';
import { SessionDirectory } from '../src/session/session-directory.ts';
import { SessionService } from '../src/session/session-service.ts';
import { ServiceError } from '../src/session/service-error.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { createStores, type Stores } from '../src/store/index.ts';
import type { Scheduler, SessionStore } from '../src/store/types.ts';
import { REDIS_URL, deleteRedisKeys, uniquePrefix } from './harness.ts';
import { clock, facilitator, message, seat, sessionInPlay } from './write-batches-fixture.ts';

const noScheduler: Scheduler = { schedule: async () => {}, cancel: async () => {}, start: () => {}, stop: async () => {} };
const logger = pino({ level: 'silent' });
/** Plain commands up to seq 5, the white cell's controls up to 8. sessionInPlay leaves the log at 2. */
const SMALL: LogCap = { maxEntries: 8, controlReserve: 3 };
const PAUSE: Command = { type: 'PAUSE' };
const RESUME: Command = { type: 'RESUME' };

const serviceOn = (store: SessionStore, logCap: LogCap = SMALL) =>
  new SessionService({ store, scheduler: noScheduler, clock, logger, metrics: createMetrics(), snapshotEvery: 50, logCap });

/** The code a command was refused with (or 'taken'). */
async function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'taken',
    (err: unknown) => (err instanceof ServiceError ? err.code : String(err)),
  );
}

function capCases(name: string, makeStore: () => Promise<SessionStore>): void {
  describe(`the log cap on the ${name} store`, () => {
    it('refuses plain commands past the plain ceiling and controls past the cap, log_full, writing nothing', async () => {
      const store = await makeStore();
      const service = serviceOn(store);
      const sessionId = await sessionInPlay(service);
      for (let i = 3; i <= 5; i++) expect(await outcome(service.execute(sessionId, seat(i), `m-${i}`, null, message(i)))).toBe('taken');
      expect(await store.head(sessionId)).toBe(5);
      // A seat's message and the facilitator's own message alike stop at the plain ceiling.
      expect(await outcome(service.execute(sessionId, seat(0), 'm-6', null, message(0)))).toBe('log_full');
      expect(await outcome(service.execute(sessionId, facilitator, 'f-msg', null, { type: 'SEND_MESSAGE', channel: 'public', text: 'hi' }))).toBe('log_full');
      expect(await store.head(sessionId)).toBe(5);
      expect(await store.commandSeq(sessionId, 'm-6')).toBeNull();
      // The white cell's controls go on into the reserve, up to the cap itself.
      expect(await outcome(service.execute(sessionId, facilitator, 'c-6', null, PAUSE))).toBe('taken');
      expect(await outcome(service.execute(sessionId, facilitator, 'c-7', null, RESUME))).toBe('taken');
      expect(await outcome(service.execute(sessionId, facilitator, 'c-8', null, PAUSE))).toBe('taken');
      const over = await service.execute(sessionId, facilitator, 'c-9', null, RESUME).catch((err: unknown) => err);
      expect(over).toBeInstanceOf(ServiceError);
      expect((over as ServiceError).code).toBe('log_full');
      expect((over as ServiceError).message).toMatch(/MAX_LOG_ENTRIES/);
      expect(await store.head(sessionId)).toBe(8);
      // A retry of a command taken before the cap is still answered as the duplicate it is.
      expect(await service.execute(sessionId, seat(3), 'm-3', null, message(3))).toMatchObject({ version: 3, duplicate: true });
    });

    it('holds for a second process whose copy is behind: its message is not placed past the ceiling', async () => {
      const store = await makeStore();
      const a = serviceOn(store);
      const b = serviceOn(store);
      const sessionId = await sessionInPlay(a);
      // B's copy stands at 3; A takes the log to the plain ceiling without B hearing of it.
      expect(await outcome(b.execute(sessionId, seat(0), 'b-3', null, message(0)))).toBe('taken');
      for (let i = 4; i <= 5; i++) expect(await outcome(a.execute(sessionId, seat(i), `a-${i}`, null, message(i)))).toBe('taken');
      // Planned at 4 on B's copy, a free message could be placed at the head (6): the cap keeps it out.
      expect(await outcome(b.execute(sessionId, seat(1), 'b-late', null, message(1)))).toBe('log_full');
      expect(await store.head(sessionId)).toBe(5);
      expect(await store.commandSeq(sessionId, 'b-late')).toBeNull();
    });

    it('refuses a branch whose log is longer than the cap before storing anything', async () => {
      const store = await makeStore();
      const roomy = serviceOn(store, DEFAULT_LOG_CAP);
      const sessionId = await sessionInPlay(roomy);
      for (let i = 3; i <= 7; i++) await roomy.execute(sessionId, seat(i), `m-${i}`, null, message(i));
      const tight = new SessionDirectory(serviceOn(store, { maxEntries: 6, controlReserve: 1 }), clock, logger);
      const before = await store.listSessions(100);
      const refused = await tight.branch(sessionId, 7, undefined).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(ServiceError);
      expect((refused as ServiceError).code).toBe('too_large');
      expect((refused as ServiceError).message).toMatch(/The log has \d+ entries; a session on this server holds at most 6 \(MAX_LOG_ENTRIES\)/);
      expect((await store.listSessions(100)).length).toBe(before.length);
      // Within the cap it fits (a branch of a running beat adds its PAUSE: 5 entries become 6).
      expect((await tight.branch(sessionId, 5, undefined)).sessionId).toEqual(expect.any(String));
    });
  });
}

capCases('memory', async () => new MemoryStore());

const prefix = uniquePrefix('retain-log-cap');
const opened: Stores[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await deleteRedisKeys(prefix);
});
capCases('redis', async () => {
  const stores = await createStores({ redisUrl: REDIS_URL, prefix, clock, pollMs: 60_000 });
  opened.push(stores);
  return stores.store;
});

describe('MAX_LOG_ENTRIES and LOG_CONTROL_RESERVE', () => {
  it('default to a cap every file MAX_IMPORT_BYTES lets in fits under: the smallest valid entry is ~160 bytes', () => {
    const config = loadConfig({});
    expect(config.logCap).toEqual(DEFAULT_LOG_CAP);
    // The smallest entry a session file can carry: a facilitator's PAUSE, one-character id, `at` 0, its sha-256 hash.
    const smallest = JSON.stringify({ seq: 1, at: 0, by: { kind: 'facilitator' }, commandId: 'c', command: { type: 'PAUSE' }, hash: 'f'.repeat(64) });
    expect(Math.floor(config.maxImportBytes / smallest.length)).toBeLessThan(config.logCap.maxEntries);
  });

  it('are read from the environment, the reserve never more than the cap', () => {
    expect(loadConfig({ MAX_LOG_ENTRIES: '100', LOG_CONTROL_RESERVE: '10' }).logCap).toEqual({ maxEntries: 100, controlReserve: 10 });
    expect(loadConfig({ MAX_LOG_ENTRIES: '5', LOG_CONTROL_RESERVE: '10' }).logCap).toEqual({ maxEntries: 5, controlReserve: 5 });
    expect(() => loadConfig({ MAX_LOG_ENTRIES: '0' })).toThrow(/MAX_LOG_ENTRIES/);
  });
});
