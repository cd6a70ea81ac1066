import type { Socket as NetSocket } from 'node:net';
import type { Server, Socket } from 'socket.io';

type Engine = Server['engine'];
type Connection = Socket['conn'];

/** An engine.io message carrying a Socket.IO EVENT that asks for an acknowledgement: `2`, an optional `/nsp,`, digits. */
function asksForAck(data: unknown): boolean {
  if (typeof data !== 'string' || data.charCodeAt(0) !== 0x32) return false;
  let i = 1;
  if (data.charCodeAt(1) === 0x2f) {
    i = data.indexOf(',', 1) + 1;
    if (i === 0) return false;
  }
  const c = data.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

/** A Socket.IO ACK (`3`) or BINARY_ACK (`6`) packet as engine.io is handed it. */
function isAck(data: unknown): boolean {
  if (typeof data !== 'string') return false;
  const c = data.charCodeAt(0);
  return c === 0x33 || c === 0x36;
}

/**
 * One write for a sender's update and its acknowledgement.
 *
 * engine.io's websocket transport hands ws one frame per packet and ws writes each at once, so a seat that sends a
 * public message gets its update and its acknowledgement as two `write` calls. Here only the sending connection is
 * held: from the moment an event asking for an acknowledgement is read from it until the acknowledgement is handed
 * to engine.io, which then flushes update and ack together, corked into one `writev`. No other socket is held, and
 * nothing waits past the iteration: one `setImmediate` per process lets go of every hold still open. Wired in
 * memory mode only (io-server.ts): with Redis the ack follows a round trip, so the hold merges nothing and costs. A hold over the whole iteration for every
 * socket (eddf734, reverted by 2a24138 and 5087d12) made every packet wait for the rest of the poll phase.
 *
 * Only what engine.io and Node make public is used: the transport's `writable` flag and `ready` event, the
 * connection's `packet`, `packetCreate`, `flush` and `drain` events, and the handshake request's socket, which is
 * the websocket's only when the connection opened as a websocket; one opened with polling is left alone.
 */
export function senderWrites(engine: Engine): void {
  let held: Connection[] = [];
  let spare: Connection[] = [];
  const holding = new WeakSet<Connection>();

  function release(): void {
    const due = held;
    held = spare;
    for (const conn of due) {
      if (!holding.delete(conn)) continue;
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
    conn.on('packet', (packet: { type: string; data?: unknown }) => {
      // Not writable: a write is in flight, and engine.io keeps what is sent meanwhile until its callback anyway.
      if (packet.type !== 'message' || !conn.transport.writable || !asksForAck(packet.data)) return;
      conn.transport.writable = false;
      holding.add(conn);
      if (held.length === 0) setImmediate(release);
      held.push(conn);
    });
    // Emitted before engine.io buffers the packet and flushes: writable again, that flush takes all held with it.
    conn.on('packetCreate', (packet: { data?: unknown }) => {
      if (isAck(packet.data) && holding.delete(conn)) conn.transport.writable = true;
    });
    // ws writes a single frame in one go already, so only a flush of several packets is corked.
    let corked = false;
    conn.on('flush', (packets: readonly unknown[]) => {
      corked = packets.length > 1;
      if (corked) raw.cork();
    });
    conn.on('drain', () => {
      if (corked) raw.uncork();
      corked = false;
    });
  });
}
