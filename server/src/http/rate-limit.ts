import type { RequestHandler } from 'express';
import { rateLimited, waitInWords, type Limits } from '../limits/limits.ts';
import type { RateLimit } from '../limits/rate-limit.ts';
import { ServiceError } from '../session/service-error.ts';
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
 * Counts each request against its client address, for the endpoints a
 * stranger can call without a token (creating, importing and branching
 * sessions; a join counts there too, in `countJoinAttempt`). Past the limit:
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

/**
 * Join-code guessing: each join counts against the address before the code
 * is looked up (so a thousand guesses sent at once are counted as a
 * thousand), and is given back when the code turned out to exist. Only
 * wrong codes use up the budget. The address's request budget is counted in
 * the same check (`Limits.join`): one wait for Redis, not two, so that the
 * join is answered within its bound during an outage.
 */
export async function countJoinAttempt<T>(limits: Limits, address: string, join: () => Promise<T>): Promise<T> {
  const counting = limits.join(address);
  const verdict = counting instanceof Promise ? await counting : counting;
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
