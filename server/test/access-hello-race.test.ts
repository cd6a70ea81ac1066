/**
 * A revocation racing a hello (red team, 6 December, §10 of docs/security.md): the hello checks the token's
 * generation before its socket joins the code's room, so a revocation whose drop runs in between finds no
 * socket to drop. The interleaving is forced by holding the hello's store read until the revocation has been
 * answered (its drop and barrier included), on one process (memory, or ACCESS_BACKEND=redis) and across two
 * processes on Redis, the revocation on the process that does not hold the socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessCode } from '@rubicon/shared';
import { TestClient, api, codeFor, createSession, deleteRedisKeys, joinCode, startServer, uniquePrefix, type TestServer } from './harness.ts';
import { landBetween } from './store-race.ts';

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
