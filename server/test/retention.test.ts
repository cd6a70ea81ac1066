/**
 * Retention (session/retention.ts, store/redis-retention.ts): a session is removed, whole, SESSION_RETAIN_AFTER_END_MS
 * after its outcome or SESSION_IDLE_RETAIN_MS after its last activity; then it answers as one that never existed,
 * and nothing of it is left in the store. With Redis, the second process drops its sockets of it too.
 */
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessCode, JoinResponse, SessionSummary } from '@rubicon/shared';
import { hashToken } from '../src/session/secrets.ts';
import type { RedisStore } from '../src/store/redis-store.ts';
import { REDIS_URL, TestClient, api, codeFor, joinCode, seatTable, startServer, uniquePrefix, waitFor, type Table, type TestServer } from './harness.ts';

const AFTER_END_MS = 2000;
const IDLE_MS = 4000;
const scenario = shippedScenario('april-2024');

/** Every route a session has, as a facilitator token asks it. */
const ROUTES = [
  ['GET', ''],
  ['GET', '/scenario'],
  ['GET', '/text'],
  ['GET', '/view-as/observer'],
  ['GET', '/export'],
  ['POST', '/branch'],
  ['POST', '/access/iran/revoke'],
] as const;

async function routeAnswers(url: string, sessionId: string, token: string): Promise<number[]> {
  const answers: number[] = [];
  for (const [method, path] of ROUTES) answers.push((await api(url, `/api/sessions/${sessionId}${path}`, { method, token, ...(method === 'POST' ? { body: {} } : {}) })).status);
  return answers;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Context {
  servers: TestServer[];
  redis: RedisClientType | null;
  prefix: string;
}

/** One server (memory), or two sharing Redis with a client of the test's own; started before the block's tests. */
function serversFor(backend: 'memory' | 'redis'): Context {
  const ctx: Context = { servers: [], redis: null, prefix: uniquePrefix('retention') };
  beforeAll(async () => {
    const env = { TOKEN_TTL_AFTER_END_MS: String(10 * 60_000), SESSION_RETAIN_AFTER_END_MS: String(AFTER_END_MS), SESSION_IDLE_RETAIN_MS: String(IDLE_MS), RETENTION_SWEEP_MS: '100' };
    ctx.servers = [await startServer({ backend, prefix: ctx.prefix, env })];
    if (backend === 'redis') {
      ctx.servers.push(await startServer({ backend, prefix: ctx.prefix, env }));
      ctx.redis = createClient({ url: REDIS_URL });
      await ctx.redis.connect();
    }
  });
  afterAll(async () => {
    await Promise.all(ctx.servers.map((s) => s.close()));
    await ctx.redis?.close();
  });
  return ctx;
}

/** Where the store still holds any of these (a session id first, token hashes, codes): Redis keys and set members, or the memory store's table entries. */
async function traces({ redis, prefix, servers }: Context, needles: string[]): Promise<string[]> {
  if (!redis) return memoryTraces(servers[0]!, needles);
  const found: string[] = [];
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) found.push(...keys.filter((k) => needles.some((n) => k.includes(n))));
  for (const set of ['sessions', 'timers', 'retention']) if ((await redis.zScore(prefix + set, needles[0]!)) !== null) found.push(`${set} member`);
  if (await redis.hExists(prefix + 'timers:data', needles[0]!)) found.push('timers:data field');
  if (await redis.sIsMember(prefix + 'bots:sessions', needles[0]!)) found.push('bots:sessions member');
  return found;
}

/**
 * What both removal tests begin with: a seated table on the first server, its observer on the second (with
 * Redis), so removal is seen by both processes; its game started. `url`: the first server's.
 */
async function startedTableOverProcesses({ servers: [a, b] }: Context): Promise<{ url: string; t: Table; sessionId: string }> {
  const t = await seatTable(a!.url, {}, (role) => (role === 'observer' && b ? b.url : a!.url));
  await t.facilitator.must({ type: 'START' });
  return { url: a!.url, t, sessionId: t.session.sessionId };
}

/** The reason each of these sockets is disconnected for, once all are. */
function disconnectReasons(clients: readonly TestClient[]): Promise<string[]> {
  return Promise.all(clients.map((c) => new Promise<string>((resolve) => c.socket.once('disconnect', resolve))));
}

/** Waits until the session answers `token` as one that is not there; resolves with when (Date.now()) it first did. */
async function removedAt(url: string, sessionId: string, token: string, withinMs: number, what: string): Promise<number> {
  let at = 0;
  await waitFor(async () => {
    const r = await api(url, `/api/sessions/${sessionId}`, { token });
    at = Date.now();
    return r.status !== 200;
  }, withinMs, what);
  return at;
}

describe.each(['memory', 'redis'] as const)('after the outcome, on %s', (backend) => {
  const ctx = serversFor(backend);

  it('removes an ended session and everything of it SESSION_RETAIN_AFTER_END_MS after its outcome, on every process', async () => {
    const { url, t, sessionId } = await startedTableOverProcesses(ctx);
    await t.facilitator.must({ type: 'END_GAME', outcome: scenario.outcomes[0]!.id, reason: 'time is up' });
    const summary = await api<SessionSummary>(url, `/api/sessions/${sessionId}`, { token: t.session.facilitatorToken });
    const endedAt = summary.body.endedAt!;
    // A re-issued code, a token redeemed from it and a re-issued creator token: each kept by another store step.
    const reissued = await api<AccessCode>(url, `/api/sessions/${sessionId}/access/iran/reissue`, { method: 'POST', body: {}, token: t.session.facilitatorToken });
    const redeemed = await joinCode(url, reissued.body.code!);
    const owner = await api<AccessCode>(url, `/api/sessions/${sessionId}/access/owner/reissue`, { method: 'POST', body: {}, token: t.session.facilitatorToken });
    const tokens = [t.session.facilitatorToken, owner.body.token!, redeemed.token, ...Object.values(t.tokens)];
    const codes = [...t.session.codes.map((c) => c.code), reissued.body.code!];
    const needles = [sessionId, ...tokens.map(hashToken), ...codes.filter((c) => c !== codeFor(t.session, 'iran'))];
    // Not Iran's: its code's re-issue dropped it already.
    const drops = [t.observer, ...Object.entries(t.seats).filter(([seat]) => seat !== 'iran').map(([, c]) => c)];
    const dropped = disconnectReasons(drops);
    const before = await traces(ctx, needles);
    // Every token and live code is stored before, so finding none of them after means something.
    for (const n of needles) expect(before.some((k) => k.includes(n)), n).toBe(true);

    expect(await removedAt(url, sessionId, owner.body.token!, AFTER_END_MS + 5000, 'the session was never removed')).toBeGreaterThan(endedAt + AFTER_END_MS);
    expect(await dropped).toEqual(drops.map(() => 'io server disconnect'));

    expect(await traces(ctx, needles)).toEqual([]);
    const never = `never-${sessionId}`;
    for (const url of ctx.servers.map((s) => s.url)) {
      expect(await routeAnswers(url, sessionId, owner.body.token!)).toEqual(await routeAnswers(url, never, owner.body.token!));
      for (const token of tokens) {
        const again = new TestClient(url, sessionId, token, 'again');
        const hello = await again.hello();
        expect(!hello.ok && hello.error.code).toBe('unauthorized');
        again.close();
      }
      for (const code of codes) expect((await api<JoinResponse>(url, '/api/join', { body: { code } })).status).toBe(404);
    }
    t.close();
  });
});

describe.each(['memory', 'redis'] as const)('after a rewind, on %s', (backend) => {
  const ctx = serversFor(backend);

  it('keeps a session rewound back to life past its old moment', async () => {
    const servers = ctx.servers;
    const t = await seatTable(servers[0]!.url);
    const sessionId = t.session.sessionId;
    await t.facilitator.must({ type: 'START' });
    await t.facilitator.must({ type: 'ADVANCE' });
    await t.facilitator.must({ type: 'END_GAME', outcome: scenario.outcomes[0]!.id, reason: 'time is up' });
    const summary = await api<SessionSummary>(servers[0]!.url, `/api/sessions/${sessionId}`, { token: t.session.facilitatorToken });
    await t.facilitator.must({ type: 'REWIND', beat: scenario.beats[0]!.id });
    await sleep(summary.body.endedAt! + AFTER_END_MS + 700 - Date.now());
    for (const s of servers) expect((await api(s.url, `/api/sessions/${sessionId}`, { token: t.session.facilitatorToken })).status).toBe(200);
    t.close();
  });
});

describe.each(['memory', 'redis'] as const)('when idle, on %s', (backend) => {
  const ctx = serversFor(backend);

  it('removes a session idle for SESSION_IDLE_RETAIN_MS, and not while it is played', async () => {
    const { url, t, sessionId } = await startedTableOverProcesses(ctx);
    const needles = [sessionId, hashToken(t.session.facilitatorToken), ...Object.values(t.tokens).map(hashToken)];
    const playUntil = Date.now() + IDLE_MS + 1000;
    let last = 0;
    while (Date.now() < playUntil) {
      await t.seats.iran.must({ type: 'SEND_MESSAGE', channel: 'team-iran', text: 'still playing' });
      last = Date.now();
      await sleep(300);
    }
    expect((await api(url, `/api/sessions/${sessionId}`, { token: t.session.facilitatorToken })).status).toBe(200);
    const dropped = disconnectReasons([t.observer, t.facilitator]);
    // The moment stored lags the last command by at most a tenth of the idle time (RetentionMarks).
    expect(await removedAt(url, sessionId, t.session.facilitatorToken, IDLE_MS + 5000, 'the idle session was never removed')).toBeGreaterThan(last + IDLE_MS * 0.9);
    expect(await dropped).toEqual(['io server disconnect', 'io server disconnect']);
    expect(await traces(ctx, needles)).toEqual([]);
    t.close();
  });
});

/** The memory store's tables (its Map fields) holding any of the needles, in a key or in a value. */
function memoryTraces(server: TestServer, needles: string[]): string[] {
  const found: string[] = [];
  for (const [field, table] of Object.entries(server.app.service.store)) {
    if (!(table instanceof Map)) continue;
    for (const [key, value] of table as Map<unknown, unknown>) {
      let text = String(key);
      try {
        text += JSON.stringify(value);
      } catch {
        // A value that does not serialize is found by its key.
      }
      if (needles.some((n) => text.includes(n))) found.push(`${field}: ${String(key)}`);
    }
  }
  return found;
}

describe('a session stored before retention, on redis', () => {
  const ctx = serversFor('redis');

  it('is given a moment SESSION_IDLE_RETAIN_MS after its last entry, once, and a moment written meanwhile stands', async () => {
    const t = await seatTable(ctx.servers[0]!.url);
    const sessionId = t.session.sessionId;
    const started = Date.now();
    await t.facilitator.must({ type: 'START' });
    const done = Date.now();
    // As a session stored before 7 December has it: no moment. The processes note START's activity on their own
    // time, after the ack, and such a note may land between the removal and the adoption (it then stands, NX):
    // removed again until the adoption finds the session unmarked.
    const store = ctx.servers[0]!.app.service.store as RedisStore;
    await waitFor(
      async () => {
        await ctx.redis!.zRem(ctx.prefix + 'retention', sessionId);
        return (await store.adoptUnmarked(IDLE_MS, 1000)) >= 1;
      },
      5000,
      'an adoption that finds the session with no moment',
    );
    const moment = (await ctx.redis!.zScore(ctx.prefix + 'retention', sessionId))!;
    expect(moment).toBeGreaterThanOrEqual(started + IDLE_MS);
    expect(moment).toBeLessThanOrEqual(done + IDLE_MS);
    expect(await store.adoptUnmarked(IDLE_MS, 1000)).toBe(0);
    t.close();
  });
});
