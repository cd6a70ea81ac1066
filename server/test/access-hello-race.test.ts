/**
 * A revocation racing a hello (red team, 6 December, §10 of docs/security.md): the hello checks the token's
 * generation before its socket joins the code's room, so a revocation whose drop runs in between finds no
 * socket to drop. The interleaving is forced by holding the hello's store read until the revocation has been
 * answered (its drop and barrier included), on one process (memory, or ACCESS_BACKEND=redis) and across two
 * processes on Redis, the revocation on the process that does not hold the socket. A check after the join that
 * the store cannot answer (an outage) is no revocation: the hello is refused `unavailable`, and its socket
 * leaves the rooms but stays to say hello again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type { AccessCode } from '@rubicon/shared';
import { TestClient, api, codeFor, createSession, deleteRedisKeys, joinCode, startServer, uniquePrefix, type TestServer } from './harness.ts';
import { landBetween, withOutageAfterJoin } from './store-race.ts';

const prefix = uniquePrefix('access-hello-race');
let one: TestServer;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  one = await startServer({ backend: (process.env.ACCESS_BACKEND as 'redis' | undefined) ?? 'memory' });
  a = await startServer({ backend: 'redis', prefix });
  b = await startServer({ backend: 'redis', prefix });
});
afterAll(async () => {
  await one?.close();
  await a?.close();
  await b?.close();
  await deleteRedisKeys(prefix);
});

const revoke = (url: string, sessionId: string, token: string, key: string) =>
  api<AccessCode>(url, `/api/sessions/${sessionId}/access/${key}/revoke`, { method: 'POST', body: {}, token });

/**
 * Runs `hello` with `between` (the revocation) landing after the hello's process has read the session's
 * access generations for the first time and before the hello goes on with what it read. Resolves with both.
 */
async function racingHello<T, U>(holder: TestServer, sessionId: string, between: () => Promise<U>, hello: () => Promise<T>): Promise<[T, U]> {
  return landBetween(holder.app.service.store, 'accessChanges', (id) => id === sessionId, between, hello);
}

/** The sockets on these servers still holding a grant of the session. */
async function holding(servers: TestServer[], sessionId: string) {
  const sockets = (await Promise.all(servers.map((s) => s.app.io.local.fetchSockets()))).flat();
  return sockets.filter((s) => s.data.grant?.sessionId === sessionId);
}

async function raceOn(holder: TestServer, revoker: TestServer) {
  const session = await createSession(revoker.url, { scenarioId: 'april-2024' });
  const { token } = await joinCode(revoker.url, codeFor(session, 'iran'));
  const client = new TestClient(holder.url, session.sessionId, token, 'iran-racing');
  const dropped = new Promise<string>((resolve) => client.socket.once('disconnect', (r) => resolve(r)));
  const [hello, revoked] = await racingHello(holder, session.sessionId, () => revoke(revoker.url, session.sessionId, session.facilitatorToken, 'iran'), () => client.hello());
  return { session, client, hello, revoked, dropped };
}

describe('a hello whose code is revoked between its check and its join', () => {
  it('is refused, and its socket holds no grant and is dropped (one process)', async () => {
    const { session, client, hello, revoked, dropped } = await raceOn(one, one);
    expect(revoked.status).toBe(200);
    expect(!hello.ok && hello.error.code).toBe('unauthorized');
    expect(await holding([one], session.sessionId)).toHaveLength(0);
    expect(await dropped).toBe('io server disconnect');
    client.close();
  });

  it('is refused, and its socket holds no grant and is dropped (revoked on the other process, on Redis)', async () => {
    const { session, client, hello, revoked, dropped } = await raceOn(b, a);
    expect(revoked.status).toBe(200);
    expect(!hello.ok && hello.error.code).toBe('unauthorized');
    expect(await holding([a, b], session.sessionId)).toHaveLength(0);
    expect(await dropped).toBe('io server disconnect');
    client.close();
  });

  it('leaves the other seats\' sockets alone', async () => {
    const session = await createSession(one.url, { scenarioId: 'april-2024' });
    const us = new TestClient(one.url, session.sessionId, (await joinCode(one.url, codeFor(session, 'us'))).token, 'us');
    expect((await us.hello()).ok).toBe(true);
    const { token } = await joinCode(one.url, codeFor(session, 'iran'));
    const client = new TestClient(one.url, session.sessionId, token, 'iran-racing');
    await racingHello(one, session.sessionId, () => revoke(one.url, session.sessionId, session.facilitatorToken, 'iran'), () => client.hello());
    expect((await holding([one], session.sessionId)).map((s) => s.data.grant?.role)).toEqual([{ kind: 'seat', seat: 'us' }]);
    expect((await us.command({ type: 'SEND_MESSAGE', channel: 'team-us', text: 'still here' })).ok).toBe(true);
    us.close();
    client.close();
  });
});

describe('a hello whose check after the join meets a store outage', () => {
  it('is refused unavailable with a retry hint, out of the rooms and without the grant, and its socket kept to say hello again', async () => {
    const session = await createSession(one.url, { scenarioId: 'april-2024' });
    const { token } = await joinCode(one.url, codeFor(session, 'iran'));
    const client = new TestClient(one.url, session.sessionId, token, 'iran-outage');
    const dropped = new Promise<'dropped'>((resolve) => client.socket.once('disconnect', () => resolve('dropped')));
    const { answer, reads } = await withOutageAfterJoin(one, session.sessionId, () => client.hello());
    expect(reads).toBe(2);
    expect(!answer.ok && answer.error).toMatchObject({ code: 'unavailable', retryAfterMs: expect.any(Number) as unknown, message: expect.stringContaining('hello again') as unknown });
    expect(await holding([one], session.sessionId)).toHaveLength(0);
    const held = (await one.app.io.local.fetchSockets()).find((s) => s.id === client.socket.id);
    expect(held && [...held.rooms]).toEqual([client.socket.id]);
    // The retry on the same socket, raced against a drop (which would leave it unanswered).
    const again = await Promise.race([client.hello(), dropped]);
    expect(again !== 'dropped' && again.ok).toBe(true);
    expect((await client.command({ type: 'SEND_MESSAGE', channel: 'team-iran', text: 'back after the outage' })).ok).toBe(true);
    client.close();
  });

  it('closes a socket that does not say hello again within HELLO_TIMEOUT_MS, as it closes a new one', async () => {
    // Not a few hundred ms: the client must join the namespace within it too (connectTimeout), loaded host or not.
    const quick = await startServer({ backend: 'memory', env: { HELLO_TIMEOUT_MS: '1500' } });
    try {
      const session = await createSession(quick.url, { scenarioId: 'april-2024' });
      const client = new TestClient(quick.url, session.sessionId, (await joinCode(quick.url, codeFor(session, 'iran'))).token, 'iran-silent');
      const dropped = new Promise<string>((resolve) => client.socket.once('disconnect', (r) => resolve(r)));
      const { answer } = await withOutageAfterJoin(quick, session.sessionId, () => client.hello());
      expect(!answer.ok && answer.error.code).toBe('unavailable');
      expect(await dropped).toBe('io server disconnect');
      client.close();
    } finally {
      await quick.close();
    }
  });
});

/** A socket from this test's address, and the refusal of its connection if there was one. */
function connectRaw(url: string): Promise<{ socket: Socket; refusal: { message: string; data: unknown } | null }> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket, refusal: null }));
    socket.once('connect_error', (err: Error & { data?: unknown }) => resolve({ socket, refusal: { message: err.message, data: err.data } }));
  });
}

describe('a socket that loses its grant to an outage-refused hello goes back under the anonymous sockets\' rules', () => {
  it('counts again against ANONYMOUS_SOCKETS_PER_ADDRESS, and is closed when its address is at the cap', async () => {
    const capped = await startServer({ backend: 'memory', env: { ANONYMOUS_SOCKETS_PER_ADDRESS: '1' } });
    const raw: Socket[] = [];
    try {
      const session = await createSession(capped.url, { scenarioId: 'april-2024' });
      const client = new TestClient(capped.url, session.sessionId, (await joinCode(capped.url, codeFor(session, 'iran'))).token, 'iran-recount');
      expect((await client.hello()).ok).toBe(true);
      const { answer } = await withOutageAfterJoin(capped, session.sessionId, () => client.hello());
      expect(!answer.ok && answer.error.code).toBe('unavailable');
      // Anonymous again, it holds the address's one place: a new socket is refused.
      const refused = await connectRaw(capped.url);
      raw.push(refused.socket);
      expect(refused.refusal?.data).toMatchObject({ code: 'rate_limited' });
      // Its hello again confirmed, the place is free.
      expect((await client.hello()).ok).toBe(true);
      const waiting = await connectRaw(capped.url);
      raw.push(waiting.socket);
      expect(waiting.refusal).toBeNull();
      // With that one waiting, the address is at the cap: losing the grant again closes the socket.
      const dropped = new Promise<string>((resolve) => client.socket.once('disconnect', (r) => resolve(r)));
      const again = await withOutageAfterJoin(capped, session.sessionId, () => client.hello());
      expect(!again.answer.ok && again.answer.error.code).toBe('unavailable');
      expect(await dropped).toBe('io server disconnect');
      client.close();
    } finally {
      for (const s of raw) s.close();
      await capped.close();
    }
  });

  it('keeps the deadline of a socket that never held a confirmed grant running, however many of its hellos fail after their join', async () => {
    // 1.5 s, not 400 ms, for the namespace connect's sake (connectTimeout); 30 hellos 100 ms apart still outlast it.
    const quick = await startServer({ backend: 'memory', env: { HELLO_TIMEOUT_MS: '1500' } });
    try {
      const session = await createSession(quick.url, { scenarioId: 'april-2024' });
      const client = new TestClient(quick.url, session.sessionId, (await joinCode(quick.url, codeFor(session, 'iran'))).token, 'iran-stalling');
      let reason: string | null = null;
      client.socket.once('disconnect', (r) => (reason = r));
      const gone = new Promise<null>((resolve) => client.socket.once('disconnect', () => resolve(null)));
      // Hellos every 100 ms, each refused after its join: each used to give the socket a fresh 1.5 s.
      let refused = 0;
      for (let i = 0; i < 30 && reason === null; i++) {
        const { answer } = await withOutageAfterJoin(quick, session.sessionId, () => Promise.race([client.hello(), gone]));
        if (answer && !answer.ok) refused++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(reason).toBe('io server disconnect');
      expect(refused).toBeGreaterThan(0);
      expect(refused).toBeLessThan(30);
      client.close();
    } finally {
      await quick.close();
    }
  });
});
