import type { Socket as NetSocket } from 'node:net';
import type { Server, Socket } from 'socket.io';

type Engine = Server['engine'];
type Connection = Socket['conn'];

/**
 * One write per websocket per loop iteration.
 *
 * engine.io's websocket transport hands ws one frame per packet, and ws writes each frame to the net.Socket at once:
 * a seat that sends a public message gets its update and its acknowledgement as two `write` syscalls, a socket sent
 * N packets in one iteration N of them. Here a connection's packets are held in engine.io's own buffer from the
 * first packet of an iteration until one `setImmediate` (per process, per iteration) lets them go, and every flush
 * is corked, so that all a socket is sent in one iteration leaves in one `writev`.
 *
 * Only what engine.io and Node make public is used: the transport's `writable` flag and its `ready` event (the way
 * engine.io's own transports ask for a flush), the connection's `packetCreate`, `flush` and `drain` events, and the
 * handshake request's socket. That socket is the websocket's only when the connection opened as a websocket; one
 * that opened with polling (and may upgrade later) is left exactly as Socket.IO runs it.
 */
export function oneWritePerIteration(engine: Engine): void {
  let held: Connection[] = [];
  let spare: Connection[] = [];

  // Packets made while the release itself runs (a flush's callbacks) find the transport busy and wait for the write's
  // callback, as engine.io does anyway; packets made inside a check phase are released in the next one.
  function release(): void {
    const due = held;
    held = spare;
    for (const conn of due) {
      // A closed connection has dropped its buffer; one that is closing still owes its last packets.
      if (conn.readyState === 'closed') continue;
      conn.transport.writable = true;
      conn.transport.emit('ready');
    }
    due.length = 0;
    spare = due;
  }

  engine.on('connection', (conn: Connection) => {
    if (conn.transport.name !== 'websocket') return;
    const raw: NetSocket = conn.request.socket;
    conn.on('packetCreate', () => {
      // Not writable: a write is in flight (engine.io keeps the packet until its callback) or the packet is held.
      if (!conn.transport.writable) return;
      conn.transport.writable = false;
      if (held.length === 0) setImmediate(release);
      held.push(conn);
    });
    // engine.io emits these around its transport's send, synchronously: the frames of one flush leave in one writev.
    conn.on('flush', () => raw.cork());
    conn.on('drain', () => raw.uncork());
  });
}
