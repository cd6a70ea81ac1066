/**
 * RateLimit's coalesced counting: checks of one key that come in while its
 * count is on the way go together, and the verdicts are those of counting
 * them one by one, on one process and across two sharing Redis; and a
 * command's chain of limits (seat, then session) counted in one check.
 */
import { describe, expect, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { nanoid } from 'nanoid';
import { LimitChain, type ChainVerdict } from '../src/limits/limit-chain.ts';
import { RateLimit, type LimitStore } from '../src/limits/rate-limit.ts';
import { REDIS_URL } from './harness.ts';
import { redisForFile } from './redis-for-file.ts';

const { redis: client, prefix } = redisForFile('rate-limit');
let commands = 0;

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

/** Counting one by one, as the chain must: each check against its seat, and only if that allows it, against the session. */
function expectedChain(seatOf: readonly string[], seatBudget: number, sessionBudget: number): (number | null)[] {
  const seats = new Map<string, number>();
  let session = 0;
  return seatOf.map((seat) => {
    const n = (seats.get(seat) ?? 0) + 1;
    seats.set(seat, n);
    if (n > seatBudget) return 0;
    session++;
    return session > sessionBudget ? 1 : null;
  });
}

describe('a command counted against its seat and then its session in one check', () => {
  const chainOn = (store: LimitStore, name: string, seatBudget: number, sessionBudget: number) => {
    const seat = new RateLimit(`${name}-seat`, { points: seatBudget, windowSeconds: 60 }, store);
    const session = new RateLimit(`${name}-session`, { points: sessionBudget, windowSeconds: 60 }, store);
    return { seat, session, chain: new LimitChain([seat, session], store) };
  };
  const refusedBy = (v: ChainVerdict) => (v.allowed ? null : v.link);
  // Iran floods first, then the four seats take turns.
  const order = [...Array<string>(14).fill('iran'), ...Array.from({ length: 40 }, (_, i) => ['iran', 'israel', 'us', 'mediators'][i % 4] as string)];

  it.each([
    ['Redis', () => countingStore()],
    ['memory', (): LimitStore => ({ redis: null, prefix, timeoutMs: 2000 })],
  ])('in %s: a seat over its budget spends none of the session’s, a session over its budget refuses every seat', async (backend, store) => {
    const { chain } = chainOn(store(), `chain-${nanoid(6)}`, 10, 25);
    commands = 0;
    const verdicts = await Promise.all(order.map((seat) => chain.take([`s1:${seat}`, 's1'])));
    expect(verdicts.map(refusedBy)).toEqual(expectedChain(order, 10, 25));
    // Iran's 4 refused checks cost the session nothing: 25 allowed in all, 10 of them Iran's.
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(25);
    const refusal = verdicts.find((v) => !v.allowed);
    expect(refusal && !refusal.allowed ? refusal.retryAfterMs : 0).toBeGreaterThan(0);
    // Every check of that turn went in one round trip (none in memory).
    if (backend === 'Redis') expect(commands).toBe(1);
  });

  it('shares the count with the limits counted alone, and with another process', async () => {
    const name = `chain-${nanoid(6)}`;
    const a = chainOn(countingStore(), name, 3, 5);
    const b = chainOn(countingStore(), name, 3, 5);
    // Two of the seat's three spent through the single limit, as before the chain.
    expect((await a.seat.take('s2:iran', 2)).allowed).toBe(true);
    expect(refusedBy(await b.chain.take(['s2:iran', 's2']))).toBe(null);
    expect(refusedBy(await a.chain.take(['s2:iran', 's2']))).toBe(0);
    const rest = await Promise.all(['us', 'us', 'israel', 'israel', 'us'].map((seat, i) => (i % 2 ? a : b).chain.take([`s2:${seat}`, 's2'])));
    // The session had 5: one went to Iran (its refused check took none), four to these, and the session refuses one.
    expect(rest.map(refusedBy).sort()).toEqual([1, null, null, null, null]);
  });

  it('counts in this process’s memory when Redis is not ready, with the same verdicts', async () => {
    const offline: RedisClientType = createClient({ url: REDIS_URL });
    const { chain } = chainOn({ redis: offline, prefix, timeoutMs: 2000 }, `chain-${nanoid(6)}`, 10, 25);
    const verdicts = await Promise.all(order.map((seat) => chain.take([`s3:${seat}`, 's3'])));
    expect(verdicts.map(refusedBy)).toEqual(expectedChain(order, 10, 25));
  });

  it('refuses a seat over its budget from memory for the rest of its window, with no round trip', async () => {
    const { chain } = chainOn(countingStore(), `chain-${nanoid(6)}`, 2, 100);
    await Promise.all([1, 2, 3].map(() => chain.take(['s4:iran', 's4'])));
    commands = 0;
    const again = await chain.take(['s4:iran', 's4']);
    expect(refusedBy(again)).toBe(0);
    expect(commands).toBe(0);
    expect(refusedBy(await chain.take(['s4:us', 's4']))).toBe(null);
    expect(commands).toBe(1);
  });
});
