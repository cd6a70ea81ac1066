import type { RequestHandler } from 'express';
import { rateLimited, waitInWords } from '../limits/limits.ts';
import type { RateLimit } from '../limits/rate-limit.ts';
import { ServiceError } from '../session/service-error.ts';

/** The address a request counts against (`req.ip`, which TRUST_PROXY decides). */
export function addressOf(req: { ip?: string | undefined }): string {
  return req.ip ?? 'unknown';
}

/**
 * Counts each request against its client address, for the endpoints a
 * stranger can call without a token (creating, joining, importing and
 * branching sessions). Past the limit: 429 `rate_limited` with Retry-After.
 * With Redis the count is shared by every process, so more replicas do not
 * mean more requests.
 */
export function limitByAddress(limit: RateLimit): RequestHandler {
  return async (req, _res, next) => {
    const verdict = await limit.take(addressOf(req));
    if (verdict.allowed) return next();
    next(rateLimited(`Too many requests from this address; wait ${waitInWords(verdict.retryAfterMs)} and try again.`, verdict.retryAfterMs));
  };
}

/**
 * Join-code guessing: each join counts against the address before the code
 * is looked up (so a thousand guesses sent at once are counted as a
 * thousand), and is given back when the code turned out to exist. Only
 * wrong codes use up the budget.
 */
export async function countJoinAttempt<T>(limit: RateLimit, address: string, join: () => Promise<T>): Promise<T> {
  const verdict = await limit.take(address);
  if (!verdict.allowed)
    throw rateLimited(`Too many wrong codes from this address; try again in ${waitInWords(verdict.retryAfterMs)}.`, verdict.retryAfterMs);
  let result: T;
  try {
    result = await join();
  } catch (err) {
    if (!(err instanceof ServiceError && err.code === 'not_found')) await limit.giveBack(address);
    throw err;
  }
  await limit.giveBack(address);
  return result;
}
