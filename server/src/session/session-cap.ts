import type { Logger } from '../logger.ts';
import { SessionsFullError, type CreateOptions } from '../store/types.ts';
import { ServiceError } from './service-error.ts';

/**
 * The store's cap on sessions (MAX_SESSIONS) as the directory meets it: the option every new session is
 * stored under, and the refusal past it. A full store is otherwise silent (its refusal is a typed 507, which
 * the HTTP layer logs nowhere), so the first refusal since this process last stored a session logs one
 * warning for the operator: one line each time the store fills, not one per refused request, which a full
 * store may get twice a second from every address.
 */
export class SessionCap {
  /** How every new session is stored: under the store's cap (0: none). */
  readonly options: CreateOptions;
  private full = false;

  constructor(
    maxSessions: number,
    private readonly log: Logger,
  ) {
    this.options = { maxSessions };
  }

  /** A new session was stored: the store had room. */
  stored(): void {
    this.full = false;
  }

  /** The refusal to answer for `err` if it is the cap's (new codes cannot make room), else null. */
  refusal(err: unknown): ServiceError | null {
    if (!(err instanceof SessionsFullError)) return null;
    if (!this.full) {
      this.log.warn(
        { maxSessions: err.maxSessions },
        'the store holds MAX_SESSIONS sessions: every new one is refused 507 sessions_full until retention removes some or the cap is raised',
      );
    }
    this.full = true;
    return new ServiceError(
      'sessions_full',
      'This server holds as many sessions as it is set to keep, so no new one can be made now; places free as old sessions are removed. Ask the server\'s operator.',
    );
  }
}
