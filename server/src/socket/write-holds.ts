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

export interface WriteHolds {
  /** Hold the connection an event asking for an acknowledgement was read from until that acknowledgement. */
  sender: boolean;
  /** Once the loop iteration has read more than this many messages, hold every websocket written to until its end; 0: never. */
  burstAfter: number;
}

/**
 * Fewer `write` calls per websocket, the one place that holds a socket's writes.
 *
 * engine.io's websocket transport hands ws one frame per packet and ws writes each at once: a seat that sends a
 * public message gets its update and its acknowledgement as two writes, a socket sent N packets in an iteration N.
 * Two holds, each over engine.io's own buffer, each let go at the latest by one `setImmediate` at the iteration's end:
 *
 * - the sender: from reading an event that asks for an acknowledgement until that acknowledgement is handed to
 *   engine.io, which then flushes update and ack together. No other socket waits.
 * - a burst: once the iteration has read more than `burstAfter` messages, every websocket written to is held until
 *   the iteration's end, so a burst's later packets leave in one write per socket. Quiet iterations, and a burst's
 *   first `burstAfter` messages, are written at once: holding every packet of every iteration (eddf734, reverted by
 *   2a24138 and 5087d12) made each wait for the rest of the poll phase and worsened the p99 at the goal's rate.
 *
 * Only what engine.io and Node make public is used: the transport's `writable` flag and `ready` event, the
 * connection's `packet`, `packetCreate`, `flush` and `drain` events, and the handshake request's socket, which is
 * the websocket's only when the connection opened as a websocket; one opened with polling is counted, never held.
 */
export function holdWrites(engine: Engine, holds: WriteHolds): void {
  let held: Connection[] = [];
  let spare: Connection[] = [];
  const holding = new WeakSet<Connection>();
  // Messages read since the last check phase: past `burstAfter`, the poll phase is a burst.
  let read = 0;
  const bursting = (): boolean => holds.burstAfter > 0 && read > holds.burstAfter;

  function endIteration(): void {
    read = 0;
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

  // Not writable: a write is in flight, and engine.io keeps what is sent meanwhile until its callback anyway.
  function hold(conn: Connection): void {
    if (!conn.transport.writable) return;
    conn.transport.writable = false;
    holding.add(conn);
    held.push(conn);
  }

  engine.on('connection', (conn: Connection) => {
    const websocket = conn.transport.name === 'websocket';
    conn.on('packet', (packet: { type: string; data?: unknown }) => {
      if (packet.type !== 'message') return;
      if (read++ === 0) setImmediate(endIteration);
      if (websocket && holds.sender && asksForAck(packet.data)) hold(conn);
    });
    if (!websocket) return;
    // Emitted before engine.io buffers the packet and flushes: writable again, that flush takes all held with it.
    conn.on('packetCreate', (packet: { data?: unknown }) => {
      if (bursting()) hold(conn);
      else if (isAck(packet.data) && holding.delete(conn)) conn.transport.writable = true;
    });
    // ws writes a single frame in one go already, so only a flush of several packets is corked.
    const raw: NetSocket = conn.request.socket;
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
