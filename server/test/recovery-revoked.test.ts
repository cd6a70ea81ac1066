/**
 * Socket.IO connection state recovery (RECOVERY_MS) against revocation: a socket whose connection was lost
 * is not there for a revocation to drop, and must not come back with the revoked grant, its rooms, or the
 * updates sent to them while it was away.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient, api, randomText, seatTable, startServer, waitFor, type TestServer } from './harness.ts';
import { reconnect } from './connection-drop.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ backend: (process.env.ACCESS_BACKEND as 'redis' | undefined) ?? 'memory', env: { RECOVERY_MS: '60000' } });
});
afterAll(async () => {
  await server?.close();
});

/** Loses the client's connection the way a network drop does (not a close by either side), so Socket.IO keeps its session. */
async function dropConnection(client: TestClient): Promise<void> {
  const id = client.socket.id;
  client.socket.io.engine.close();
  // Until the server has seen it go too: a revocation before then would still find the socket, and drop it.
  await waitFor(() => !client.socket.connected && id !== undefined && !server.app.io.of('/').sockets.has(id), 2000, `${client.label}: the drop`);
}

describe('a seat revoked while its connection was lost', () => {
  it('does not recover its grant, its rooms or the updates sent to them after the revocation', async () => {
    const t = await seatTable(server.url);
    const { sessionId, facilitatorToken } = t.session;
    const iran = new TestClient(server.url, sessionId, t.tokens.iran, 'iran-away');
    try {
      expect((await iran.hello()).ok).toBe(true);
      // Recovery resumes from the last broadcast received; the presence announcement is one.
      await waitFor(() => iran.received.some((r) => r.event === 'presence'), 5000, 'a first broadcast');
      await dropConnection(iran);

      const revoked = await api(server.url, `/api/sessions/${sessionId}/access/iran/revoke`, { method: 'POST', body: {}, token: facilitatorToken });
      expect(revoked.status).toBe(200);
      const secret = randomText('after the revocation');
      await t.seats.mediators.must({ type: 'SEND_MESSAGE', channel: 'iran-mediators', text: secret });

      await reconnect(iran);
      // Whatever was held for it arrives before `connect` (socket.io-client buffers it until then).
      expect(iran.transcript().includes(secret)).toBe(false);
      const ack = await iran.command({ type: 'SEND_MESSAGE', channel: 'iran-mediators', text: 'still here?' });
      expect(ack.ok).toBe(false);
      expect(iran.transcript().includes(secret)).toBe(false);
      // The others go on: the revocation ended Iran's code only.
      expect((await t.seats.mediators.command({ type: 'SEND_MESSAGE', channel: 'iran-mediators', text: 'anyone?' })).ok).toBe(true);
    } finally {
      iran.close();
      t.close();
    }
  });
});
