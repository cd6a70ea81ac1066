/**
 * RateLimit's coalesced counting: checks of one key that come in while its
 * count is on the way go together, and the verdicts are those of counting
 * them one by one, on one process and across two sharing Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { RateLimit, type LimitStore } from '../src/limits/rate-limit.ts';
import { REDIS_URL, deleteRedisKeys, uniquePrefix } from './harness.ts';

let client: RedisClientType;
const prefix = uniquePrefix('rate-limit');
let commands = 0;

beforeAll(async () => {
  client = createClient({ url: REDIS_URL });
  await client.connect();
});

afterAll(async () => {
  await client?.quit();
  await deleteRedisKeys(prefix);
});

/** A store whose Redis client counts the commands this process sends. */
function countingStore(): LimitStore {
  const counted = new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        if (prop === 'eval' || prop === 'evalSha' || prop === 'multi') commands++;
        return fn.apply(target, args);
      };
    },
  });
  return { redis: counted, prefix, timeoutMs: 2000 };
}

describe('a limit counted in Redis, checks coalesced per key', () => {
  it('allows exactly the budget of 40 checks at once, the first ones in order, in fewer round trips than checks', async () => {
    const limit = new RateLimit('burst', { points: 10, windowSeconds: 60 }, countingStore());
    commands = 0;
    const verdicts = await Promise.all(Array.from({ length: 40 }, () => limit.take('seat-a')));
    expect(verdicts.map((v) => v.allowed)).toEqual([...Array<boolean>(10).fill(true), ...Array<boolean>(30).fill(false)]);
    const refused = verdicts.at(-1);
    expect(refused && !refused.allowed ? refused.retryAfterMs : 0).toBeGreaterThan(0);
    expect(commands).toBeGreaterThan(0);
    expect(commands).toBeLessThan(40);
    // Another key has its own budget.
    expect((await limit.take('seat-b')).allowed).toBe(true);
  });

  it('shares one budget between two processes checking at once', async () => {
    const a = new RateLimit('shared', { points: 12, windowSeconds: 60 }, countingStore());
    const b = new RateLimit('shared', { points: 12, windowSeconds: 60 }, countingStore());
    const verdicts = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).take('session')));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(12);
  });

  it('refuses everything after the first check that does not fit, as counting one by one would', async () => {
    const limit = new RateLimit('bytes', { points: 100, windowSeconds: 60 }, countingStore());
    expect((await limit.take('addr', 60)).allowed).toBe(true);
    const verdicts = await Promise.all([limit.take('addr', 30), limit.take('addr', 20), limit.take('addr', 5)]);
    expect(verdicts.map((v) => v.allowed)).toEqual([true, false, false]);
  });
});
