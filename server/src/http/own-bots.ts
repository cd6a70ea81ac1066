import type { IncomingHttpHeaders } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';

const HEADER = 'x-rubicon-own-bot';

/**
 * How a process's own bots pass its per-address limits. Every bot is a client
 * of its own process's listener, from 127.0.0.1, so the limits meant for
 * strangers (the address's requests, wrong join codes, hellos) counted every
 * bot of every session against one address: 25 sessions with four bots each
 * used up the join budget, and the rest were refused until the window ended
 * (the bots then retried every scan, and were refused again). A bot sends a
 * secret this process drew at start and never shows; it passes those limits
 * and nothing else (its code, token, seat and per-seat limits are a player's).
 */
export class OwnBots {
  private readonly secret = randomBytes(32).toString('base64url');

  /** The header a bot sends with its join and its socket's handshake. */
  get headers(): Record<string, string> {
    return { [HEADER]: this.secret };
  }

  /** Whether a request (or a socket's handshake) comes from one of this process's bots. */
  carries(headers: IncomingHttpHeaders): boolean {
    const sent = headers[HEADER];
    if (typeof sent !== 'string') return false;
    const a = Buffer.from(sent);
    const b = Buffer.from(this.secret);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
