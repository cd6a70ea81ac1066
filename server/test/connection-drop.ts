import { expect } from 'vitest';
import { waitFor, type TestClient, type TestServer } from './harness.ts';

/**
 * Says hello, waits for a first broadcast to recover from (recovery resumes from the last one received), and
 * loses the connection as a network drop does, not a close by either side, so Socket.IO keeps its session
 * (RECOVERY_MS); resolves once the server has seen it go, with the socket's id.
 */
export async function helloThenDrop(server: TestServer, c: TestClient): Promise<string> {
  expect((await c.hello()).ok).toBe(true);
  await waitFor(() => c.received.some((r) => r.event === 'presence'), 5000, `${c.label}: a first broadcast`);
  const id = c.socket.id ?? '';
  c.socket.io.engine.close();
  await waitFor(() => !server.app.io.of('/').sockets.has(id), 5000, `${c.label}: the drop seen by the server`);
  return id;
}

/** Reconnects with the recovery id and offset the client kept, as a browser's automatic reconnection does. */
export async function reconnect(c: TestClient): Promise<void> {
  const connected = new Promise<void>((resolve) => c.socket.once('connect', () => resolve()));
  c.socket.connect();
  await connected;
}
