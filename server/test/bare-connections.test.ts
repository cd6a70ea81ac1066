/**
 * Engine.io connections that hold no Socket.IO socket ("bare"): one that never joins the namespace, and one whose
 * socket left it (the client's namespace disconnect, `41`, or the server's). The anonymous cap and the hello
 * deadline count namespace sockets, so a bare connection escaped both: Socket.IO closes one that never joined
 * only after its own 45 s connectTimeout, and one whose socket left never. Raw engine.io frames over a WebSocket,
 * as an attacker sends them (the browser client closes its connection when its socket goes).
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, waitFor, type TestServer } from './harness.ts';

// Not a few hundred ms: the second test's connections must join the namespace within it (connectTimeout) on a loaded
// host, and it still ends far short of Socket.IO's 45 s.
const HELLO_TIMEOUT_MS = 1500;
/** Well within the hello deadline: nothing but the leave can close a connection this soon. */
const LEAVE_CLOSE_MS = 1000;
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ backend: 'memory', env: { HELLO_TIMEOUT_MS: String(HELLO_TIMEOUT_MS), ANONYMOUS_SOCKETS_PER_ADDRESS: '2' } });
});
afterAll(async () => {
  await server.close();
});

/** A raw engine.io connection over WebSocket that answers pings (so only the server's rules close it), and its frames. */
async function bareConnection(): Promise<{ ws: WebSocket; frames: string[]; closed: () => boolean }> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  const frames: string[] = [];
  let closed = false;
  ws.on('message', (data: Buffer) => {
    const frame = data.toString();
    frames.push(frame);
    if (frame === '2') ws.send('3');
  });
  ws.on('close', () => (closed = true));
  await waitFor(() => frames.some((f) => f.startsWith('0')), 5000, 'the engine.io handshake');
  return { ws, frames, closed: () => closed };
}

describe('engine.io connections without a socket', () => {
  it('closes one that never joins the namespace at the hello deadline, not after Socket.IO’s 45 s', async () => {
    const bare = await bareConnection();
    await waitFor(bare.closed, HELLO_TIMEOUT_MS + 3000, 'the bare connection to be closed');
  });

  it('closes one whose socket left the namespace, which the anonymous cap no longer counted', async () => {
    const connections: Awaited<ReturnType<typeof bareConnection>>[] = [];
    // Past the cap of 2: each counted only while its socket is in the namespace.
    for (let i = 0; i < 4; i++) {
      const bare = await bareConnection();
      bare.ws.send('40');
      await waitFor(() => bare.frames.some((f) => f.startsWith('40')), 5000, 'the namespace connect');
      bare.ws.send('41');
      connections.push(bare);
    }
    await waitFor(() => connections.every((c) => c.closed()), LEAVE_CLOSE_MS, 'every left connection to be closed');
    expect(connections.every((c) => c.closed())).toBe(true);
  });
});
