import { clientAddress, type TrustProxy } from '../http/client-address.ts';
import type { OwnBots } from '../http/own-bots.ts';
import type { Metrics } from '../metrics.ts';
import type { RubiconSocket } from './types.ts';

/** What a namespace middleware refuses with: Socket.IO sends `message` and `data` in the client's connect_error. */
type Refusal = Error & { data?: unknown };

/**
 * How many sockets each client address holds open on this process without
 * having said a successful hello. Counted per process, not in Redis: an open
 * connection lives on one process and costs that process's memory, and a
 * shared count would outlive a killed process (its sockets gone, its counts
 * never given back) and lock an address out. The hello deadline bounds how
 * long each counted socket lasts; this bounds how many there are at once.
 */
export class AnonymousSockets {
  private readonly open = new Map<string, number>();
  private readonly releases = new WeakMap<RubiconSocket, () => void>();

  constructor(readonly cap: number) {}

  /** Counts `socket` against `address`; false (counting nothing) when the address already holds `cap`. */
  admit(socket: RubiconSocket, address: string): boolean {
    const held = this.open.get(address) ?? 0;
    if (held >= this.cap) return false;
    this.open.set(address, held + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.releases.delete(socket);
      const left = (this.open.get(address) ?? 1) - 1;
      if (left > 0) this.open.set(address, left);
      else this.open.delete(address);
    };
    this.releases.set(socket, release);
    // The engine's connection closes however the socket ends, even before it is handed to the namespace.
    socket.conn.once('close', release);
    return true;
  }

  /** The socket said a successful hello (or recovered its grant): it no longer counts. */
  release(socket: RubiconSocket): void {
    this.releases.get(socket)?.();
  }

  /** Open anonymous sockets of `address` on this process (for tests and metrics). */
  heldBy(address: string): number {
    return this.open.get(address) ?? 0;
  }
}

/**
 * The namespace middleware that refuses a socket past its address's cap,
 * with a connect_error the client can read (`data.code` "rate_limited",
 * `data.retryAfterMs`), and then closes its connection at once rather than
 * leave it to Socket.IO's 45 s connect timeout. This process's own bots are
 * not counted.
 */
export function anonymousCap(
  anonymous: AnonymousSockets,
  deps: { trustProxy: TrustProxy; ownBots: OwnBots; metrics: Metrics; retryAfterMs: number },
): (socket: RubiconSocket, next: (err?: Refusal) => void) => void {
  return (socket, next) => {
    if (deps.ownBots.carries(socket.request.headers)) return next();
    if (anonymous.admit(socket, clientAddress(socket.request, deps.trustProxy))) return next();
    deps.metrics.refusals.inc({ code: 'anonymous_sockets' });
    const err: Refusal = new Error('Too many connections from this address are waiting to say hello; try again in a few seconds.');
    err.data = { code: 'rate_limited', retryAfterMs: deps.retryAfterMs };
    next(err);
    // Socket.IO sends the refusal on the next tick; closing waits for it to be written.
    setImmediate(() => socket.conn.close());
  };
}
