import { rateLimited } from '../limits/limits.ts';
import type { RubiconSocket } from './types.ts';

/**
 * How many sockets on this process hold a grant of each token (keyed by the token's hash), at most `cap`
 * each: a valid token must not buy an unbounded number of sockets, each with its memory, its updates to
 * encode and send, and its share of the process's file descriptors. A socket counts once under the token
 * of the grant it holds, however many hellos it says; a hello with another token moves it. Counted per
 * process, for the reason AnonymousSockets gives: a socket lives on one process, and a count kept in Redis
 * would outlive a killed process's sockets and lock their player out.
 */
export class TokenSockets {
  private readonly held = new Map<string, number>();
  private readonly keys = new WeakMap<RubiconSocket, string>();

  constructor(
    readonly cap: number,
    /** Told to a refused hello: when to say it again (the browser does, until a place frees). */
    private readonly retryAfterMs: number,
  ) {}

  /**
   * Counts `socket` under `key` as it joins a grant of that token (already counted there: nothing to do).
   * Past the cap it throws a `rate_limited` refusal and changes nothing: the socket keeps what it held.
   */
  take(socket: RubiconSocket, key: string): void {
    if (!this.tryTake(socket, key))
      throw rateLimited(
        `This token is already connected on ${this.cap} tabs or devices on this server; close one of them, and this one says hello again by itself.`,
        this.retryAfterMs,
      );
  }

  /** As take, with false instead of the refusal (a recovered socket has no hello to answer). */
  tryTake(socket: RubiconSocket, key: string): boolean {
    if (this.keys.get(socket) === key) return true;
    const n = this.held.get(key) ?? 0;
    if (n >= this.cap) return false;
    this.release(socket);
    this.held.set(key, n + 1);
    this.keys.set(socket, key);
    return true;
  }

  /** The socket holds no grant any more, or went: its place is given back. */
  release(socket: RubiconSocket): void {
    const key = this.keys.get(socket);
    if (key === undefined) return;
    this.keys.delete(socket);
    const left = (this.held.get(key) ?? 1) - 1;
    if (left > 0) this.held.set(key, left);
    else this.held.delete(key);
  }

  /** Sockets holding a grant of the token hashed as `key` on this process (for tests). */
  heldBy(key: string): number {
    return this.held.get(key) ?? 0;
  }
}
