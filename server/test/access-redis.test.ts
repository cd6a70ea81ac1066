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
    // Since the answer waits for every process's drop, the socket is usually closed already: then nothing can be sent
    // (the client would only buffer it until its ack's timeout).
    const late = !acting.socket.connected
      ? 'dropped'
      : await acting.command({ type: 'SEND_MESSAGE', channel: 'team-iran', text: 'after the revocation' }).then(
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

describe('a revocation\'s answer', () => {
  it('comes after the other process has dropped the sockets, even when that process is slow to read the adapter', async () => {
    const session = await createSession(a.url, { scenarioId: 'april-2024' });
    const { token } = await joinCode(a.url, codeFor(session, 'iran'));
    const onB = await connect(b.url, session.sessionId, token, 'iran-on-b');
    // B reads every adapter message 150 ms late, in order, as a busy process would.
    const adapter = b.app.io.of('/').adapter as unknown as { onMessage: (message: unknown, offset?: string) => unknown };
    const original = adapter.onMessage.bind(adapter);
    let queue = Promise.resolve();
    adapter.onMessage = (message, offset) => {
      queue = queue.then(() => new Promise((resolve) => setTimeout(resolve, 150))).then(() => void original(message, offset));
    };
    try {
      const r = await api<AccessCode>(a.url, `/api/sessions/${session.sessionId}/access/iran/revoke`, { method: 'POST', body: {}, token: session.facilitatorToken });
      expect(r.status).toBe(200);
      const left = (await b.app.io.local.fetchSockets()).filter((s) => s.data.grant?.sessionId === session.sessionId);
      expect(left).toHaveLength(0);
    } finally {
      adapter.onMessage = original;
      onB.close();
    }
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

describe('a creator token stored without a key, used on both processes at once (red team, 6 December)', () => {
  it('is keyed once, both hellos hold the owner key, and a re-issue on one process drops both sockets', async () => {
    const parent = await createSession(a.url, { scenarioId: 'april-2024' });
    const branched = await api<{ sessionId: string; facilitatorToken: string }>(a.url, `/api/sessions/${parent.sessionId}/branch`, { method: 'POST', body: { version: 0 }, token: parent.facilitatorToken });
    const { sessionId, facilitatorToken } = branched.body;
    // Stored as branches stored it before 6 December: no key.
    const meta = await a.app.service.store.getSession(sessionId);
    await a.app.service.store.saveToken(meta!.facilitatorTokenHash, { sessionId, role: { kind: 'facilitator' } });
    const [onA, onB] = await Promise.all([connect(a.url, sessionId, facilitatorToken, 'legacy-on-a'), connect(b.url, sessionId, facilitatorToken, 'legacy-on-b')]);
    const held = [...(await a.app.io.local.fetchSockets()), ...(await b.app.io.local.fetchSockets())].filter((s) => s.data.grant?.sessionId === sessionId);
    expect(held.map((s) => s.data.grant?.key)).toEqual(['owner', 'owner']);
    const r = await api<AccessCode>(a.url, `/api/sessions/${sessionId}/access/owner/reissue`, { method: 'POST', body: {}, token: facilitatorToken });
    expect(r.status).toBe(200);
    const left = [...(await a.app.io.local.fetchSockets()), ...(await b.app.io.local.fetchSockets())].filter((s) => s.data.grant?.sessionId === sessionId);
    expect(left).toHaveLength(0);
    onA.close();
    onB.close();
  });
});
