/**
 * One write for a sender's update and its acknowledgement (sender-writes.ts): the two leave together; no other
 * socket waits for the ack; an ack that comes after the iteration does not hold the update back; polling untouched.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Server, type Socket } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { senderWrites } from '../src/socket/sender-writes.ts';

interface Peer {
  server: Socket;
  client: ClientSocket;
  /** The net.Socket's writes (write or writev calls) since the client connected. */
  writes(): number;
}

const open: Array<{ http: HttpServer; io: Server; clients: ClientSocket[] }> = [];

afterEach(async () => {
  for (const { http, io, clients } of open.splice(0)) {
    for (const client of clients) client.close();
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

async function rig(transport: 'websocket' | 'polling'): Promise<{ io: Server; sender: Peer; other: Peer }> {
  const http = createServer();
  const io = new Server(http);
  senderWrites(io.engine);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const clients: ClientSocket[] = [];
  open.push({ http, io, clients });
  const out: Peer[] = [];
  for (let i = 0; i < 2; i++) {
    const serverSide = new Promise<Socket>((resolve) => io.once('connection', resolve));
    const client = connect(`http://127.0.0.1:${port}`, { transports: [transport], upgrade: false, reconnection: false, forceNew: true });
    clients.push(client);
    const server = await serverSide;
    await new Promise<void>((resolve) => (client.connected ? resolve() : client.once('connect', () => resolve())));
    out.push({ server, client, writes: () => 0 });
  }
  // Let the handshakes' own packets leave before counting.
  await new Promise((resolve) => setTimeout(resolve, 20));
  for (const peer of out) peer.writes = countWrites(peer.server.conn.request.socket);
  const [sender, other] = out as [Peer, Peer];
  return { io, sender, other };
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

describe('senderWrites', () => {
  oneWriteCases();
  leftAloneCases();
});

/** An update and its acknowledgement in one write, another socket's update first, and a later acknowledgement. */
function oneWriteCases(): void {
  it("sends an event's update and its acknowledgement (after a microtask, as a command's) in one write", async () => {
    const { io, sender } = await rig('websocket');
    sender.server.on('say', (text: string, ack: (reply: string) => void) => {
      io.emit('update', text);
      void Promise.resolve().then(() => ack('ok'));
    });
    const update = received(sender.client, 'update', 1);
    expect(await sender.client.emitWithAck('say', 'hello')).toBe('ok');
    expect(await update).toEqual(['hello']);
    expect(sender.writes()).toBe(1);
  });

  it("writes another socket's update before the sender's acknowledgement", async () => {
    const { io, sender, other } = await rig('websocket');
    let otherWritesAtAck = -1;
    sender.server.on('say', (text: string, ack: (reply: string) => void) => {
      io.emit('update', text);
      void Promise.resolve().then(() => {
        otherWritesAtAck = other.writes();
        ack('ok');
      });
    });
    const seen = received(other.client, 'update', 1);
    await sender.client.emitWithAck('say', 'hello');
    expect(await seen).toEqual(['hello']);
    expect(otherWritesAtAck).toBe(1);
  });

  it('lets the update go at the end of the iteration when the acknowledgement comes later', async () => {
    const { io, sender } = await rig('websocket');
    let writesBeforeAck = -1;
    sender.server.on('say', (text: string, ack: (reply: string) => void) => {
      io.emit('update', text);
      setTimeout(() => {
        writesBeforeAck = sender.writes();
        ack('ok');
      }, 20);
    });
    const update = received(sender.client, 'update', 1);
    await sender.client.emitWithAck('say', 'hello');
    expect(await update).toEqual(['hello']);
    expect(writesBeforeAck).toBe(1);
    expect(sender.writes()).toBe(2);
  });
}

/** What is left as it is: an event without acknowledgement, a destroyed sender, a polling connection. */
function leftAloneCases(): void {
  it('leaves an event without an acknowledgement alone', async () => {
    const { io, sender } = await rig('websocket');
    let writesAfterHandler = -1;
    sender.server.on('say', (text: string) => {
      io.emit('update', text);
      writesAfterHandler = sender.writes();
    });
    const update = received(sender.client, 'update', 1);
    sender.client.emit('say', 'hello');
    expect(await update).toEqual(['hello']);
    expect(writesAfterHandler).toBe(1);
  });

  it('neither throws nor leaks when the sender is destroyed while held', async () => {
    const { io, sender } = await rig('websocket');
    const gone = new Promise((resolve) => sender.server.once('disconnect', resolve));
    sender.server.on('say', (text: string) => {
      io.emit('update', text);
      sender.server.conn.request.socket.destroy();
    });
    sender.client.emit('say', 'hello', () => undefined);
    await gone;
    await new Promise((resolve) => setImmediate(resolve));
    expect(sender.server.conn.readyState).toBe('closed');
  });

  it('leaves a polling connection as Socket.IO runs it', async () => {
    const { io, sender } = await rig('polling');
    sender.server.on('say', (text: string, ack: (reply: string) => void) => {
      io.emit('update', text);
      ack('ok');
    });
    const update = received(sender.client, 'update', 1);
    expect(await sender.client.emitWithAck('say', 'hello')).toBe('ok');
    expect(await update).toEqual(['hello']);
    expect(sender.server.conn.transport.name).toBe('polling');
  });
}
