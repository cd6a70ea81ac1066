import type { RedisClientType } from 'redis';
import { RLWrapperTimeouts, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { WindowCounter } from './window-counter.ts';

/**
 * A rate as operators configure it: `burst` actions at once, `perSecond` on
 * average. rate-limiter-flexible counts in fixed windows, so this becomes
 * `burst` points per window of `burst / perSecond` seconds (whole seconds, at
 * least one): the same long-run rate, and never more than `burst` in a window.
 */
export interface Rate {
  burst: number;
  perSecond: number;
}

/** A budget over a window, for things counted rarely (wrong join codes, bytes imported). */
export interface Budget {
  points: number;
  windowSeconds: number;
}

/** Where counters live: Redis when the processes share one (so a limit holds across all of them), else this process. */
export interface LimitStore {
  redis: RedisClientType | null;
  /** Key prefix in Redis (the app's REDIS_PREFIX); counters go under `<prefix>limit:<name>:`. */
  prefix: string;
  /** The longest a check waits for Redis before this process's own counter decides. */
  timeoutMs: number;
  /**
   * How many processes share this Redis, as this process last learnt it (at least 1): while Redis is slow or
   * away, a chain's counter in memory grants this process only its share of each budget. Unset: 1.
   */
  processes?: () => number;
}

export type Verdict = { allowed: true } | { allowed: false; retryAfterMs: number };

interface Waiter {
  points: number;
  resolve: (verdict: Verdict) => void;
}

export function budgetOf(rate: Rate): Budget {
  return { points: rate.burst, windowSeconds: Math.max(1, Math.round(rate.burst / rate.perSecond)) };
}

/**
 * One named limit, keyed by whatever the caller counts (a seat, a session, an
 * address, a socket).
 *
 * With Redis, every process counts in the same Redis key, so N processes
 * give no more than one. When Redis does not answer within `timeoutMs`, or
 * is disconnected, the check falls back to an in-memory counter of the same
 * size in this process (rate-limiter-flexible's insurance limiter): requests
 * are still limited, per process, and nothing waits on the outage or fails
 * because of it. A key that has gone over its budget is also blocked in
 * memory for the rest of its window, so a flood is refused without a Redis
 * round trip per request.
 *
 * Checks of one key are coalesced: those that come in during one turn of
 * the event loop (a busy process reads many sockets' frames in one turn) wait
 * for the end of that turn and go together, as one count of all their points,
 * and are answered in arrival order from what the window had left. So a busy
 * session costs one round trip per key per turn, not one per command, and no
 * check waits for another's round trip; the verdicts are those of counting
 * the checks one by one.
 */
export class RateLimit {
  /** Counted in Redis, with an in-memory insurance limiter for when Redis is away; null without Redis. */
  private readonly limiter: RateLimiterAbstract | null;
  /**
   * This process's own counter, answered at once: the only one without
   * Redis. With Redis, the command chain's fallback (takeLocally); a limit
   * counted alone falls back to the Redis limiter's insurance instead. No
   * limit is counted both ways (seat and session only through the chain).
   */
  private readonly local: WindowCounter;
  private readonly keyPrefix: string;
  /** Checks of this turn of the event loop, per key, counted together at its end (with Redis). */
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(
    readonly name: string,
    readonly budget: Budget,
    store: LimitStore,
  ) {
    this.keyPrefix = `${store.prefix}limit:${name}`;
    this.local = new WindowCounter(budget);
    const common = { points: budget.points, duration: budget.windowSeconds, keyPrefix: this.keyPrefix };
    this.limiter = store.redis
      ? new RLWrapperTimeouts({
          limiter: new RateLimiterRedis({
            ...common,
            storeClient: store.redis,
            useRedisPackage: true,
            rejectIfRedisNotReady: true,
            insuranceLimiter: new RateLimiterMemory(common),
            inMemoryBlockOnConsumed: budget.points + 1,
          }),
          timeoutMs: store.timeoutMs,
        })
      : null;
  }

  /** Counts `points` against `key`; refuses (counting nothing more) once the window's budget is spent. */
  take(key: string, points = 1): Promise<Verdict> {
    const counted = Math.max(1, Math.ceil(points));
    // In memory the count is answered at once, in call order: no turn to wait for.
    if (!this.limiter) return Promise.resolve(this.local.take(key, counted));
    return new Promise<Verdict>((resolve) => {
      let waiting = this.waiting.get(key);
      if (!waiting) {
        waiting = [];
        this.waiting.set(key, waiting);
        setImmediate(() => void this.countWaiting(key));
      }
      waiting.push({ points: counted, resolve });
    });
  }

  /** Counts the checks of `key` that came in this turn, in one go. */
  private async countWaiting(key: string): Promise<void> {
    const waiters = this.waiting.get(key) ?? [];
    this.waiting.delete(key);
    const verdicts = await this.count(key, waiters.map((w) => w.points));
    waiters.forEach((w, i) => w.resolve(verdicts[i] ?? { allowed: true }));
  }

  /**
   * One count of all of `points`, and a verdict for each part in order: the
   * parts that fit in what the window had left are allowed, and from the first
   * that does not, the rest are refused (as counting them one by one would:
   * a refused check is counted too, so nothing after it fits).
   */
  private async count(key: string, points: readonly number[]): Promise<Verdict[]> {
    const total = points.reduce((a, b) => a + b, 0);
    try {
      await this.limiter?.consume(key, total);
      return points.map(() => ({ allowed: true }));
    } catch (err) {
      // The insurance limiter is in memory and cannot fail; if anything else does, let the action through
      // rather than lock everyone out over a limiter fault.
      if (!(err instanceof RateLimiterRes)) return points.map(() => ({ allowed: true }));
      const retryAfterMs = Math.max(1, err.msBeforeNext);
      // A count's answer includes these points; a key blocked in memory answers with none counted and has nothing left.
      let left = err.consumedPoints >= total ? this.budget.points - (err.consumedPoints - total) : 0;
      return points.map((p): Verdict => {
        if (p > left) {
          left = -Infinity;
          return { allowed: false, retryAfterMs };
        }
        left -= p;
        return { allowed: true };
      });
    }
  }

  /** The Redis key that counts `key` (rate-limiter-flexible's layout, so every way of counting shares it). */
  storeKey(key: string): string {
    return `${this.keyPrefix}:${key}`;
  }

  /**
   * Counts one point against `key` in this process's own counter (no Redis, or Redis away), at once: refused
   * over `share` of the budget's points (all of them unless told).
   */
  takeLocally(key: string, now = Date.now(), share = 1): Verdict {
    return this.local.take(key, 1, now, Math.max(1, Math.floor(this.budget.points * share)));
  }

  /** Returns points taken for an action that turned out not to count (a join code that was right after all). */
  async giveBack(key: string, points = 1): Promise<void> {
    if (!this.limiter) return this.local.giveBack(key, points);
    await this.limiter.reward(key, points).catch(() => undefined);
  }
}
