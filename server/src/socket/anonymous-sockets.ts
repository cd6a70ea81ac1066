import { clientAddress, type TrustProxy } from '../http/client-address.ts';
import type { OwnBots } from '../http/own-bots.ts';
import type { Metrics } from '../metrics.ts';
import type { RubiconSocket } from './types.ts';

/** What a namespace middleware refuses with: Socket.IO sends `message` and `data` in the client's connect_error. */
type Refusal = Error & { data?: unknown };

/**
 * The sockets on this process that hold no confirmed grant ("anonymous"), and the two rules they live by:
 * per client address at most `cap` at once, and each closed `timeoutMs` after it became anonymous unless
 * a hello is confirmed first. A socket becomes anonymous when it connects and again when it loses a grant
 * its hello had confirmed (a later hello of it refused after its join by an outage), and only then:
 * a hello that joins and is then refused never made it anything else, so its deadline runs on from where
 * it was and a client cannot keep a socket open by saying hellos that fail. Counted per process, not in
 * Redis: an open connection lives on one process and costs that process's memory, and a shared count would
 * outlive a killed process (its sockets gone, its counts never given back) and lock an address out.
 */
export class AnonymousSockets {
  private readonly open = new Map<string, number>();
  /** The address each socket is counted against; null for this process's own bots, never counted. */
  private readonly addresses = new WeakMap<RubiconSocket, string | null>();
  /** Each counted socket's way to give its place back. */
  private readonly places = new WeakMap<RubiconSocket, () => void>();
  /** Each anonymous socket's deadline: when it must have said hello by, and the timer that closes it then. */
  private readonly deadlines = new WeakMap<RubiconSocket, { at: number; timer: NodeJS.Timeout }>();

  constructor(
    readonly cap: number,
    readonly timeoutMs: number,
  ) {}

  /** Before the socket is handed to the namespace: false (counting nothing) when `address` already holds `cap`. */
  admit(socket: RubiconSocket, address: string | null): boolean {
    this.addresses.set(socket, address);
    if (!this.count(socket)) return false;
    // The engine's connection closes however the socket ends, even before it is handed to the namespace.
    socket.conn.once('close', () => this.places.get(socket)?.());
    return true;
  }

  /** The socket is connected: its deadline starts now, unless it recovered its session (and so its grant). */
  connected(socket: RubiconSocket): void {
    socket.once('disconnect', () => this.granted(socket));
    if (socket.data.grant) this.granted(socket);
    else this.startDeadline(socket);
  }

  /** A hello of this socket was confirmed (or the socket went): it no longer counts, and has no deadline. */
  granted(socket: RubiconSocket): void {
    clearTimeout(this.deadlines.get(socket)?.timer);
    this.deadlines.delete(socket);
    this.places.get(socket)?.();
  }

  /**
   * The socket lost its grant and stays. Anonymous already (its hello joined and was refused): it stays
   * counted and its deadline runs on, and if that passed meanwhile, it is closed. Otherwise it becomes
   * anonymous now: counted again, and closed if its address holds `cap` already; given `timeoutMs` from now.
   * False when it is closed, which waits a turn so that its client reads the hello's refusal first.
   */
  lostGrant(socket: RubiconSocket): boolean {
    const deadline = this.deadlines.get(socket);
    const kept = deadline ? performance.now() < deadline.at : this.count(socket);
    if (kept && !deadline) this.startDeadline(socket);
    if (!kept) setImmediate(() => socket.disconnect(true));
    return kept;
  }

  /** Open anonymous sockets of `address` on this process (for tests and metrics). */
  heldBy(address: string): number {
    return this.open.get(address) ?? 0;
  }

  /** Counts the socket against its address (its own bots: nothing to count); false past the cap. */
  private count(socket: RubiconSocket): boolean {
    const address = this.addresses.get(socket) ?? null;
    if (address === null) return true;
    const held = this.open.get(address) ?? 0;
    if (held >= this.cap) return false;
    this.open.set(address, held + 1);
    this.places.set(socket, () => {
      this.places.delete(socket);
      const left = (this.open.get(address) ?? 1) - 1;
      if (left > 0) this.open.set(address, left);
      else this.open.delete(address);
    });
    return true;
  }

  private startDeadline(socket: RubiconSocket): void {
    const timer = setTimeout(() => {
      // A hello between its join and its confirmation holds a grant for now: lostGrant closes it if refused.
      if (!socket.data.grant) socket.disconnect(true);
    }, this.timeoutMs);
    timer.unref();
    this.deadlines.set(socket, { at: performance.now() + this.timeoutMs, timer });
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
  deps: { trustProxy: TrustProxy; ownBots: OwnBots; metrics: Metrics },
): (socket: RubiconSocket, next: (err?: Refusal) => void) => void {
  return (socket, next) => {
    const address = deps.ownBots.carries(socket.request.headers) ? null : clientAddress(socket.request, deps.trustProxy);
    if (anonymous.admit(socket, address)) return next();
    deps.metrics.refusals.inc({ code: 'anonymous_sockets' });
    const err: Refusal = new Error('Too many connections from this address are waiting to say hello; try again in a few seconds.');
    err.data = { code: 'rate_limited', retryAfterMs: anonymous.timeoutMs };
    next(err);
    // Socket.IO sends the refusal on the next tick; closing waits for it to be written.
    setImmediate(() => socket.conn.close());
  };
}
