import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { rateLimited, waitInWords, type Limits } from '../limits/limits.ts';
import type { RateLimit } from '../limits/rate-limit.ts';
import { ServiceError, unavailable } from '../session/service-error.ts';
import { addressKey } from './client-address.ts';
import type { OwnBots } from './own-bots.ts';

/** The key a request counts against: its address (`req.ip`, which TRUST_PROXY decides), an IPv6 one by its block (`addressKey`). */
export function addressOf(req: { ip?: string | undefined }): string {
  return req.ip === undefined ? 'unknown' : addressKey(req.ip);
}

/** The refusal of a tokenless request over its address's budget. */
function tooManyRequests(retryAfterMs: number): ServiceError {
  return rateLimited(`Too many requests from this address; wait ${waitInWords(retryAfterMs)} and try again.`, retryAfterMs);
}

/**
 * The refusal of a new session over its address's long budget (SESSIONS_PER_ADDRESS), naming that budget: a
 * teacher told only "too many requests" would wait seconds and try again for hours.
 */
function sessionQuotaSpent(limit: RateLimit, retryAfterMs: number): ServiceError {
  const { points, windowSeconds } = limit.budget;
  const budget = `${points} in ${waitInWords(windowSeconds * 1000)}: new, imported, replays and branches together`;
  return rateLimited(`This address has made all the sessions it may (${budget}); try again in ${waitInWords(retryAfterMs)}.`, retryAfterMs);
}

/**
 * Counts each request against its client address, for the endpoints a
 * stranger can call without a token (the public reads; a join counts there too, in `countJoinAttempt`,
 * and a new session in `limitNewSessions`). Past the limit:
 * 429 `rate_limited` with Retry-After. With Redis the count is shared by
 * every process, so more replicas do not mean more requests.
 */
export function limitByAddress(limit: RateLimit, ownBots: OwnBots): RequestHandler {
  return async (req, _res, next) => {
    if (ownBots.carries(req.headers)) return next();
    const verdict = await limit.take(addressOf(req));
    if (verdict.allowed) return next();
    next(tooManyRequests(verdict.retryAfterMs));
  };
}

/** Each request counted by `limitNewSessions`: what its refusal as `sessions_full` does (counted, its place of the day's budget given back). */
const counted = new WeakMap<Request, () => void>();

/**
 * Creating, importing, opening a replay and branching: each request counts against its address as any
 * tokenless request, then against the address's long budget of new sessions (`Limits.newSession`, one
 * check: one wait for Redis, not two). Past either, 429 `rate_limited` with Retry-After and words naming
 * the budget spent. The server's own bots pass, as they pass every per-address limit.
 * A request refused `sessions_full` gets its place of the day's budget back (not of the request budget),
 * in `givesBackWhenFull`: it stored nothing, for nothing the address did, and a school behind one address
 * that kept trying while the store was full would otherwise be shut out for the rest of the day once places free.
 */
export function limitNewSessions(limits: Limits, ownBots: OwnBots, refused: (reason: NewSessionRefusal) => void): RequestHandler {
  return async (req, _res, next) => {
    if (ownBots.carries(req.headers)) return next();
    const address = addressOf(req);
    const counting = limits.newSession(address);
    const verdict = counting instanceof Promise ? await counting : counting;
    if (!verdict.allowed) {
      refused(verdict.link === 0 ? 'requests_per_address' : 'sessions_per_address');
      return next(verdict.link === 0 ? tooManyRequests(verdict.retryAfterMs) : sessionQuotaSpent(limits.sessionsPerAddress, verdict.retryAfterMs));
    }
    counted.set(req, () => {
      refused('sessions_full');
      void limits.sessionsPerAddress.giveBack(address);
    });
    next();
  };
}

/** Why a new session was refused, as /metrics counts it (rubicon_new_session_refusals_total's `reason`). */
export type NewSessionRefusal = 'sessions_full' | 'sessions_per_address' | 'requests_per_address';

/**
 * After the routes: a request refused `sessions_full` gets its place back as it is refused, not once its answer
 * is sent, which a client gone by then (a timeout, a closed tab) never is: each such request spent a place.
 */
export const givesBackWhenFull: ErrorRequestHandler = (err: unknown, req, _res, next) => {
  if (err instanceof ServiceError && err.code === 'sessions_full') {
    counted.get(req)?.();
    counted.delete(req);
  }
  next(err);
};

/** A join's deadline (performance.now() time), and its refusal once that passed (worded for the store's state). */
export interface JoinBound {
  deadline: number;
  late: () => ServiceError;
}

/**
 * Join-code guessing: each join counts against the address before the code
 * is looked up (so a thousand guesses sent at once are counted as a
 * thousand), and is given back when the code turned out to exist. Only
 * wrong codes use up the budget. The address's request budget is counted in
 * the same check (`Limits.join`): one wait for Redis, not two, so that the
 * join is answered within its bound (`deadline`) during an outage. A join Redis
 * could not count by then is refused unavailable, as its lookup would be.
 */
export async function countJoinAttempt<T>(limits: Limits, address: string, bound: JoinBound, join: () => Promise<T>): Promise<T> {
  const counting = limits.join(address, bound.deadline);
  const verdict = counting instanceof Promise ? await counting : counting;
  if ('uncounted' in verdict) {
    // A late count still lands in Redis; it is given back after it, on the same connection, as a join refused
    // unavailable tells nothing of its code. One never sent (Redis not ready) has nothing to give back.
    if (verdict.uncounted === 'late') void limits.joinFailures.giveBack(address);
    throw verdict.uncounted === 'down' ? unavailable() : bound.late();
  }
  if (!verdict.allowed) {
    if (verdict.link === 0) throw tooManyRequests(verdict.retryAfterMs);
    throw rateLimited(`Too many wrong codes from this address; try again in ${waitInWords(verdict.retryAfterMs)}.`, verdict.retryAfterMs);
  }
  let result: T;
  try {
    result = await join();
  } catch (err) {
    // Not awaited: in an outage giving back waits out a bound of its own, after the join's answer is due.
    if (!(err instanceof ServiceError && err.code === 'not_found')) void limits.joinFailures.giveBack(address);
    throw err;
  }
  await limits.joinFailures.giveBack(address);
  return result;
}
