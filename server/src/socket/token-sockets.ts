import { rateLimited } from '../limits/limits.ts';
import type { ServiceError } from '../session/service-error.ts';
import type { Admission, PlaceBook } from './shared-places.ts';
import type { RubiconSocket } from './types.ts';

/** A hello's place under its token, taken before its join: given back by `settle` unless the join kept it. */
export type { Admission };

/**
 * The sockets holding each token's grant, at most `cap` of them: in this process (TokenSockets), or with
 * Redis across every process sharing it (shared-token-sockets.ts). A hello calls admit, then take at its
 * join, then settles the admission; a recovering socket's place is reserved before Socket.IO builds it
 * (recovery-guard.ts) and claimed as it connects; a socket that goes calls release.
 */
export interface TokenPlaces {
  readonly cap: number;
  /** Before the join: null when there is nothing to wait for; rejects past the cap, or when the count cannot be reached. */
  admit(socket: RubiconSocket, key: string): Admission | Promise<Admission> | null;
  /** At the join: counts `socket` under `key`, moving it from any other token; past the cap throws and changes nothing. */
  take(socket: RubiconSocket, key: string): void;
  /**
   * A recovering socket's place under `key`, taken by its id before Socket.IO builds it and gives it its
   * rooms, so that a socket past the cap is never in them: false past the cap or when the count cannot be
   * reached (a recovered socket has no hello to answer). Given back unless claimed in time.
   */
  reserve(socketId: string, key: string): boolean | Promise<boolean>;
  /** The recovered socket takes the place reserved for its id; false when none is held for it (it lapsed). */
  claim(socket: RubiconSocket, key: string): boolean;
  /** The socket holds no grant any more, or went: its place is given back. */
  release(socket: RubiconSocket): void;
  /** On shutdown; `release: false` stands in for a killed process, which gives nothing back. */
  close(options: { release: boolean }): Promise<void>;
}

/**
 * The refusal of a hello past its token's cap, wherever it was counted: it names no place ("on this server"),
 * since with Redis the count covers every process sharing it, and the person cannot tell processes apart.
 */
export function tokenCapRefusal(cap: number, retryAfterMs: number): ServiceError {
  return rateLimited(
    `This token is already connected on ${cap} tabs or devices; close one of them, and this one says hello again by itself.`,
    retryAfterMs,
  );
}

/**
 * How many sockets on this process hold a grant of each token (keyed by the token's hash), at most `cap`
 * each: a valid token must not buy an unbounded number of sockets, each with its memory, its updates to
 * encode and send, and its share of the process's file descriptors. A socket counts once under the token
 * of the grant it holds, however many hellos it says; a hello with another token moves it. Alone, the count
 * of a process without Redis; with Redis, SharedTokenSockets keeps it as this process's part of the shared
 * count (which sockets hold what here, and so what to give back when they go).
 */
export class TokenSockets implements TokenPlaces, PlaceBook {
  private readonly held = new Map<string, Set<RubiconSocket>>();
  private readonly keys = new WeakMap<RubiconSocket, string>();
  /** Places reserved for recovering sockets not built yet: socket id → its token, and the timer that gives it back unclaimed. */
  private readonly reserved = new Map<string, { key: string; lapse: NodeJS.Timeout }>();

  constructor(
    readonly cap: number,
    /** Told to a refused hello: when to say it again (the browser does, until a place frees). */
    readonly retryAfterMs: number,
    /** How long a reserved place waits for its socket (one whose connection closed, or a middleware refused, never comes). */
    private readonly reserveMs: number,
  ) {}

  /** Counted at the join, in the same step: nothing to wait for before it. */
  admit(): null {
    return null;
  }

  /**
   * Counts `socket` under `key` as it joins a grant of that token (already counted there: nothing to do).
   * Past the cap it throws a `rate_limited` refusal and changes nothing: the socket keeps what it held.
   */
  take(socket: RubiconSocket, key: string): void {
    if (this.keys.get(socket) === key) return;
    if (this.countOf(key) >= this.cap) throw tokenCapRefusal(this.cap, this.retryAfterMs);
    this.release(socket);
    this.add(socket, key);
  }

  /** `lapsed`: told when the place goes back unclaimed (the shared count gives its place back too). */
  reserve(socketId: string, key: string, lapsed?: () => void): boolean {
    if (this.reserved.has(socketId) || this.countOf(key) >= this.cap) return false;
    const lapse = setTimeout(() => {
      if (this.unreserve(socketId)) lapsed?.();
    }, this.reserveMs);
    lapse.unref();
    this.reserved.set(socketId, { key, lapse });
    return true;
  }

  claim(socket: RubiconSocket, key: string): boolean {
    if (!this.isReserved(socket.id, key)) return false;
    this.unreserve(socket.id);
    this.release(socket);
    this.add(socket, key);
    return true;
  }

  /** Whether a place under `key` is reserved for this id, not yet claimed. */
  isReserved(socketId: string, key: string): boolean {
    return this.reserved.get(socketId)?.key === key;
  }

  /** Drops the place reserved for this id, if any; whether there was one. */
  unreserve(socketId: string): boolean {
    const reserved = this.reserved.get(socketId);
    if (!reserved) return false;
    clearTimeout(reserved.lapse);
    this.reserved.delete(socketId);
    return true;
  }

  /** The places taken under `key` here: sockets holding it and places reserved for recovering ones. */
  private countOf(key: string): number {
    let count = this.held.get(key)?.size ?? 0;
    for (const reserved of this.reserved.values()) if (reserved.key === key) count++;
    return count;
  }

  private add(socket: RubiconSocket, key: string): void {
    const sockets = this.held.get(key) ?? new Set<RubiconSocket>();
    sockets.add(socket);
    this.held.set(key, sockets);
    this.keys.set(socket, key);
  }

  release(socket: RubiconSocket): void {
    const key = this.keys.get(socket);
    if (key === undefined) return;
    this.keys.delete(socket);
    const sockets = this.held.get(key);
    sockets?.delete(socket);
    if (sockets?.size === 0) this.held.delete(key);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** The token `socket` is counted under here, if any. */
  keyOf(socket: RubiconSocket): string | undefined {
    return this.keys.get(socket);
  }

  /**
   * Each token with the ids of its places here: its sockets' (oldest first), then those reserved for recovering
   * ones. A shared count renews them all: a reservation waits up to HELLO_TIMEOUT_MS, longer than a short lease.
   */
  places(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [key, sockets] of this.held) out.set(key, [...sockets].map((s) => s.id));
    for (const [id, { key }] of this.reserved) out.set(key, [...(out.get(key) ?? []), id]);
    return out;
  }

  /** The sockets holding the token hashed as `key` here, oldest first. */
  holdersOf(key: string): readonly RubiconSocket[] {
    return [...(this.held.get(key) ?? [])];
  }

  /** Sockets holding a grant of the token hashed as `key` on this process (for tests). */
  heldBy(key: string): number {
    return this.held.get(key)?.size ?? 0;
  }
}
