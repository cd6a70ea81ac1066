import type { RequestHandler } from 'express';
import type { Clock } from '../store/types.ts';
import { TokenBucket } from '../socket/token-bucket.ts';
import { ServiceError } from '../session/service-error.ts';

/**
 * A token bucket per client address, for the endpoints a stranger can call
 * without a token (joining by code, creating and importing sessions): it
 * makes guessing join codes slow without getting in the way of a class of
 * forty joining at once from behind one school router.
 */
export function rateLimitByAddress(options: { burst: number; perSecond: number; clock: Clock }): RequestHandler {
  const { burst, perSecond, clock } = options;
  const buckets = new Map<string, { bucket: TokenBucket; seen: number }>();
  // A full bucket is the same as no bucket: forget addresses once theirs would have refilled.
  const forgetAfterMs = Math.ceil((burst / perSecond) * 1000) + 60_000;
  let lastSweep = clock.now();
  return (req, _res, next) => {
    const now = clock.now();
    if (now - lastSweep > forgetAfterMs) {
      for (const [key, entry] of buckets) if (now - entry.seen > forgetAfterMs) buckets.delete(key);
      lastSweep = now;
    }
    const key = req.ip ?? 'unknown';
    let entry = buckets.get(key);
    if (!entry) buckets.set(key, (entry = { bucket: new TokenBucket(burst, perSecond, now), seen: now }));
    entry.seen = now;
    if (entry.bucket.take(now)) return next();
    next(new ServiceError('rate_limited', 'Too many requests from this address; wait a moment and try again.'));
  };
}
