/**
 * Tokens stored before the session token index (`tokens:{id}`, 7 December) are put in it once per deployment
 * at start (store/token-index-migration.ts, store/redis-migration.ts), so retention removes them with their
 * session; those whose session is gone are deleted. Two processes starting at once do it once, and a run cut
 * off half-way is finished by the next.
 */
import { createClient, type RedisClientType } from 'redis';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, newToken } from '../src/session/secrets.ts';
import { RedisStore } from '../src/store/redis-store.ts';
import { REDIS_URL, TestClient, codeFor, createSession, deleteRedisKeys, joinCode, startServer, uniquePrefix, waitFor, TABLE_SETUP, type TestServer } from './harness.ts';

const IDLE_MS = 8000;
const env = { SESSION_IDLE_RETAIN_MS: String(IDLE_MS), RETENTION_SWEEP_MS: '100' };
const MARKER = 'migrations';

/** A logger keeping every line from `info` up, so a test sees which process finished the migration. */
function infoLines(): { logger: pino.Logger; finished: () => Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter((l) => l !== '')) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), finished: () => lines.filter((l) => l.migration === 'token-index') };
}

async function connected(): Promise<RedisClientType> {
  const client: RedisClientType = createClient({ url: REDIS_URL });
  client.on('error', () => {});
  await client.connect();
  return client;
}

describe('tokens stored before the token index, on redis', () => {
  const prefix = uniquePrefix('token-index');
  const servers: TestServer[] = [];
  let redis: RedisClientType;
  let sessionId = '';
  const old: string[] = [];
  const orphans: string[] = [];
  const logs = [infoLines(), infoLines()];

  beforeAll(async () => {
    redis = await connected();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await redis.close();
    await deleteRedisKeys(prefix);
  });

  it('are indexed with their session, once, by two processes starting at once; those of sessions gone are deleted', async () => {
    const first = await startServer({ backend: 'redis', prefix, env });
    servers.push(first);
    // The first process finds nothing to do and marks it done, as a fresh deployment does.
    await waitFor(async () => (await redis.hGet(prefix + MARKER, 'token-index')) === '1', 10_000, 'the first process never marked the migration done');
    const session = await createSession(first.url, TABLE_SETUP);
    sessionId = session.sessionId;
    // A token redeemed from a code by today's code, taken out of the index: what saveToken stored before it.
    const redeemed = await joinCode(first.url, codeFor(session, 'iran'));
    await redis.sRem(prefix + 'tokens:' + sessionId, hashToken(redeemed.token));
    old.push(redeemed.token);
    // And as main's saveToken wrote them before the index (a plain SET of the grant): two of this session, two of one gone.
    for (let i = 0; i < 2; i++) {
      const token = newToken();
      await redis.set(prefix + 'token:' + hashToken(token), JSON.stringify({ sessionId, role: { kind: 'observer' } }));
      old.push(token);
      const orphan = hashToken(newToken());
      await redis.set(prefix + 'token:' + orphan, JSON.stringify({ sessionId: 'gone-' + sessionId, role: { kind: 'observer' } }));
      orphans.push(orphan);
    }
    await redis.set(prefix + 'token:not-a-grant', 'not json');
    // A store from before has no marker.
    await redis.hDel(prefix + MARKER, 'token-index');
    for (const token of old) expect(await redis.sIsMember(prefix + 'tokens:' + sessionId, hashToken(token))).toBe(0);

    servers.push(...(await Promise.all(logs.map(({ logger }) => startServer({ backend: 'redis', prefix, env, deps: { logger } })))));
    await waitFor(async () => (await redis.hGet(prefix + MARKER, 'token-index')) === '1', 10_000, 'the migration was never marked done');
    // Done before retention could remove the session, or what follows would prove nothing.
    expect(await redis.exists(prefix + 'session:' + sessionId)).toBe(1);
    for (const token of old) expect(await redis.sIsMember(prefix + 'tokens:' + sessionId, hashToken(token))).toBe(1);
    for (const orphan of orphans) expect(await redis.exists(prefix + 'token:' + orphan)).toBe(0);
    expect(await redis.get(prefix + 'token:not-a-grant')).toBe('not json');
    expect(await redis.keys(prefix + 'migration:*')).toEqual([]);
    // Exactly one of the two wrote the line, with the counts (the creator's token was indexed already).
    const finished = logs.flatMap((l) => l.finished());
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ indexed: old.length, alreadyIndexed: 1, removed: orphans.length, unreadable: 1 });
    // Still the session's tokens, as before.
    const client = new TestClient(servers[1]!.url, sessionId, old[1]!, 'old');
    expect((await client.hello()).ok).toBe(true);
    client.close();
  });

  it('are then removed with their session by retention', async () => {
    await waitFor(async () => (await redis.exists(prefix + 'session:' + sessionId)) === 0, IDLE_MS + 10_000, 'the session was never removed');
    for (const token of old) expect(await redis.exists(prefix + 'token:' + hashToken(token))).toBe(0);
    expect(await redis.exists(prefix + 'tokens:' + sessionId)).toBe(0);
    for (const s of servers) {
      const client = new TestClient(s.url, sessionId, old[1]!, 'old');
      const hello = await client.hello();
      expect(!hello.ok && hello.error.code).toBe('unauthorized');
      client.close();
    }
  });
});

describe('a token index migration cut off half-way, on redis', () => {
  const prefix = uniquePrefix('token-index-kill');
  const sessions = ['live-1', 'live-2'];
  const perSession = 600;
  const orphanCount = 600;

  afterAll(async () => {
    await deleteRedisKeys(prefix);
  });

  it('is finished by the next run, from where it stopped, with the counts of both', async () => {
    const setup = await connected();
    for (const id of sessions) await setup.hSet(prefix + 'session:' + id, 'sessionId', JSON.stringify(id));
    const writes = [];
    for (const id of sessions) for (let i = 0; i < perSession; i++) writes.push(setup.set(`${prefix}token:${id}-${i}`, JSON.stringify({ sessionId: id, role: { kind: 'observer' } })));
    for (let i = 0; i < orphanCount; i++) writes.push(setup.set(`${prefix}token:orphan-${i}`, JSON.stringify({ sessionId: 'gone', role: { kind: 'observer' } })));
    await Promise.all(writes);
    const indexedNow = async () => (await setup.sCard(prefix + 'tokens:live-1')) + (await setup.sCard(prefix + 'tokens:live-2'));

    // The first process dies (its connection cut, no goodbye) once it has done some batches but not all.
    const dying = await connected();
    let batches = 0;
    const cut = new RedisStore({ client: dying, prefix }).migrateTokenIndex({
      batchKeys: 50,
      pauseMs: 0,
      leaseMs: 1500,
      afterBatch: async () => {
        if (++batches === 5) dying.destroy();
      },
    });
    await expect(cut).rejects.toThrow();
    const before = await indexedNow();
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(sessions.length * perSession);
    expect(await setup.hGet(prefix + 'migrations', 'token-index')).toBeNull();
    expect(await setup.exists(prefix + 'migration:token-index')).toBe(1);

    // Its restart waits out the dead one's lease, then goes on from the last batch it stored.
    const restarted = await connected();
    const run = await new RedisStore({ client: restarted, prefix }).migrateTokenIndex({ batchKeys: 50, pauseMs: 0, leaseMs: 1500, pollMs: 100 });
    expect(run.outcome).toBe('finished');
    expect(await indexedNow()).toBe(sessions.length * perSession);
    expect((await setup.keys(prefix + 'token:orphan-*')).length).toBe(0);
    expect(run.counts.indexed).toBe(sessions.length * perSession);
    expect(run.counts.removed).toBe(orphanCount);
    // Resumed, not redone: the first run's tokens were not visited again (SCAN may repeat a few keys).
    expect(run.counts.alreadyIndexed ?? 0).toBeLessThan(before / 2);
    expect(await setup.hGet(prefix + 'migrations', 'token-index')).toBe('1');
    expect(await setup.keys(prefix + 'migration:*')).toEqual([]);
    // And later starts skip it.
    expect((await new RedisStore({ client: restarted, prefix }).migrateTokenIndex()).outcome).toBe('already');
    await restarted.close();
    await setup.close();
  });

  it("is taken back at once by the same process after a failure, its own lease and all", async () => {
    const setup = await connected();
    const own = uniquePrefix('token-index-again');
    await setup.hSet(own + 'session:live', 'sessionId', '"live"');
    await Promise.all(Array.from({ length: 300 }, (_, i) => setup.set(`${own}token:t${i}`, JSON.stringify({ sessionId: 'live', role: { kind: 'observer' } }))));
    const store = new RedisStore({ client: setup, prefix: own });
    // An outage half-way: the run ends with its lease held and its progress stored.
    let batches = 0;
    const failing = store.migrateTokenIndex({ batchKeys: 50, pauseMs: 0, leaseMs: 60_000, afterBatch: () => {
      if (++batches === 2) throw new Error('the store went away');
    } });
    await expect(failing).rejects.toThrow('the store went away');
    expect(await setup.exists(own + 'migration:token-index')).toBe(1);
    // Waiting out a lease of a minute (looking again each minute) would outlast the test: the same store's run takes it back.
    const again = await store.migrateTokenIndex({ batchKeys: 50, pauseMs: 0, leaseMs: 60_000, pollMs: 60_000 });
    expect(again.outcome).toBe('finished');
    expect(await setup.sCard(own + 'tokens:live')).toBe(300);
    await deleteRedisKeys(own);
    await setup.close();
  });
});
