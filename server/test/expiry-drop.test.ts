/** A socket that only listens is dropped when its session's tokens expire, on every process holding the session; a rewind before then cancels it. */
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command, SessionSummary } from '@rubicon/shared';
import { createMetrics } from '../src/metrics.ts';
import { SessionDirectory } from '../src/session/session-directory.ts';
import { SessionService } from '../src/session/session-service.ts';
import { dropAtExpiry } from '../src/socket/expiry-drops.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import type { DueTimer, Scheduler } from '../src/store/types.ts';
import { TestClient, api, seatTable, startServer, uniquePrefix, type TestServer } from './harness.ts';

const TTL_MS = 1500;
/** How late after the expiry a drop may come: the expiry polls every TIMER_POLL_MS (20 in tests), the rest is the machine's load. */
const LATE_BOUND_MS = 1000;

const scenario = shippedScenario('april-2024');

describe.each(['memory', 'redis'] as const)('on %s', (backend) => {
  // With Redis, two processes share the session: the observer listens on the second, which never sees a command.
  let servers: TestServer[] = [];
  beforeAll(async () => {
    const prefix = uniquePrefix('expiry');
    const env = { TOKEN_TTL_AFTER_END_MS: String(TTL_MS) };
    servers = [await startServer({ backend, prefix, env })];
    if (backend === 'redis') servers.push(await startServer({ backend, prefix, env }));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  async function endedTable() {
    const [a, b] = servers;
    const t = await seatTable(a!.url, {}, (role) => (role === 'observer' && b ? b.url : a!.url));
    await t.facilitator.must({ type: 'START' });
    await t.facilitator.untilVersion(1);
    // Into the first beat, so that there is a checkpoint to rewind to.
    await t.facilitator.must({ type: 'ADVANCE' });
    await t.facilitator.untilVersion(2);
    await t.facilitator.must({ type: 'END_GAME', outcome: scenario.outcomes[0]!.id, reason: 'time is up' });
    const summary = await api<SessionSummary>(a!.url, `/api/sessions/${t.session.sessionId}`, { token: t.session.facilitatorToken });
    return { t, endedAt: summary.body.endedAt! };
  }

  /** When (wall clock) and why the socket is dropped. */
  const dropped = (c: TestClient) => new Promise<{ at: number; reason: string }>((resolve) => c.socket.once('disconnect', (reason) => resolve({ at: Date.now(), reason })));

  it('drops every socket of the session, those that never sent anything included, soon after the expiry and not before', async () => {
    const { t, endedAt } = await endedTable();
    const drops = await Promise.all(t.all().map(dropped));
    for (const d of drops) {
      expect(d.reason).toBe('io server disconnect');
      expect(d.at).toBeGreaterThan(endedAt + TTL_MS);
      expect(d.at - (endedAt + TTL_MS)).toBeLessThan(LATE_BOUND_MS);
    }
    // Reconnecting does not help: the hello is refused.
    const again = new TestClient(servers.at(-1)!.url, t.session.sessionId, t.tokens.observer, 'observer-again');
    const hello = await again.hello();
    expect(!hello.ok && hello.error.code).toBe('unauthorized');
    again.close();
    t.close();
  });

  it('is cancelled by a rewind before the expiry: the sockets stay, and their tokens work', async () => {
    const { t, endedAt } = await endedTable();
    const drops = t.all().map((c) => {
      let gone = false;
      c.socket.once('disconnect', () => (gone = true));
      return () => gone;
    });
    await t.facilitator.must({ type: 'REWIND', beat: scenario.beats[0]!.id });
    // Past the old expiry and its bound.
    await new Promise((r) => setTimeout(r, endedAt + TTL_MS + LATE_BOUND_MS - Date.now()));
    expect(drops.map((gone) => gone())).toEqual(t.all().map(() => false));
    const sync = await t.observer.sync();
    expect(sync.ok).toBe(true);
    t.close();
  });
});

/** Holds what is armed; the test fires it (as the poll would) with `fire`. */
class RecordingScheduler implements Scheduler {
  pending = new Map<string, DueTimer>();
  private onDue: ((timer: DueTimer) => Promise<void>) | null = null;
  async schedule(timer: DueTimer) {
    this.pending.set(timer.sessionId, timer);
  }
  async cancel(sessionId: string) {
    this.pending.delete(sessionId);
  }
  start(onDue: (timer: DueTimer) => Promise<void>) {
    this.onDue = onDue;
  }
  async stop() {}
  /** Delivers the session's pending expiry, removed first as MemoryScheduler does. */
  async fire(sessionId: string) {
    const due = this.pending.get(sessionId)!;
    this.pending.delete(sessionId);
    await this.onDue!(due);
  }
}

describe('arming, without sockets', () => {
  const TTL = 60_000;
  const STORE_TIMEOUT_MS = 400;
  let now = 1_712_000_000_000;
  const clock = { now: () => now };
  const store = new MemoryStore();
  const logger = pino({ level: 'silent' });
  const fac = { kind: 'facilitator' } as const;

  /** One server process on the shared store: its service, its expiries, and the sessions it dropped. */
  function serverProcess() {
    const service = new SessionService({ store, scheduler: new RecordingScheduler(), clock, logger, metrics: createMetrics(), snapshotEvery: 5 });
    const directory = new SessionDirectory(service, clock, logger, undefined, { codeGraceMs: TTL, tokenTtlAfterEndMs: TTL, maxPlayersPerSeat: 0 });
    const expiries = new RecordingScheduler();
    const dropped: string[] = [];
    dropAtExpiry({ service, expiry: directory.expiry, scheduler: expiries, drop: (id) => dropped.push(id), log: logger, storeTimeoutMs: STORE_TIMEOUT_MS });
    let n = 0;
    const run = async (sessionId: string, command: Command) =>
      service.execute(sessionId, fac, `${command.type.toLowerCase()}-${now}-${n++}`, null, command);
    return { service, directory, expiries, dropped, run };
  }

  const end: Command = { type: 'END_GAME', outcome: scenario.outcomes[0]!.id, reason: 'time is up' };

  async function endedSession() {
    const a = serverProcess();
    const { sessionId } = await a.directory.create({ scenarioId: 'april-2024', seed: 's', timerScale: 1, timerSeconds: {}, review: true, optionalSeats: [] });
    await a.run(sessionId, { type: 'START' });
    await a.run(sessionId, { type: 'ADVANCE' });
    expect(a.expiries.pending.size).toBe(0);
    await a.run(sessionId, end);
    return { a, sessionId, at: now + TTL + 1 };
  }

  it('arms when the game ends and when a process loads a session that ended; fires only once the log says expired', async () => {
    const { a, sessionId, at } = await endedSession();
    expect(a.expiries.pending.get(sessionId)?.at).toBe(at);
    // A snapshot at the end: the other process loads the ended state and applies no entry that ends it.
    await a.service.flush();
    const b = serverProcess();
    await b.service.withSession(sessionId, () => null);
    expect(b.expiries.pending.get(sessionId)?.at).toBe(at);
    // Fired early (a clock that runs ahead of the scheduler's): nothing is dropped, and it is armed again.
    await b.expiries.fire(sessionId);
    expect([b.dropped, b.expiries.pending.get(sessionId)?.at]).toEqual([[], at]);
    now = at;
    await b.expiries.fire(sessionId);
    expect(b.dropped).toEqual([sessionId]);
    expect(b.expiries.pending.size).toBe(0);
  });

  it('is cancelled by a rewind, also where it comes due on a process that had not heard of the rewind', async () => {
    const { a, sessionId, at } = await endedSession();
    const b = serverProcess();
    await b.service.withSession(sessionId, () => null);
    await a.run(sessionId, { type: 'REWIND', beat: scenario.beats[0]!.id });
    expect(a.expiries.pending.has(sessionId)).toBe(false);
    now = at;
    await b.expiries.fire(sessionId);
    expect(b.dropped).toEqual([]);
    expect(b.expiries.pending.has(sessionId)).toBe(false);
    // Ended again: armed from the new end.
    await a.run(sessionId, end);
    expect(a.expiries.pending.get(sessionId)?.at).toBe(now + TTL + 1);
  });

  it('waits STORE_TIMEOUT_MS at most for a stalled expiry read, keeps the sockets, does not read again while it stalls, and drops once it is known', async () => {
    const { a, sessionId, at } = await endedSession();
    now = at;
    const original = store.readLog;
    let reads = 0;
    // The session's next read of its log (the expiry's read catches the held copy up) is held 3 s.
    store.readLog = async (id, after) => {
      if (id === sessionId && reads++ === 0) await new Promise((resolve) => setTimeout(resolve, 3000));
      return original.call(store, id, after);
    };
    try {
      const started = performance.now();
      await a.expiries.fire(sessionId);
      expect(performance.now() - started).toBeLessThan(STORE_TIMEOUT_MS + 1000);
      expect([a.dropped, a.expiries.pending.get(sessionId)?.at]).toEqual([[], at]);
      // A later poll while the read still stalls: no second read queued behind it, and armed again.
      await a.expiries.fire(sessionId);
      expect([reads, a.dropped, a.expiries.pending.get(sessionId)?.at]).toEqual([1, [], at]);
    } finally {
      store.readLog = original;
    }
    // Behind the stalled read in the session's queue: it has answered once this has.
    await a.service.withSession(sessionId, () => null);
    await a.expiries.fire(sessionId);
    expect(a.dropped).toEqual([sessionId]);
  });

  it('is cancelled when the process evicts the session, and an expiry due after that loads nothing', async () => {
    const { a, sessionId } = await endedSession();
    const due = a.expiries.pending.get(sessionId)!;
    now += 1;
    await a.service.evictIdle(0, new Set());
    expect(a.service.peek(sessionId)).toBeUndefined();
    expect(a.expiries.pending.has(sessionId)).toBe(false);
    await a.expiries.schedule(due);
    now = due.at;
    await a.expiries.fire(sessionId);
    expect([a.dropped, a.service.peek(sessionId)]).toEqual([[], undefined]);
  });
});
