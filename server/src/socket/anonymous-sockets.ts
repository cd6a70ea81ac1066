import { clientAddress, type TrustProxy } from '../http/client-address.ts';
import type { OwnBots } from '../http/own-bots.ts';
import type { Metrics } from '../metrics.ts';
import { RETRY_AFTER_MS } from '../session/service-error.ts';
import { StoreUnavailableError } from '../store/redis-availability.ts';
import type { PlaceBook, SharedPlaces } from './shared-places.ts';
import type { RubiconSocket } from './types.ts';

/** What a namespace middleware refuses with: Socket.IO sends `message` and `data` in the client's connect_error. */
type Refusal = Error & { data?: unknown };

/**
 * Why a socket goes while its engine.io connection stays open: it or the server left the namespace. The browser
 * client then closes the connection itself; one that does not would keep it open for good (a pong a heartbeat),
 * counted by nothing. Socket.IO's connectTimeout, the hello deadline here (io-server.ts), closes one that never
 * joins the namespace.
 */
const CONNECTION_LEFT_OPEN: ReadonlySet<string> = new Set(['client namespace disconnect', 'server namespace disconnect']);

/** Whether a socket may stay anonymous: counted; its address at the cap; or the shared count not reached in time. */
export type AnonymousPlace = 'counted' | 'full' | 'unavailable';

/**
 * The sockets that hold no confirmed grant ("anonymous"), and the two rules they live by: per client address
 * at most `cap` at once, and each closed `timeoutMs` after it became anonymous unless a hello is confirmed
 * first. A socket becomes anonymous when it connects and again when it loses a grant its hello had confirmed
 * (a later hello of it refused after its join by an outage), and only then: a hello that joins and is then
 * refused never made it anything else, so its deadline runs on from where it was and a client cannot keep a
 * socket open by saying hellos that fail. Counted on this process, and with Redis (`shared`) across every
 * process sharing it, as the sockets per token are (shared-places.ts): each place leased, so that a killed
 * process's come back within the lease. A process never holds more than `cap` of an address itself, so at
 * the cap here a socket is refused without asking Redis.
 */
export class AnonymousSockets implements PlaceBook {
  /** The sockets counted here per address, oldest first: those whose shared take is on its way too. */
  private readonly open = new Map<string, Set<RubiconSocket>>();
  /** The address each socket is counted against; null for this process's own bots, never counted. */
  private readonly addresses = new WeakMap<RubiconSocket, string | null>();
  /** Each anonymous socket's deadline: when it must have said hello by, and the timer that closes it then. */
  private readonly deadlines = new WeakMap<RubiconSocket, { at: number; timer: NodeJS.Timeout }>();
  private readonly shared: SharedPlaces | null;

  constructor(
    readonly cap: number,
    readonly timeoutMs: number,
    /** With Redis: the count across processes, kept with this as this process's part of it. */
    share?: (book: PlaceBook) => SharedPlaces,
  ) {
    this.shared = share ? share(this) : null;
  }

  /** Before the socket is handed to the namespace: counted, or refused (counting nothing); with Redis, once the shared count answers. */
  admit(socket: RubiconSocket, address: string | null): AnonymousPlace | Promise<AnonymousPlace> {
    this.addresses.set(socket, address);
    // The engine's connection closes however the socket ends, even before it is handed to the namespace.
    socket.conn.once('close', () => this.uncount(socket));
    return this.count(socket);
  }

  /** The socket is connected: its deadline starts now, unless it recovered its session (and so its grant). */
  connected(socket: RubiconSocket): void {
    socket.once('disconnect', (reason) => {
      this.granted(socket);
      // Left open, its engine.io connection would hold no socket, which neither the cap nor the deadline counts.
      if (CONNECTION_LEFT_OPEN.has(reason)) socket.conn.close();
    });
    if (socket.data.grant) this.granted(socket);
    else this.startDeadline(socket);
  }

  /** A hello of this socket was confirmed (or the socket went): it no longer counts, and has no deadline. */
  granted(socket: RubiconSocket): void {
    clearTimeout(this.deadlines.get(socket)?.timer);
    this.deadlines.delete(socket);
    this.uncount(socket);
  }

  /**
   * The socket lost its grant and stays. Anonymous already (its hello joined and was refused): it stays
   * counted and its deadline runs on, and if that passed meanwhile, it is closed. Otherwise it becomes
   * anonymous now: counted again, and closed if its address holds `cap` already or (with Redis) the shared
   * count cannot be reached; given `timeoutMs` from now. A close waits a turn so that its client reads the
   * hello's refusal first.
   */
  lostGrant(socket: RubiconSocket): void {
    const close = () => setImmediate(() => socket.disconnect(true));
    const deadline = this.deadlines.get(socket);
    if (deadline) {
      if (performance.now() >= deadline.at) close();
      return;
    }
    const decide = (place: AnonymousPlace) => {
      // A hello confirmed meanwhile, or the socket gone: nothing of this stands.
      if (!socket.connected || socket.data.grant) return;
      if (place === 'counted') this.startDeadline(socket);
      else close();
    };
    const counting = this.count(socket);
    if (counting instanceof Promise) void counting.then(decide);
    else decide(counting);
  }

  /** Open anonymous sockets of `address` on this process (for tests and metrics). */
  heldBy(address: string): number {
    return this.open.get(address)?.size ?? 0;
  }

  places(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [address, sockets] of this.open) out.set(address, [...sockets].map((s) => s.id));
    return out;
  }

  holdersOf(address: string): readonly RubiconSocket[] {
    return [...(this.open.get(address) ?? [])];
  }

  /** On shutdown; `release: false` stands in for a killed process, which gives nothing back. */
  close(options: { release: boolean }): Promise<void> {
    return this.shared?.close(options) ?? Promise.resolve();
  }

  /** Counts the socket against its address (its own bots: nothing to count); refused past the cap here, then in Redis. */
  private count(socket: RubiconSocket): AnonymousPlace | Promise<AnonymousPlace> {
    const address = this.addresses.get(socket) ?? null;
    if (address === null) return 'counted';
    const sockets = this.open.get(address) ?? new Set<RubiconSocket>();
    if (sockets.size >= this.cap) return 'full';
    sockets.add(socket);
    this.open.set(address, sockets);
    return this.shared ? this.countShared(socket, address) : 'counted';
  }

  /** The shared take; refused or unanswered, the socket is no longer counted here (the take gave back what it wrote). */
  private async countShared(socket: RubiconSocket, address: string): Promise<AnonymousPlace> {
    const shared = this.shared as SharedPlaces;
    // Kept once the take said yes, while the socket still counts here (one gone meanwhile gives its place back).
    let counted = false;
    const kept = () => counted && this.open.get(address)?.has(socket) === true;
    const admission = await shared.take(socket.id, address, kept).catch((err: unknown) => {
      // An outage is logged once by the store; anything else is a fault of ours.
      if (!(err instanceof StoreUnavailableError)) shared.log.error({ err }, 'the anonymous sockets count failed');
      return 'unavailable' as const;
    });
    if (admission === null || admission === 'unavailable') {
      this.forget(socket, address);
      return admission ?? 'full';
    }
    counted = true;
    admission.settle();
    return 'counted';
  }

  /** No longer counted here, and its place given back in Redis. */
  private uncount(socket: RubiconSocket): void {
    const address = this.addresses.get(socket);
    if (address && this.forget(socket, address)) this.shared?.giveBack(address, socket.id);
  }

  /** No longer counted here; whether it was. */
  private forget(socket: RubiconSocket, address: string): boolean {
    const sockets = this.open.get(address);
    if (!sockets?.delete(socket)) return false;
    if (sockets.size === 0) this.open.delete(address);
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

/** Connections refused because the shared count (Redis) did not answer: connect again shortly, as a hello refused so is said again. */
const UNAVAILABLE_RETRY_MS = RETRY_AFTER_MS;

/** The connect_error of a socket that may not stay anonymous, with what the client reads in `data`. */
function refusal(place: 'full' | 'unavailable', timeoutMs: number): Refusal {
  if (place === 'full') {
    const err: Refusal = new Error('Too many connections from this address are waiting to say hello; try again in a few seconds.');
    err.data = { code: 'rate_limited', retryAfterMs: timeoutMs };
    return err;
  }
  const err: Refusal = new Error('The server could not count this connection just now; connect again in a moment.');
  err.data = { code: 'unavailable', retryAfterMs: UNAVAILABLE_RETRY_MS };
  return err;
}

/**
 * The namespace middleware that refuses a socket past its address's cap,
 * with a connect_error the client can read (`data.code` "rate_limited",
 * `data.retryAfterMs`), or with Redis when the shared count cannot be
 * reached within STORE_TIMEOUT_MS (`data.code` "unavailable"), and then
 * closes its connection at once rather than leave it to Socket.IO's 45 s
 * connect timeout. This process's own bots are not counted.
 */
export function anonymousCap(
  anonymous: AnonymousSockets,
  deps: { trustProxy: TrustProxy; ownBots: OwnBots; metrics: Metrics },
): (socket: RubiconSocket, next: (err?: Refusal) => void) => void {
  const decide = (socket: RubiconSocket, next: (err?: Refusal) => void, place: AnonymousPlace) => {
    if (place === 'counted') return next();
    deps.metrics.refusals.inc({ code: place === 'full' ? 'anonymous_sockets' : 'anonymous_sockets_unavailable' });
    next(refusal(place, anonymous.timeoutMs));
    // Socket.IO sends the refusal on the next tick; closing waits for it to be written.
    setImmediate(() => socket.conn.close());
  };
  return (socket, next) => {
    const address = deps.ownBots.carries(socket.request.headers) ? null : clientAddress(socket.request, deps.trustProxy);
    const place = anonymous.admit(socket, address);
    if (place instanceof Promise) void place.then((p) => decide(socket, next, p));
    else decide(socket, next, place);
  };
}
