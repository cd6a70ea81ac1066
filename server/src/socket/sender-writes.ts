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

/**
 * How an acknowledgement leaves: `answering` just before it is handed to Socket.IO, `answered` right after when
 * `answering` said true. Generic in the socket so that the ack handler can take it whatever it is given as `this`.
 */
export interface AckWrites<C> {
  answering(on: C): boolean;
  answered(on: C): void;
}

/** Acknowledgements sent as they are, nothing held (Redis mode). */
export const PLAIN_ACKS: AckWrites<unknown> = { answering: () => false, answered: () => undefined };

/** The raw TCP socket of a connection held by senderWrites (only websocket-opened ones are). */
const rawOf = (conn: Connection): NetSocket => conn.request.socket;

/**
 * One write for a sender's update and its acknowledgement.
 *
 * engine.io's websocket transport hands ws one frame per packet and ws writes each at once, so a seat that sends a
 * public message gets its update and its acknowledgement as two `write` calls. Here only the sending connection is
 * held: from the moment an event asking for an acknowledgement is read from it until the acknowledgement is handed
 * to Socket.IO (`answering`, called by the ack handler), which makes the transport writable again and corks the TCP
 * socket, so that the flush of update and ack leaves in one `writev` when `answered` uncorks it. No other socket is
 * held, and nothing waits past the iteration: one `setImmediate` per process lets go of every hold still open. Wired in
 * memory mode only (io-server.ts): with Redis the ack follows a round trip, so the hold merges nothing and costs. A hold over the whole iteration for every
 * socket (eddf734, reverted by 2a24138 and 5087d12) made every packet wait for the rest of the poll phase.
 *
 * The ack is met where it is sent rather than by listening to every packet (engine.io's `packetCreate`, `flush`
 * and `drain`): listeners there ran for each of the six deliveries of every message, about 2 % of the server's CPU
 * per delivery on Node 20 (docs/performance.md, "The sender's hold without per-packet listeners").
 *
 * Only what engine.io and Node make public is used: the transport's `writable` flag and `ready` event, the
 * connection's `packet` event, and the handshake request's socket, which is the websocket's only when the
 * connection opened as a websocket; one opened with polling is left alone.
 */
export function senderWrites(engine: Engine): AckWrites<{ conn: Connection }> {
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
      const raw = rawOf(conn);
      raw.cork();
      conn.transport.writable = true;
      conn.transport.emit('ready');
      raw.uncork();
    }
    due.length = 0;
    spare = due;
  }

  engine.on('connection', (conn: Connection) => {
    if (conn.transport.name !== 'websocket') return;
    conn.on('packet', (packet: { type: string; data?: unknown }) => {
      // Not writable: a write is in flight, and engine.io keeps what is sent meanwhile until its callback anyway.
      if (packet.type !== 'message' || !conn.transport.writable || !asksForAck(packet.data)) return;
      conn.transport.writable = false;
      holding.add(conn);
      if (held.length === 0) setImmediate(release);
      held.push(conn);
    });
  });

  return {
    answering({ conn }) {
      // A closed connection has dropped its buffer: nothing to let go, nothing to cork.
      if (!holding.delete(conn) || conn.readyState === 'closed') return false;
      // Writable again: the ack's own flush takes the held update with it, corked into one write.
      rawOf(conn).cork();
      conn.transport.writable = true;
      return true;
    },
    answered({ conn }) {
      rawOf(conn).uncork();
    },
  };
}
