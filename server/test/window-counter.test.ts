import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { seededRandom } from '../../shared/src/bots/random.ts';
import { LimitChain } from '../src/limits/limit-chain.ts';
import { RateLimit, type Verdict } from '../src/limits/rate-limit.ts';
import { WindowCounter } from '../src/limits/window-counter.ts';

afterEach(() => {
  vi.useRealTimers();
});

/** rate-limiter-flexible's memory limiter, the counter WindowCounter replaces in memory, as a verdict. */
async function flexibleTake(limiter: RateLimiterMemory, key: string, points: number): Promise<Verdict> {
  try {
    await limiter.consume(key, points);
    return { allowed: true };
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    return { allowed: false, retryAfterMs: Math.max(1, err.msBeforeNext) };
  }
}

describe('a limit counted in this process’s memory, answered at once', () => {
  it('gives the verdicts rate-limiter-flexible’s memory limiter gives, over 3,000 seeded takes and give-backs across window ends', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const budget = { points: 5, windowSeconds: 2 };
    const counter = new WindowCounter(budget);
    const flexible = new RateLimiterMemory({ points: budget.points, duration: budget.windowSeconds });
    const random = seededRandom('window-counter');
    const keys = ['a', 'b', 'c'];
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const key = keys[Math.floor(random() * keys.length)] ?? 'a';
      const points = 1 + Math.floor(random() * 3);
      if (random() < 0.05) {
        counter.giveBack(key, points);
        await flexible.reward(key, points);
      } else {
        const mine = counter.take(key, points);
        expect(mine).toEqual(await flexibleTake(flexible, key, points));
        if (!mine.allowed) refused++;
      }
      vi.advanceTimersByTime(Math.floor(random() * 250));
    }
    // Both outcomes were exercised, not just one.
    expect(refused).toBeGreaterThan(100);
    expect(refused).toBeLessThan(2900);
  });

  it('drops ended windows once the map has grown, and keeps the open ones', () => {
    vi.useFakeTimers({ now: 0 });
    const counter = new WindowCounter({ points: 1, windowSeconds: 1 });
    for (let i = 0; i < 1000; i++) counter.take(`old-${i}`);
    vi.advanceTimersByTime(1000);
    expect(counter.take('open').allowed).toBe(true);
    for (let i = 0; i < 2000; i++) counter.take(`new-${i}`);
    expect(counter.size).toBeLessThan(2100);
    expect(counter.take('open').allowed).toBe(false);
  });

  it('answers a command chain in memory without a promise, and a limit counted alone shares that count', async () => {
    const store = { redis: null, prefix: 'wc:', timeoutMs: 100 };
    const seat = new RateLimit('seat', { points: 2, windowSeconds: 60 }, store);
    const session = new RateLimit('session', { points: 10, windowSeconds: 60 }, store);
    const chain = new LimitChain([seat, session], store);
    expect(chain.take(['s:iran', 's'])).toEqual({ allowed: true });
    expect((await seat.take('s:iran')).allowed).toBe(true);
    const over = chain.take(['s:iran', 's']);
    expect(over).not.toBeInstanceOf(Promise);
    expect(over).toMatchObject({ allowed: false, link: 0 });
    await seat.giveBack('s:iran', 2);
    expect(chain.take(['s:iran', 's'])).toEqual({ allowed: true });
  });
});

describe('an allowed verdict in memory', () => {
  it('is one shared, frozen object, from a counter and from a chain of two, and a refusal is still its own', () => {
    const counter = new WindowCounter({ points: 2, windowSeconds: 60 });
    const first = counter.take('a');
    expect(counter.take('b')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    counter.take('a');
    expect(counter.take('a')).toMatchObject({ allowed: false });
    const store = { redis: null, prefix: 't:', timeoutMs: 100 };
    const chain = new LimitChain([new RateLimit('seat', { points: 3, windowSeconds: 60 }, store), new RateLimit('session', { points: 5, windowSeconds: 60 }, store)], store);
    const verdicts = [0, 1, 2, 3].map(() => chain.forAppend(['seat-1', 'session-1']));
    expect(verdicts.slice(0, 3)).toEqual([first, first, first]);
    for (const v of verdicts.slice(0, 3)) expect(v).toBe(first);
    expect(verdicts[3]).toMatchObject({ allowed: false, link: 0 });
  });
});

describe('a command counted in memory', () => {
  it('reads the clock once for both of its limits and looks up nothing but their two windows', () => {
    const store = { redis: null, prefix: 'c:', timeoutMs: 100 };
    const chain = new LimitChain([new RateLimit('seat', { points: 50, windowSeconds: 60 }, store), new RateLimit('session', { points: 80, windowSeconds: 60 }, store)], store);
    chain.forAppend(['seat-1', 'session-1']);
    const clock = vi.spyOn(Date, 'now');
    const lookups = vi.spyOn(Map.prototype, 'get');
    try {
      for (let i = 0; i < 10; i++) expect(chain.forAppend(['seat-1', 'session-1'])).toEqual({ allowed: true });
      // Per command: one clock read (it was one per limit), and the seat's and the session's windows (no blocked-key lookup, which only Redis's verdicts fill).
      expect(clock).toHaveBeenCalledTimes(10);
      expect(lookups.mock.calls.filter(([key]) => key === 'seat-1' || key === 'session-1')).toHaveLength(20);
    } finally {
      clock.mockRestore();
      lookups.mockRestore();
    }
  });
});
