/**
 * Socket.IO connection state recovery (RECOVERY_MS) against ANONYMOUS_SOCKETS_PER_ADDRESS: recovery skips the
 * middlewares, the anonymous cap's among them, so a socket that never said hello, dropped and coming back with its
 * session id and any offset still in the buffer (its owner's seat socket gets them with every broadcast) was
 * restored uncounted, past the cap, as many times as it had gathered session ids. A socket without a grant has
 * nothing to recover (it is in no room): it connects as a new socket, counted.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestClient, codeFor, createSession, joinCode, startServer, waitFor, type TestServer } from './harness.ts';

let server: TestServer;
const sockets: Socket[] = [];
beforeAll(async () => {
  server = await startServer({ backend: 'memory', env: { ANONYMOUS_SOCKETS_PER_ADDRESS: '1', RECOVERY_MS: '60000' } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

/** An anonymous socket, and how its connection ended: connected (recovered or not) or refused with a code. */
function anonymous(): Socket {
  const socket = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
  sockets.push(socket);
  return socket;
}
function outcome(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(socket.recovered ? 'recovered' : 'connected'));
    socket.once('connect_error', (err: Error & { data?: { code?: string } }) => resolve(err.data?.code ?? err.message));
  });
}

it('does not restore a socket that never said hello past its address’s cap', async () => {
  const away = anonymous();
  expect(await outcome(away)).toBe('connected');
  const awayId = away.id ?? '';
  away.io.engine.close();
  await waitFor(() => !server.app.io.of('/').sockets.has(awayId), 5000, 'the drop seen by the server');

  // A seat's socket of the same client: every broadcast it gets carries an offset in the recovery buffer.
  const session = await createSession(server.url, { scenarioId: 'april-2024' });
  const { token } = await joinCode(server.url, codeFor(session, 'iran'));
  const seat = new TestClient(server.url, session.sessionId, token, 'seat');
  sockets.push(seat.socket);
  expect((await seat.hello()).ok).toBe(true);
  await waitFor(() => seat.received.some((r) => r.event === 'presence'), 5000, 'a broadcast with an offset');
  const offset: unknown = Reflect.get(seat.socket, '_lastOffset');
  expect(typeof offset).toBe('string');

  // The address's one place taken; the dropped socket comes back with its session id and the borrowed offset.
  const holder = anonymous();
  expect(await outcome(holder)).toBe('connected');
  Reflect.set(away, '_lastOffset', offset);
  const back = outcome(away);
  away.connect();
  expect(await back).toBe('rate_limited');
});
