/**
 * Revocation across processes: docs/protocol.md says a revoked code's sockets are disconnected "on every
 * process". Two apps on one Redis, the seat's sockets on the process that did not revoke.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessCode } from '@rubicon/shared';
import { TestClient, api, codeFor, connect, createSession, deleteRedisKeys, joinCode, startServer, uniquePrefix, type TestServer } from './harness.ts';

const prefix = uniquePrefix('access-redis');
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  a = await startServer({ backend: 'redis', prefix });
  b = await startServer({ backend: 'redis', prefix });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await deleteRedisKeys(prefix);
});

describe('revoking on one process', () => {
  it('disconnects the seat’s sockets on the other, refuses what they send, and their token says hello nowhere', async () => {
    const session = await createSession(a.url, { scenarioId: 'april-2024' });
    const { token } = await joinCode(a.url, codeFor(session, 'iran'));
    const listening = await connect(b.url, session.sessionId, token, 'iran-listening');
    const acting = await connect(b.url, session.sessionId, token, 'iran-acting');
    const us = await connect(b.url, session.sessionId, (await joinCode(a.url, codeFor(session, 'us'))).token, 'us');
    const dropped = [listening, acting].map((c) => new Promise<string>((resolve) => c.socket.once('disconnect', (r) => resolve(r))));
    const r = await api<AccessCode>(a.url, `/api/sessions/${session.sessionId}/access/iran/revoke`, { method: 'POST', body: {}, token: session.facilitatorToken });
    expect(r.status).toBe(200);
    // Sent the moment the revocation is answered, before the other process may have dropped the socket.
    // Sent the moment the revocation is answered: refused, or the socket is gone before any answer; never applied.
    const late = await acting.command({ type: 'SEND_MESSAGE', channel: 'team-iran', text: 'after the revocation' }).then(
      (ack) => (ack.ok ? 'accepted' : ack.error.code),
      () => 'dropped',
    );
    expect(['unauthorized', 'dropped']).toContain(late);
    expect(await Promise.all(dropped)).toEqual(['io server disconnect', 'io server disconnect']);
    for (const server of [a, b]) {
      const again = new TestClient(server.url, session.sessionId, token, 'iran-again');
      const hello = await again.hello();
      expect(!hello.ok && hello.error.code).toBe('unauthorized');
      again.close();
    }
    // The seat's team channel holds nothing from after the revocation; other seats are untouched.
    const log = await api<{ log: { command: { type: string; text?: string } }[] }>(a.url, `/api/sessions/${session.sessionId}/export`, { token: session.facilitatorToken });
    expect(log.body.log.filter((e) => e.command.text === 'after the revocation')).toEqual([]);
    expect((await us.command({ type: 'SEND_MESSAGE', channel: 'team-us', text: 'still here' })).ok).toBe(true);
    for (const c of [listening, acting, us]) c.close();
  });
});

describe('re-issuing the creator\'s token on one process', () => {
  it('drops its socket on the other, and the old token is refused on both; the new one works on both', async () => {
    const session = await createSession(a.url, { scenarioId: 'april-2024' });
    const creator = await connect(b.url, session.sessionId, session.facilitatorToken, 'creator');
    const dropped = new Promise<string>((resolve) => creator.socket.once('disconnect', (r) => resolve(r)));
    const r = await api<AccessCode>(a.url, `/api/sessions/${session.sessionId}/access/owner/reissue`, { method: 'POST', body: {}, token: session.facilitatorToken });
    expect(r.status).toBe(200);
    expect(await dropped).toBe('io server disconnect');
    for (const server of [a, b]) {
      expect((await api(server.url, `/api/sessions/${session.sessionId}`, { token: session.facilitatorToken })).status).toBe(401);
      const again = new TestClient(server.url, session.sessionId, session.facilitatorToken, 'creator-again');
      const hello = await again.hello();
      expect(!hello.ok && hello.error.code).toBe('unauthorized');
      again.close();
      expect((await api(server.url, `/api/sessions/${session.sessionId}`, { token: r.body.token })).status).toBe(200);
    }
    creator.close();
  });
});
