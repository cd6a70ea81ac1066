/**
 * One write per websocket per loop iteration (iteration-writes.ts): what a socket is sent in one iteration leaves in
 * one write, in order, and by the iteration's end; a socket closed meanwhile neither throws nor loses its last
 * packets to a closing handshake; a polling connection is left alone.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Server, type Socket } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { oneWritePerIteration } from '../src/socket/iteration-writes.ts';

interface Rig {
  server: Socket;
  client: ClientSocket;
  /** The net.Socket's writes (write or writev calls) since the client connected. */
  writes(): number;
}

const open: Array<{ http: HttpServer; io: Server; client: ClientSocket }> = [];

afterEach(async () => {
  for (const { http, io, client } of open.splice(0)) {
    client.close();
    await io.close();
    http.closeAllConnections();
  }
});

/** Counts the calls that reach the kernel: Writable calls `_writev` for several buffered chunks, `_write` for one. */
function countWrites(raw: NetSocket): () => number {
  let count = 0;
  const target = raw as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  const write = target._write.bind(raw);
  const writev = target._writev.bind(raw);
  target._write = (...a) => { count++; write(...a); };
  target._writev = (...a) => { count++; writev(...a); };
  return () => count;
}

async function rig(transport: 'websocket' | 'polling'): Promise<Rig> {
  const http = createServer();
  const io = new Server(http);
  oneWritePerIteration(io.engine);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const serverSide = new Promise<Socket>((resolve) => io.on('connection', resolve));
  const client = connect(`http://127.0.0.1:${port}`, { transports: [transport], upgrade: false, reconnection: false });
  open.push({ http, io, client });
  const server = await serverSide;
  await new Promise<void>((resolve) => (client.connected ? resolve() : client.once('connect', () => resolve())));
  // Let the handshake's own packets leave before counting.
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { server, client, writes: countWrites(server.conn.request.socket) };
}

function received(client: ClientSocket, event: string, count: number): Promise<unknown[]> {
  const got: unknown[] = [];
  return new Promise((resolve) => {
    client.on(event, (value: unknown) => {
      got.push(value);
      if (got.length === count) resolve(got);
    });
  });
}

describe('oneWritePerIteration', () => {
  it('sends the packets emitted to a socket in one tick in one write, in order, before the iteration ends', async () => {
    const { server, client, writes } = await rig('websocket');
    const all = received(client, 'n', 20);
    for (let i = 0; i < 20; i++) server.emit('n', i);
    const atIterationEnd = await new Promise<number>((resolve) => setImmediate(() => resolve(writes())));
    expect(await all).toEqual([...Array(20).keys()]);
    expect(atIterationEnd).toBe(1);
    expect(writes()).toBe(1);
  });

  it("sends an event's update and its acknowledgement in one write", async () => {
    const { server, client, writes } = await rig('websocket');
    server.on('say', (text: string, ack: (reply: string) => void) => {
      server.emit('update', text);
      ack('ok');
    });
    const update = received(client, 'update', 1);
    const reply = await client.emitWithAck('say', 'hello');
    expect(reply).toBe('ok');
    expect(await update).toEqual(['hello']);
    expect(writes()).toBe(1);
  });

  it('keeps later iterations apart: each leaves in its own write, none waits for the next', async () => {
    const { server, client, writes } = await rig('websocket');
    const all = received(client, 'n', 3);
    for (let i = 0; i < 3; i++) {
      server.emit('n', i);
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes()).toBe(i + 1);
    }
    expect(await all).toEqual([0, 1, 2]);
  });

  it("lets a server disconnect's last packets out before the close", async () => {
    const { server, client } = await rig('websocket');
    const all = received(client, 'n', 2);
    const reason = new Promise((resolve) => client.once('disconnect', resolve));
    server.emit('n', 0);
    server.emit('n', 1);
    server.disconnect(true);
    expect(await all).toEqual([0, 1]);
    expect(await reason).toBe('io server disconnect');
  });

  it('neither throws nor leaks when the socket is destroyed with packets held', async () => {
    const { server } = await rig('websocket');
    const gone = new Promise((resolve) => server.once('disconnect', resolve));
    server.emit('n', 0);
    server.conn.request.socket.destroy();
    await gone;
    // The next iteration's packets for other sockets are not held up by the closed one.
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.conn.readyState).toBe('closed');
  });

  it('leaves a polling connection as Socket.IO runs it', async () => {
    const { server, client } = await rig('polling');
    const all = received(client, 'n', 5);
    for (let i = 0; i < 5; i++) server.emit('n', i);
    expect(await all).toEqual([0, 1, 2, 3, 4]);
    expect(server.conn.transport.name).toBe('polling');
  });
});
