/**
 * The budget of wrong join codes while Redis is slow: a join's count that
 * Redis answers late still lands there, so counting it in this process's
 * memory as well gave each process a fresh budget on top of Redis's whenever
 * a count was slow (limit-bypass.test.ts's 40 guesses at once let 7 through a
 * budget of 5 on a loaded host). Such a join is refused unavailable instead,
 * and a count that answers within the join's own deadline decides as Redis says.
 */
import { describe, expect, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { Limits, type LimitsConfig } from '../src/limits/limits.ts';
import type { LimitStore } from '../src/limits/rate-limit.ts';
import { REDIS_URL } from './harness.ts';
import { redisForFile } from './redis-for-file.ts';
import { withLateScriptReplies } from './late-script-replies.ts';

const { redis: client, prefix } = redisForFile('join-slow');
/** How late this process reads Redis's replies to scripts (Redis itself runs them at once). */
let lateMs = 0;

/** A Redis client whose script replies reach the caller `lateMs` after Redis ran the script, as on a starved host. */
function slowStore(): LimitStore {
  const slow = withLateScriptReplies(client, () => lateMs);
  // The app's bound on a limit check: min(250 ms, STORE_TIMEOUT_MS).
  return { redis: slow, prefix, timeoutMs: 250 };
}

const rate = { burst: 1000, perSecond: 1000 };
const budget = { points: 1000, windowSeconds: 60 };
const config: LimitsConfig = {
  seat: rate,
  session: rate,
  socket: rate,
  helloPerAddress: rate,
  httpPerAddress: rate,
  publicPerAddress: rate,
  joinFailures: { points: 5, windowSeconds: 600 },
  importBytes: budget,
  sessionsPerAddress: budget,
};

type JoinVerdict = Awaited<ReturnType<Limits['join']>>;
const outcome = (v: JoinVerdict) => ('uncounted' in v ? `uncounted:${v.uncounted}` : v.allowed ? 'allowed' : `refused:${v.link}`);

/** `n` joins from `address` one after another, each with the deadline a join gets (STORE_TIMEOUT_MS from its arrival). */
async function joins(limits: Limits, address: string, n: number, storeTimeoutMs: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(outcome(await limits.join(address, performance.now() + storeTimeoutMs)));
  return out;
}

describe('the budget of wrong join codes on a slow Redis', () => {
  it('gives no process a fresh budget when Redis answers after the limit bound: the join is refused unavailable', async () => {
    const [a, b] = [new Limits(config, slowStore()), new Limits(config, slowStore())];
    lateMs = 0;
    // The address's budget spent through the other process, counted in Redis.
    expect(await joins(b, '203.0.113.7', 5, 1000)).toEqual(Array<string>(5).fill('allowed'));
    // Redis now answers 400 ms late (past the 250 ms bound of a limit check, within no join's 300 ms deadline).
    lateMs = 400;
    expect(await joins(a, '203.0.113.7', 5, 300)).toEqual(Array<string>(5).fill('uncounted:late'));
    expect(await joins(b, '203.0.113.7', 2, 300)).toEqual(Array<string>(2).fill('uncounted:late'));
  });

  it('waits for Redis up to the join’s own deadline, past the limit bound, and decides as Redis counted', async () => {
    const [a, b] = [new Limits(config, slowStore()), new Limits(config, slowStore())];
    lateMs = 0;
    expect(await joins(b, '203.0.113.8', 3, 1000)).toEqual(Array<string>(3).fill('allowed'));
    // 400 ms late, within a join's 1 s: Redis's count decides (2 left of 5), not a fresh count in memory.
    lateMs = 400;
    expect(await joins(a, '203.0.113.8', 4, 1000)).toEqual(['allowed', 'allowed', 'refused:1', 'refused:1']);
  });

  it('refuses a join unavailable while Redis is not ready, rather than counting it in memory', async () => {
    const offline: RedisClientType = createClient({ url: REDIS_URL });
    const limits = new Limits(config, { redis: offline, prefix, timeoutMs: 250 });
    expect(await joins(limits, '203.0.113.9', 2, 1000)).toEqual(['uncounted:down', 'uncounted:down']);
  });

  it('still counts in memory without Redis at all (one process: its memory is the whole count)', async () => {
    const limits = new Limits(config, { redis: null, prefix, timeoutMs: 250 });
    expect(await joins(limits, '203.0.113.10', 7, 1000)).toEqual([...Array<string>(5).fill('allowed'), 'refused:1', 'refused:1']);
  });
});
