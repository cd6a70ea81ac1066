import { ServiceError } from '../session/service-error.ts';
import { RateLimit, budgetOf, type Budget, type LimitStore, type Rate } from './rate-limit.ts';

/** Every limit of one server process, as configured (config.ts documents each). */
export interface LimitsConfig {
  /** Commands (messages included) per seat, or per facilitator access key, across all its sockets. */
  seat: Rate;
  /** Commands per session, all seats and facilitators together. */
  session: Rate;
  /** Per socket: hello, sync and unknown events. */
  socket: Rate;
  /** Per client address: hello, across all its sockets (and, with Redis, all processes). */
  helloPerAddress: Rate;
  /** Per client address: the endpoints that need no token (create, join, import, replays, branch). */
  httpPerAddress: Rate;
  /** Per client address: join codes that match no session. */
  joinFailures: Budget;
  /** Per client address: bytes of session files imported. */
  importBytes: Budget;
}

/** Why something was refused and when to try again, as a typed refusal. */
export function rateLimited(message: string, retryAfterMs: number): ServiceError {
  return new ServiceError('rate_limited', message, { retryAfterMs });
}

/** A wait, in words a person reads: "2 s", "3 min". */
export function waitInWords(ms: number): string {
  return ms < 90_000 ? `${Math.max(1, Math.ceil(ms / 1000))} s` : `${Math.ceil(ms / 60_000)} min`;
}

/**
 * The limits of one app, built once (no module-level state) and handed to
 * the socket server and the routes. Those that must hold across processes
 * count in Redis when there is one; per-socket counts are always local (a
 * socket lives on one process).
 */
export class Limits {
  readonly seat: RateLimit;
  readonly session: RateLimit;
  readonly socket: RateLimit;
  readonly helloPerAddress: RateLimit;
  readonly httpPerAddress: RateLimit;
  readonly joinFailures: RateLimit;
  readonly importBytes: RateLimit;

  constructor(config: LimitsConfig, store: LimitStore) {
    const local: LimitStore = { ...store, redis: null };
    this.seat = new RateLimit('seat', budgetOf(config.seat), store);
    this.session = new RateLimit('session', budgetOf(config.session), store);
    this.socket = new RateLimit('socket', budgetOf(config.socket), local);
    this.helloPerAddress = new RateLimit('hello', budgetOf(config.helloPerAddress), store);
    this.httpPerAddress = new RateLimit('http', budgetOf(config.httpPerAddress), store);
    this.joinFailures = new RateLimit('join-failures', config.joinFailures, store);
    this.importBytes = new RateLimit('import-bytes', config.importBytes, store);
  }

  /**
   * Counts one command against its seat (or facilitator key), then against
   * its session. In that order, so a seat over its own budget spends none of
   * the session's: one flooding seat cannot lock the others out.
   */
  async command(sessionId: string, accessKey: string): Promise<void> {
    const seat = await this.seat.take(`${sessionId}:${accessKey}`);
    if (!seat.allowed) throw rateLimited(`Too many commands from this seat; wait ${waitInWords(seat.retryAfterMs)} and try again.`, seat.retryAfterMs);
    const session = await this.session.take(sessionId);
    if (!session.allowed)
      throw rateLimited(`Too many commands in this session; wait ${waitInWords(session.retryAfterMs)} and try again.`, session.retryAfterMs);
  }
}
