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
 * engine.io emits `packetCreate` for every packet and `flush` and `drain` for every flush; an emit with no listener
 * returns at once. So a connection listens to them only while it is held, until its held flush has drained or the
 * hold is let go: every other recipient of a broadcast runs no Rubicon code for it. The listeners are made once per
 * connection and attached and detached, so a hold allocates nothing.
 *
 * Only what engine.io and Node make public is used: the transport's `writable` flag and `ready` event, the
 * connection's `packet`, `packetCreate`, `flush` and `drain` events, and the handshake request's socket, which is
 * the websocket's only when the connection opened as a websocket; one opened with polling is left alone.
 */
export function senderWrites(engine: Engine): void {
  let held: Hold[] = [];
  let spare: Hold[] = [];

  function release(): void {
    const due = held;
    held = spare;
    for (const hold of due) hold.letGo();
    due.length = 0;
    spare = due;
  }

  engine.on('connection', (conn: Connection) => {
    if (conn.transport.name !== 'websocket') return;
    const hold = new Hold(conn, conn.request.socket);
    conn.on('packet', (packet: { type: string; data?: unknown }) => {
      // Not writable: a write is in flight, and engine.io keeps what is sent meanwhile until its callback anyway.
      if (packet.type !== 'message' || !conn.transport.writable || !asksForAck(packet.data)) return;
      hold.start();
      if (held.length === 0) setImmediate(release);
      held.push(hold);
    });
  });
}

/** One connection's hold: its listeners, made once, are on the connection only from `start` until its flush drains or `letGo`. */
class Hold {
  private holding = false;
  private listening = false;
  private corked = false;

  constructor(
    private readonly conn: Connection,
    private readonly raw: NetSocket,
  ) {}

  start(): void {
    this.conn.transport.writable = false;
    this.holding = true;
    if (this.listening) return;
    this.listening = true;
    this.conn.on('packetCreate', this.onPacketCreate);
    this.conn.on('flush', this.onFlush);
    this.conn.on('drain', this.onDrain);
  }

  /** At the iteration's end: a hold the ack did not end lets its packets go now. */
  letGo(): void {
    if (this.holding) {
      this.holding = false;
      // A closed connection has dropped its buffer; one that is closing still owes its last packets.
      if (this.conn.readyState !== 'closed') {
        this.conn.transport.writable = true;
        this.conn.transport.emit('ready');
      }
    }
    // Still listening: nothing was buffered, so no flush came to detach them.
    this.stopListening();
  }

  private stopListening(): void {
    if (!this.listening) return;
    this.listening = false;
    this.conn.off('packetCreate', this.onPacketCreate);
    this.conn.off('flush', this.onFlush);
    this.conn.off('drain', this.onDrain);
  }

  // Emitted before engine.io buffers the packet and flushes: writable again, that flush takes all held with it.
  private readonly onPacketCreate = (packet: { data?: unknown }): void => {
    if (this.holding && isAck(packet.data)) {
      this.holding = false;
      this.conn.transport.writable = true;
    }
  };

  // ws writes a single frame in one go already, so only a flush of several packets is corked.
  private readonly onFlush = (packets: readonly unknown[]): void => {
    this.corked = packets.length > 1;
    if (this.corked) this.raw.cork();
  };

  private readonly onDrain = (): void => {
    if (this.corked) this.raw.uncork();
    this.corked = false;
    // The held flush has gone; a flush while still held cannot happen (not writable), so this one is it.
    if (!this.holding) this.stopListening();
  };
}
