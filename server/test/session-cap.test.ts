/**
 * How many sessions there may be: per address over a long window (SESSIONS_PER_ADDRESS, counted across
 * processes with Redis: create, import, replay and branch together), and in the whole store (MAX_SESSIONS,
 * counted in the step that stores a session, so two processes cannot both take the last place). Each refusal
 * stores nothing: no session, code or token.
 */
import { request as httpRequest } from 'node:http';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CreateSessionResponse, HttpError } from '@rubicon/shared';
import { REDIS_URL, api, createSession, deleteRedisKeys, exportSession, recordingLogger, startServer, uniquePrefix, type TestServer } from './harness.ts';

const SETUP = { scenarioId: 'april-2024', seed: 'cap-seed' } as const;

/** The four ways to a new session, each answered by its status (and body). */
function newSessionRoutes(url: string, from: CreateSessionResponse, file: string) {
  return {
    create: () => api<CreateSessionResponse & HttpError>(url, '/api/sessions', { body: SETUP }),
    import: () => api<CreateSessionResponse & HttpError>(url, '/api/sessions/import', { body: file }),
    replay: () => api<CreateSessionResponse & HttpError>(url, '/api/replays', { body: file }),
    branch: () => api<CreateSessionResponse & HttpError>(url, `/api/sessions/${from.sessionId}/branch`, { token: from.facilitatorToken, body: { version: 0 } }),
  };
}

const servers: TestServer[] = [];
const clients: RedisClientType[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

async function start(backend: 'memory' | 'redis', count: number, env: Record<string, string>): Promise<TestServer[]> {
  const prefix = uniquePrefix('session-cap');
  const started = await Promise.all(Array.from({ length: count }, () => startServer({ backend, prefix, env })));
  servers.push(...started);
  return started;
}

async function redisClient(): Promise<RedisClientType> {
  const client: RedisClientType = createClient({ url: REDIS_URL });
  await client.connect();
  clients.push(client);
  return client;
}

describe('sessions per address (SESSIONS_PER_ADDRESS)', () => {
  it('counts creations, imports, replays and branches together, then refuses 429 naming the budget', async () => {
    const [server] = await start('memory', 1, { SESSIONS_PER_ADDRESS: '5' });
    const url = (server as TestServer).url;
    const first = await createSession(url, SETUP);
    const routes = newSessionRoutes(url, first, JSON.stringify(await exportSession(url, first)));
    expect([(await routes.import()).status, (await routes.replay()).status, (await routes.branch()).status, (await routes.create()).status]).toEqual([201, 201, 201, 201]);
    for (const refused of [await routes.create(), await routes.import(), await routes.branch()]) {
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('rate_limited');
      expect(refused.body.error.message).toMatch(/all the sessions it may \(5 in 24 h/);
      // The window's rest, about a day: not the seconds of the request limit.
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(23 * 3600);
    }
    expect(await server?.app.service.store.listSessions(100)).toHaveLength(5);
  });

  it('is one budget across processes on Redis', async () => {
    const [a, b] = await start('redis', 2, { SESSIONS_PER_ADDRESS: '3' });
    const answers: number[] = [];
    for (const server of [a, b, a, b, a]) answers.push((await api((server as TestServer).url, '/api/sessions', { body: SETUP })).status);
    expect(answers).toEqual([201, 201, 201, 429, 429]);
    await deleteRedisKeys((a as TestServer).prefix);
  });
});

describe('the cap on stored sessions (MAX_SESSIONS)', () => {
  it('refuses every new session past it 507 sessions_full, storing nothing, until retention frees a place (memory)', async () => {
    const [server] = await start('memory', 1, { MAX_SESSIONS: '2' });
    const { url, app } = server as TestServer;
    const first = await createSession(url, SETUP);
    const routes = newSessionRoutes(url, first, JSON.stringify(await exportSession(url, first)));
    const second = await createSession(url, SETUP);
    for (const way of [routes.create, routes.import, routes.replay, routes.branch]) {
      const refused = await way();
      expect(refused.status).toBe(507);
      expect(refused.body.error.code).toBe('sessions_full');
    }
    const store = app.service.store;
    expect((await store.listSessions(100)).map((m) => m.sessionId).sort()).toEqual([first.sessionId, second.sessionId].sort());
    // Retention's removal frees the place.
    await store.retainUntil(first.sessionId, 1);
    expect(await store.removeDue(Date.now(), 10)).toEqual([first.sessionId]);
    expect((await routes.create()).status).toBe(201);
    expect((await routes.create()).status).toBe(507);
  });

  // A full store stored nothing, for no fault of the address: a school that kept trying while it was full is
  // not shut out for the rest of the day once a place frees. On main every 507 spent a place of the day's budget.
  for (const backend of ['memory', 'redis'] as const) {
    it(`gives the address its day's place back for a 507 (${backend})`, async () => {
      const [server] = await start(backend, 1, { MAX_SESSIONS: '1', SESSIONS_PER_ADDRESS: '2' });
      const { url, app, prefix } = server as TestServer;
      const first = await createSession(url, SETUP);
      for (let i = 0; i < 3; i++) expect((await api<HttpError>(url, '/api/sessions', { body: SETUP })).status).toBe(507);
      const store = app.service.store;
      await store.retainUntil(first.sessionId, 1);
      expect(await store.removeDue(Date.now(), 10)).toEqual([first.sessionId]);
      expect((await api(url, '/api/sessions', { body: SETUP })).status).toBe(201);
      // The budget still holds: two made, the third refused for it, not for the cap.
      await store.retainUntil((await store.listSessions(1))[0]?.sessionId ?? '', 1);
      await store.removeDue(Date.now(), 10);
      const third = await api<HttpError>(url, '/api/sessions', { body: SETUP });
      expect([third.status, third.body.error.code]).toEqual([429, 'rate_limited']);
      if (backend === 'redis') await deleteRedisKeys(prefix);
    });
  }

  // A client that goes before its 507 is answered (a timeout, a closed tab, a script's abort) was refused all the
  // same. On main the place came back only when the answer was sent ('finish'), which a closed connection never
  // does, so each such request spent a place of the day for a session never stored.
  for (const backend of ['memory', 'redis'] as const) {
    it(`gives the place back for a 507 whose client went before the answer (${backend})`, async () => {
      const [server] = await start(backend, 1, { MAX_SESSIONS: '1', SESSIONS_PER_ADDRESS: '2' });
      const { url, app, prefix } = server as TestServer;
      await createSession(url, SETUP);
      const store = app.service.store;
      const createSession0 = store.createSession.bind(store);
      let reached!: () => void;
      let release!: () => void;
      const atStore = new Promise<void>((resolve) => (reached = resolve));
      const gone = new Promise<void>((resolve) => (release = resolve));
      let refused: Promise<void> = Promise.resolve();
      // The full store's refusal held until the client has gone.
      store.createSession = async (...args) => {
        reached();
        await gone;
        refused = createSession0(...args);
        return refused;
      };
      const request = httpRequest(new URL('/api/sessions', url), { method: 'POST', headers: { 'content-type': 'application/json' } });
      request.on('error', () => {});
      request.end(JSON.stringify(SETUP));
      await atStore;
      request.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      release();
      await atStore.then(() => refused).catch(() => undefined);
      store.createSession = createSession0;
      // The refusal's way out through Express, and on Redis the give-back's round trip.
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Its place back: the next is refused for the cap (507), not for the day's budget (429).
      expect((await api<HttpError>(url, '/api/sessions', { body: SETUP })).status).toBe(507);
      if (backend === 'redis') await deleteRedisKeys(prefix);
    });
  }

  // Nothing else tells an operator the store is full (the 507 is logged nowhere): one warning each time it fills,
  // not one per refused request. On main a full store wrote no line at all.
  it('warns the operator once each time the store fills, not once per refusal', async () => {
    const log = recordingLogger();
    const server = await startServer({ backend: 'memory', env: { MAX_SESSIONS: '1' }, deps: { logger: log.logger } });
    servers.push(server);
    const full = () => log.lines().filter((l) => /MAX_SESSIONS/.test(l.msg));
    const first = await createSession(server.url, SETUP);
    for (let i = 0; i < 3; i++) expect((await api(server.url, '/api/sessions', { body: SETUP })).status).toBe(507);
    expect(full()).toHaveLength(1);
    const store = server.app.service.store;
    await store.retainUntil(first.sessionId, 1);
    await store.removeDue(Date.now(), 10);
    expect((await api(server.url, '/api/sessions', { body: SETUP })).status).toBe(201);
    expect((await api(server.url, '/api/sessions', { body: SETUP })).status).toBe(507);
    expect(full()).toHaveLength(2);
    expect(log.errors()).toEqual([]);
  });

  it('lets exactly as many in as there are places when two processes create at once on Redis, with no code or token of the refused ones', async () => {
    const [a, b] = await start('redis', 2, { MAX_SESSIONS: '3' });
    const prefix = (a as TestServer).prefix;
    await createSession((a as TestServer).url, SETUP);
    const answers = await Promise.all([a, b, a, b].map((s) => api<CreateSessionResponse & HttpError>((s as TestServer).url, '/api/sessions', { body: SETUP })));
    expect(answers.map((r) => r.status).sort()).toEqual([201, 201, 507, 507]);
    const redis = await redisClient();
    expect(await redis.zCard(`${prefix}sessions`)).toBe(3);
    expect(await redis.keys(`${prefix}session:*`)).toHaveLength(3);
    // Each session created has one facilitator token and one code per seat and observers; the refused ones none.
    const stored = await a?.app.service.store.listSessions(10);
    const codes = (stored ?? []).flatMap((m) => m.codes);
    expect(await redis.keys(`${prefix}code:*`)).toHaveLength(codes.length);
    expect(await redis.keys(`${prefix}token:*`)).toHaveLength(3);
    await deleteRedisKeys(prefix);
  });
});
