import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { createClient, type RedisClientType } from 'redis';
import { describe, expect, it, vi } from 'vitest';
import { createStores } from '../src/store/index.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { RedisScheduler } from '../src/store/redis-scheduler.ts';
import { RedisStore } from '../src/store/redis-store.ts';
import { STAGE_IMPORT } from '../src/store/redis-scripts.ts';
import { RedisGate } from '../src/store/redis-availability.ts';
import { OutageLog } from '../src/store/redis-health.ts';
import type { Logger } from '../src/logger.ts';
import type { DueTimer } from '../src/store/types.ts';
import { freePort } from './faults/private-redis.ts';
import { CONTRACT_POLL_MS, fakeClock, polls, schedulerContract } from './scheduler-contract.ts';
import { sessionStoreContract } from './store-contract.ts';
import { entry, sessionMeta, snapshot } from './store-fixtures.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Every key this file writes starts with this, so parallel runs on one Redis never meet. */
const RUN = `test-store-${nanoid(8)}`;

const freshPrefix = (): string => `${RUN}-${nanoid(6)}:`;

async function connect(url = REDIS_URL): Promise<RedisClientType> {
  const client: RedisClientType = createClient({ url });
  // Dropped connections are expected in some tests; without a listener they would crash the run.
  client.on('error', () => {});
  await client.connect();
  return client;
}

async function deleteKeys(client: RedisClientType, prefix: string): Promise<void> {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if (keys.length > 0) await client.del(keys);
  }
}

sessionStoreContract('redis', async () => {
  const prefix = freshPrefix();
  // Two connections, so that races between the two stores are real races on the server.
  const [a, b] = await Promise.all([connect(), connect()]);
  return {
    store: new RedisStore({ client: a, prefix }),
    peer: new RedisStore({ client: b, prefix }),
    cleanup: async () => {
      await deleteKeys(a, prefix);
      await Promise.all([a.close(), b.close()]);
    },
  };
});

schedulerContract('redis', async (clock) => {
  const prefix = freshPrefix();
  const clients: RedisClientType[] = [];
  return {
    // One connection per scheduler, as if each were its own process.
    create: async (onError) => {
      const client = await connect();
      clients.push(client);
      return new RedisScheduler({ client, prefix, clock, pollMs: CONTRACT_POLL_MS, onError });
    },
    shared: true,
    cleanup: async () => {
      const client = await connect();
      await deleteKeys(client, prefix);
      await Promise.all([client, ...clients].map((c) => c.close()));
    },
  };
});

describe('RedisStore append with limits', () => {
  it('writes and counts a batch only if every entry fits its limits, in order, in rate-limiter-flexible\'s layout', async () => {
    const client = await connect();
    const prefix = freshPrefix();
    const store = new RedisStore({ client, prefix });
    try {
      const meta = sessionMeta();
      await store.createSession(meta);
      const id = meta.sessionId;
      const [seat, session] = [`${prefix}limit:seat:iran`, `${prefix}limit:session:${id}`];
      const limit = { keys: [seat, session], links: [{ points: 3, windowSeconds: 60 }, { points: 4, windowSeconds: 60 }] };
      const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => entry(from + i));

      // Two entries fit: written, and counted once each.
      expect(await store.appendBatch(id, batch(1, 2), { limits: [limit, limit] })).toEqual({ ok: true, seq: 2 });
      expect([await client.get(seat), await client.get(session)]).toEqual(['2', '2']);
      expect(await client.ttl(seat)).toBeGreaterThan(55);

      // The second of these is the seat's fourth: nothing written, nothing counted, and the window's time left.
      const over = await store.appendBatch(id, batch(3, 2), { limits: [limit, limit] });
      expect(over).toMatchObject({ ok: false, reason: 'limited', index: 1, link: 0 });
      expect(over.ok === false && over.reason === 'limited' ? over.retryAfterMs : 0).toBeGreaterThan(55_000);
      expect(await store.head(id)).toBe(2);
      expect([await client.get(seat), await client.get(session)]).toEqual(['2', '2']);

      // An entry without limits beside one with them; the session's budget (4) is then the one that refuses.
      expect(await store.appendBatch(id, batch(3, 2), { limits: [null, limit] })).toEqual({ ok: true, seq: 4 });
      const other = { keys: [`${prefix}limit:seat:us`, session], links: limit.links };
      expect(await store.appendBatch(id, batch(5, 2), { limits: [other, other] })).toMatchObject({ ok: false, reason: 'limited', index: 1, link: 1 });
      expect([await client.get(seat), await client.get(session), await client.get(`${prefix}limit:seat:us`)]).toEqual(['3', '3', null]);

      // A duplicate or a conflict counts nothing either.
      const written = (await store.readLog(id, 0))[0];
      if (!written) throw new Error('no entry');
      expect(await store.appendBatch(id, [{ ...written, seq: 5 }], { limits: [other] })).toMatchObject({ ok: false, reason: 'duplicate' });
      expect(await store.appendBatch(id, batch(9, 1), { limits: [other] })).toMatchObject({ ok: false, reason: 'conflict', head: 4 });
      expect(await client.get(session)).toBe('3');
    } finally {
      await deleteKeys(client, prefix);
      await client.close();
    }
  });
});

describe('RedisScheduler', () => {
  claimCases();
  outageReportCases();
});

/** A claimed timer handed on when its process dies. */
function claimCases(): void {
  it('hands a timer to another process when the one that claimed it dies before finishing', async () => {
    const prefix = freshPrefix();
    const clock = fakeClock();
    const [ca, cb, admin] = await Promise.all([connect(), connect(), connect()]);
    const leaseMs = 1000;
    let release = (): void => {};
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const a = new RedisScheduler({ client: ca, prefix, clock, pollMs: CONTRACT_POLL_MS, leaseMs });
    const b = new RedisScheduler({ client: cb, prefix, clock, pollMs: CONTRACT_POLL_MS, leaseMs });
    const firedA: DueTimer[] = [];
    const firedB: DueTimer[] = [];
    try {
      const timer = { sessionId: 's1', timerVersion: 7, at: clock.now() };
      await a.schedule(timer);
      // `a` claims the timer and then hangs, as a process that died would.
      a.start(async (t) => {
        firedA.push(t);
        await stuck;
      });
      await vi.waitFor(() => expect(firedA).toEqual([timer]), { timeout: 3000, interval: 2 });
      b.start(async (t) => {
        firedB.push(t);
      });
      clock.advance(leaseMs - 1);
      await polls();
      expect(firedB).toEqual([]);
      clock.advance(1);
      await vi.waitFor(() => expect(firedB).toEqual([timer]), { timeout: 3000, interval: 2 });
      release();
      await polls();
      expect(await admin.zCard(`${prefix}timers`)).toBe(0);
      expect(await admin.hLen(`${prefix}timers:data`)).toBe(0);
      expect(firedA).toHaveLength(1);
      expect(firedB).toHaveLength(1);
    } finally {
      release();
      await Promise.all([a.stop(), b.stop()]);
      await deleteKeys(admin, prefix);
      await Promise.all([ca, cb, admin].map((c) => c.close()));
    }
  });
}

/** An outage reported once, and polling kept up. */
function outageReportCases(): void {
  it('reports an unreachable Redis once per outage, not once per poll, and keeps polling', async () => {
    const client = await connect();
    const errors: unknown[] = [];
    const lines: string[] = [];
    const outages = new OutageLog(recordingLogger(lines));
    const scheduler = new RedisScheduler({
      client,
      prefix: freshPrefix(),
      clock: fakeClock(),
      pollMs: CONTRACT_POLL_MS,
      onError: (e) => errors.push(e),
      gate: new RedisGate({ client, outages }),
    });
    await client.close();
    scheduler.start(async () => {});
    await vi.waitFor(() => expect(outages.down).toBe(true), { timeout: 3000, interval: 2 });
    await new Promise((r) => setTimeout(r, CONTRACT_POLL_MS * 10));
    await scheduler.stop();
    expect(lines).toEqual(['error']);
    expect(errors).toEqual([]);
  });
}

describe('createStores', () => {
  it('uses memory when no Redis URL is given', async () => {
    const stores = await createStores({ clock: fakeClock(), pollMs: 10 });
    expect(stores.store).toBeInstanceOf(MemoryStore);
    expect(stores.redis).toBeNull();
    expect(await stores.store.ping()).toBe(true);
    await stores.close();
    await stores.close();
  });

  it('uses Redis under the given prefix when a URL is given, and closes its client', async () => {
    const prefix = freshPrefix();
    const stores = await createStores({ redisUrl: REDIS_URL, prefix, clock: fakeClock(), pollMs: 10 });
    const admin = await connect();
    try {
      expect(stores.store).toBeInstanceOf(RedisStore);
      expect(await stores.store.ping()).toBe(true);
      expect(await stores.store.append('s', entry(1))).toEqual({ ok: true, seq: 1 });
      expect(await admin.xLen(`${prefix}log:s`)).toBe(1);
      await stores.close();
      expect(stores.redis?.isOpen).toBe(false);
      expect(await stores.store.ping()).toBe(false);
    } finally {
      await deleteKeys(admin, prefix);
      await admin.close();
    }
  });

  it("says Redis is unreachable from its outage log's first failure, for the wording of refusals at a deadline", async () => {
    const stores = await createStores({ redisUrl: REDIS_URL, prefix: freshPrefix(), clock: fakeClock(), pollMs: 10 });
    try {
      expect(stores.store.unreachable?.()).toBe(false);
      stores.redis?.destroy();
      await expect(stores.store.getSession('s')).rejects.toThrow(/not connected/);
      expect(stores.store.unreachable?.()).toBe(true);
    } finally {
      await stores.close();
    }
  });

  it('gives up on an unreachable Redis at startup instead of hanging', async () => {
    const port = await freePort();
    await expect(
      createStores({ redisUrl: `redis://127.0.0.1:${port}`, clock: fakeClock(), pollMs: 10, connectTimeoutMs: 300 }),
    ).rejects.toThrow(/not reachable/);
  });
});

describe('RedisStore durability', () => {
  it('keeps every acknowledged append across a SIGKILL of Redis (appendonly, appendfsync always)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rubicon-redis-'));
    const port = await freePort();
    let server = startRedis(port, dir);
    try {
      let client = await connectWhenUp(port);
      let store = new RedisStore({ client, prefix: 'durable:', ownsClient: true });
      const meta = sessionMeta();
      await store.createSession(meta);
      const entries = Array.from({ length: 50 }, (_, i) => entry(i + 1));
      for (const e of entries) expect(await store.append(meta.sessionId, e)).toEqual({ ok: true, seq: e.seq });
      await store.saveSnapshot(meta.sessionId, snapshot(40));
      await store.saveToken('t'.repeat(64), { sessionId: meta.sessionId, role: { kind: 'facilitator' } });

      server.kill('SIGKILL');
      await exited(server);
      await vi.waitFor(async () => expect(await store.ping()).toBe(false), { timeout: 5000, interval: 20 });
      if (client.isOpen) client.destroy();

      server = startRedis(port, dir);
      client = await connectWhenUp(port);
      store = new RedisStore({ client, prefix: 'durable:', ownsClient: true });
      expect(await store.readLog(meta.sessionId, 0)).toEqual(entries);
      expect(await store.head(meta.sessionId)).toBe(50);
      expect(await store.getSession(meta.sessionId)).toEqual(meta);
      expect(await store.loadSnapshot(meta.sessionId)).toEqual(snapshot(40));
      expect(await store.resolveToken('t'.repeat(64))).toEqual({ sessionId: meta.sessionId, role: { kind: 'facilitator' } });
      // The command ids survived too: a late retry is still recognised, and the log goes on.
      const first = entries[0];
      if (!first) throw new Error('no entries');
      expect(await store.append(meta.sessionId, { ...entry(51), commandId: first.commandId })).toEqual({
        ok: false,
        reason: 'duplicate',
        seq: 1,
      });
      expect(await store.append(meta.sessionId, entry(51))).toEqual({ ok: true, seq: 51 });
      await store.close();
    } finally {
      server.kill('SIGKILL');
      if (server.exitCode === null && server.signalCode === null) await exited(server);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function startRedis(port: number, dir: string): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir],
    { stdio: 'ignore' },
  );
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await once(child, 'exit');
}

/** Connects once the server answers PING; a new server takes a moment to listen. */
async function connectWhenUp(port: number): Promise<RedisClientType> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client: RedisClientType = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
    client.on('error', () => {});
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return client;
    } catch (error) {
      if (client.isOpen) client.destroy();
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A logger that records only the level of each line. */
function recordingLogger(lines: string[]): Logger {
  const record = (level: string) => () => void lines.push(level);
  return { error: record('error'), warn: record('warn'), info: record('info'), debug: () => {}, child: () => recordingLogger(lines) } as unknown as Logger;
}

describe('RedisStore importSession', () => {
  it('stages a long log in calls that each carry a bounded number of bytes, and the session appears whole', async () => {
    const client = await connect();
    const prefix = freshPrefix();
    const store = new RedisStore({ client, prefix });
    try {
      const meta = sessionMeta();
      // ~1.1 KB per entry: 500 a call, as staging was cut before, would be ~550 KB in one call.
      const log = Array.from({ length: 300 }, (_, i) => {
        const e = entry(i + 1);
        return e.command.type === 'SUBMIT_MOVE' ? { ...e, command: { ...e.command, rationale: 'r'.repeat(1100) } } : e;
      });
      const entries = log.map((e) => ({ seq: e.seq, commandId: e.commandId, json: JSON.stringify(e) }));
      const staged: number[] = [];
      const original = client.eval.bind(client);
      const evalSpy = vi.spyOn(client, 'eval').mockImplementation(((script: string, options?: { arguments?: string[] }) => {
        // STAGE_IMPORT's arguments: the TTL, then seq, command id and JSON per entry.
        if (script === STAGE_IMPORT) staged.push((options?.arguments ?? []).slice(1).reduce((n, a) => n + a.length, 0));
        return original(script, options);
      }) as typeof client.eval);
      const ownerGrant = { sessionId: meta.sessionId, role: { kind: 'facilitator' }, key: 'owner', generation: 0 } as const;
      await store.importSession({ meta, entries, snapshot: JSON.stringify(snapshot(log.length)), ownerGrant });
      evalSpy.mockRestore();
      expect(staged.length).toBeGreaterThan(1);
      expect(Math.max(...staged)).toBeLessThanOrEqual(64 * 1024);
      expect(await store.readLog(meta.sessionId, 0)).toEqual(log);
      expect(await client.ttl(`${prefix}log:${meta.sessionId}`)).toBe(-1);
    } finally {
      await deleteKeys(client, prefix);
      client.destroy();
    }
  });
});
