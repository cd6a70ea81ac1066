import type { Clock, Grant } from '../store/types.ts';
import { endedAt } from './access.ts';
import { ServiceError } from './service-error.ts';
import type { LoadedSession, SessionService } from './session-service.ts';

/** The refusal of a token whose session ended longer ago than tokens live, on hello, REST and a live socket alike. */
export function tokensExpired(): ServiceError {
  return new ServiceError('unauthorized', 'This session ended a while ago; its tokens have expired.');
}

/**
 * When the secrets' clocks start: the outcome's time by the log, or when the session was created here
 * if that is later. A replay or an import of a file that ended weeks ago (or a simulated game, whose
 * log counts from 0) is a session that starts now: its tokens must not be born expired.
 */
export function clocksStart({ meta, state }: Pick<LoadedSession, 'meta' | 'state'>): number | null {
  const ended = endedAt(state);
  return ended === null ? null : Math.max(ended, meta.createdAt);
}

/**
 * When a session's tokens stop working: `ttlMs` after its clocks start. Asked by hello and REST
 * (SessionDirectory.checkGrant), by every command of a live socket, and by the drops at expiry.
 */
export class TokenExpiry {
  constructor(
    private readonly service: SessionService,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** The last moment the session's tokens work, by this copy of it; null while its game has not ended. */
  lastWork(session: LoadedSession): number | null {
    const start = clocksStart(session);
    return start === null ? null : start + this.ttlMs;
  }

  /** Whether this process's copy of the session says the grant's tokens still work: the answer of nearly every command, taken without a promise. */
  liveHere(grant: Grant): boolean {
    const held = this.service.peek(grant.sessionId);
    return held !== undefined && !this.expired(held);
  }

  /**
   * Whether a grant already in use (a live socket's) has expired since: asked for every command, so it
   * takes no round trip while the copy this process holds says the tokens still work. An expiry is
   * confirmed on the log as it is, since a rewind un-ends a game. A revocation needs no such check:
   * it drops the sockets at once.
   */
  async grantExpired(grant: Grant, deadline?: number): Promise<boolean> {
    if (this.liveHere(grant)) return false;
    return this.sessionExpired(grant.sessionId, deadline);
  }

  /** Whether the session's tokens have expired, by the log as it is (a rewind un-ends a game). */
  sessionExpired(sessionId: string, deadline?: number): Promise<boolean> {
    return this.service.withSession(sessionId, (session) => this.expired(session), deadline);
  }

  private expired(session: LoadedSession): boolean {
    const last = this.lastWork(session);
    return last !== null && this.clock.now() > last;
  }
}
