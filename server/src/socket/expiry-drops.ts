import type { Logger } from '../logger.ts';
import { settleWithin } from '../settle-within.ts';
import { endedAt } from '../session/access.ts';
import { isOutage } from '../session/service-error.ts';
import type { TokenExpiry } from '../session/token-expiry.ts';
import type { SessionService } from '../session/session-service.ts';
import type { DueTimer, Scheduler } from '../store/types.ts';

export interface ExpiryDropsDeps {
  service: SessionService;
  expiry: TokenExpiry;
  /**
   * This process's own (a MemoryScheduler even with Redis): every process that holds a session arms
   * its own expiry and drops only its own sockets, so no process needs to tell another.
   */
  scheduler: Scheduler;
  /** Drops this process's sockets of the session. */
  drop: (sessionId: string) => void;
  log: Logger;
  /** STORE_TIMEOUT_MS: how long an expiry waits for the session's read before it tries again at a later poll. */
  storeTimeoutMs: number;
}

/** Whether the session's tokens expired; null when that is not known yet (its read is late, or still pending from before). */
type ExpiryRead = (sessionId: string) => Promise<boolean | null>;

/**
 * Each session's expiry read, waited for at most `ms`, and one at a time: a read that stalls (the store, or a
 * long queue) is left to finish, not asked again while it is pending, so stalled reads do not pile up in the
 * session's queue, and the scheduler's poll (which waits for every expiry it delivers) is held `ms` at most,
 * not until the store answers, which would hold every other session's expiry too.
 */
function boundedExpiryRead(expiry: TokenExpiry, ms: number, log: Logger): ExpiryRead {
  const pending = new Map<string, Promise<boolean>>();
  return async (sessionId) => {
    if (pending.has(sessionId)) return null;
    const read = expiry.sessionExpired(sessionId);
    pending.set(sessionId, read);
    const forget = () => void pending.delete(sessionId);
    read.then(forget, forget);
    // Logged once a stall, not at every poll that finds the read still pending.
    return settleWithin(read, ms, () => {
      log.warn({ sessionId }, 'a token expiry read is late: trying again at a later poll');
      return null;
    });
  };
}

/**
 * Drops a session's sockets when its tokens expire, so that a socket that only listens stops
 * receiving updates then, not when some other socket next acts (confirmedGrant) or it reconnects.
 * One pending expiry per ended session this process holds: armed when the game ends here or a
 * session that ended is loaded, moved or cancelled when an entry changes the end (a rewind),
 * cancelled when the session is evicted. When it comes due, the expiry is confirmed on the log.
 */
export function dropAtExpiry(deps: ExpiryDropsDeps): { stop(): Promise<void> } {
  const { service, expiry, scheduler, log } = deps;
  const settle = (work: Promise<void>) => void work.catch((err: unknown) => log.error({ err }, 'could not arm a token expiry'));

  /** Arms (or moves, or cancels) the session's expiry by the copy this process holds. */
  const arm = (sessionId: string): void => {
    const session = service.peek(sessionId);
    const last = session ? expiry.lastWork(session) : null;
    // One past the last moment they work: the poll fires at `at`, TokenExpiry needs `now > last`.
    if (session && last !== null) settle(scheduler.schedule({ sessionId, timerVersion: session.state.version, at: last + 1 }));
    else settle(scheduler.cancel(sessionId));
  };

  service.onApplied((event) => {
    if (endedAt(event.before) !== endedAt(event.after)) arm(event.sessionId);
  });
  service.onHeld((sessionId, held) => (held ? arm(sessionId) : settle(scheduler.cancel(sessionId))));
  const read = boundedExpiryRead(expiry, deps.storeTimeoutMs, log);
  scheduler.start((due) => expire(due, deps, read, arm));
  return { stop: () => scheduler.stop() };
}

async function expire({ sessionId }: DueTimer, deps: ExpiryDropsDeps, read: ExpiryRead, arm: (sessionId: string) => void): Promise<void> {
  // Evicted meanwhile: nobody here to drop, and no reason to load it again.
  if (!deps.service.peek(sessionId)) return;
  try {
    const expired = await read(sessionId);
    // Null, not known within STORE_TIMEOUT_MS: the sockets stay, and a later poll asks again (armed below).
    if (expired) {
      deps.log.info({ sessionId }, 'tokens expired: dropping the session\'s sockets');
      deps.drop(sessionId);
      return;
    }
  } catch (err) {
    // During an outage (which the store logs once) try again at the next poll; anything else would fail again.
    if (!isOutage(err)) return deps.log.error({ err, sessionId }, 'could not confirm a token expiry');
  }
  // Not expired by the log after all (a rewind this process had not heard of), or not confirmed yet, or not known yet.
  arm(sessionId);
}
