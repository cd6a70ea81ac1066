import type { RedisClientType } from 'redis';
import type { LimitStore, RateLimit, Verdict } from './rate-limit.ts';
import type { EntryLimit } from '../store/types.ts';
import { settleWithin } from '../settle-within.ts';
import { ALLOWED } from './window-counter.ts';
import { performance } from '../clock.ts';

/** A chain's answer: allowed, or refused by the link at `link` (counting nothing in the links after it). */
export type ChainVerdict = { allowed: true } | { allowed: false; link: number; retryAfterMs: number };

/**
 * A strict check Redis did not count: not ready (`down`), or no answer by the check's deadline (`late`; the
 * script may still count it there later). Refused as unavailable, never counted in memory instead.
 */
export type Uncounted = { allowed: false; uncounted: 'down' | 'late' };

/** A check waiting for its turn's script: one that falls back to memory, or a strict one with its deadline. */
type Check =
  | { keys: readonly string[]; deadline?: undefined; resolve: (verdict: ChainVerdict) => void }
  | { keys: readonly string[]; deadline: number; resolve: (verdict: ChainVerdict | Uncounted) => void };

/**
 * Counts the checks of one turn in order, each through the chain's links in
 * order, stopping at the first link over its budget; each key's window as
 * rate-limiter-flexible keeps it (an integer that expires with its window,
 * set on its first count), so RateLimit's counts and these are one count.
 * A key's first use in the script reads it; its counts are added once at
 * the end. KEYS: the checks' keys, link by link. ARGV: links, then each
 * link's budget and window in seconds.
 * Reply per check: the refusing link (1-based, 0 if none), its window's ms left.
 */
const COUNT_CHAIN = `
local links = tonumber(ARGV[1])
local count, added, ttl = {}, {}, {}
local reply = {}
for c = 0, #KEYS / links - 1 do
  local refused, left = 0, 0
  for l = 1, links do
    local key = KEYS[c * links + l]
    local window = ARGV[2 * l + 1]
    if count[key] == nil then
      redis.call('SET', key, 0, 'EX', window, 'NX')
      count[key] = tonumber(redis.call('GET', key))
      added[key] = 0
      local t = redis.call('PTTL', key)
      if t == -1 then
        redis.call('EXPIRE', key, window)
        t = 1000 * window
      end
      ttl[key] = t
    end
    count[key] = count[key] + 1
    added[key] = added[key] + 1
    if count[key] > tonumber(ARGV[2 * l]) then
      refused, left = l, ttl[key]
      break
    end
  end
  reply[#reply + 1] = refused
  reply[#reply + 1] = left
end
for key, n in pairs(added) do redis.call('INCRBY', key, n) end
return reply
`;

const BLOCKED_MAX = 10_000;

/**
 * Several limits counted for one action, one after another: a command counts
 * against its seat and then its session, so that a seat over its own budget
 * spends none of the session's (one flooding seat cannot lock the others
 * out), and a session over its budget refuses every seat.
 *
 * With Redis, the checks that come in during one turn of the event loop go
 * together in one script: one round trip for every link of every check of
 * the turn, the verdicts those of counting the checks one by one in arrival
 * order. When Redis is not ready, fails or does not answer within the
 * store's `timeoutMs`, each link's own counter in this process decides, with
 * this process's share of the budget (the budget over the processes sharing
 * Redis, LimitStore.processes); a strict check (`takeStrictly`, for budgets
 * of guesses) is refused instead. A check whose first link's key went over its
 * budget is refused from memory for the rest of that window, so a flood
 * from one seat costs no round trips.
 */
export class LimitChain {
  private readonly redis: RedisClientType | null;
  private readonly timeoutMs: number;
  private readonly processes: () => number;
  private waiting: Check[] = [];
  /** First-link keys over their budget, and until when (performance.now()). */
  private readonly blocked = new Map<string, number>();

  constructor(
    private readonly links: readonly RateLimit[],
    store: LimitStore,
    /** Called once per script sent to Redis (for the metrics). */
    private readonly onRoundTrip: () => void = () => undefined,
  ) {
    this.redis = store.redis;
    this.timeoutMs = store.timeoutMs;
    this.processes = store.processes ?? (() => 1);
  }

  /**
   * Counts one action: `keys[i]` against link i, in order, up to the first
   * that refuses. Answered at once (not a promise) when it is decided in
   * memory: without Redis, or refused from the blocked keys; a command
   * counted in memory then waits for no promise.
   */
  take(keys: readonly string[]): ChainVerdict | Promise<ChainVerdict> {
    const refused = this.refusedAtOnce(keys);
    if (refused) return refused;
    if (!this.redis) return this.countLocally(keys);
    return new Promise<ChainVerdict>((resolve) => this.enqueue({ keys, resolve }));
  }

  /**
   * Counts one action as `take` does, but only in Redis: what Redis does not count by `deadline`
   * (performance.now() time), or at all while it is not ready, is refused (Uncounted), not counted in this
   * process's memory. For budgets of guesses (wrong join codes): a count that timed out still lands in
   * Redis, so counting it in memory as well gave each process a fresh budget on top of Redis's whenever a
   * count was slow, which loading the server is enough to cause. Without Redis, as `take`.
   */
  takeStrictly(keys: readonly string[], deadline: number): ChainVerdict | Promise<ChainVerdict | Uncounted> {
    const refused = this.refusedAtOnce(keys);
    if (refused) return refused;
    if (!this.redis) return this.countLocally(keys);
    return new Promise<ChainVerdict | Uncounted>((resolve) => this.enqueue({ keys, deadline, resolve }));
  }

  private enqueue(check: Check): void {
    if (this.waiting.length === 0) setImmediate(() => void this.countWaiting());
    this.waiting.push(check);
  }

  /**
   * One action counted in the store's append itself, with Redis (one round trip for the count and
   * the write, the store's script counting as this chain does): the counters and budgets to hand the
   * append. Without Redis, or refused from the blocked keys, the verdict at once, as `take`'s.
   */
  forAppend(keys: readonly string[]): ChainVerdict | EntryLimit {
    const refused = this.refusedAtOnce(keys);
    if (refused) return refused;
    if (!this.redis) return this.countLocally(keys);
    return { keys: keys.map((key, link) => this.links[link]?.storeKey(key) ?? key), links: this.links.map((l) => l.budget) };
  }

  /** The append found the action over link `link`'s budget: a first link's key is refused from memory for the rest of its window. */
  refusedInAppend(keys: readonly string[], link: number, retryAfterMs: number): void {
    if (link === 0) this.block(keys[0] ?? '', performance.now() + retryAfterMs);
  }

  /** A refusal from the blocked keys, or null; throws on a key list of the wrong length. */
  private refusedAtOnce(keys: readonly string[]): ChainVerdict | null {
    if (keys.length !== this.links.length) throw new Error(`a chain of ${this.links.length} limits takes as many keys, not ${keys.length}`);
    // Without Redis nothing is ever blocked here (block runs only on Redis's verdicts): no lookup per command.
    if (this.blocked.size === 0) return null;
    const first = keys[0] ?? '';
    const blockedUntil = this.blocked.get(first);
    if (blockedUntil === undefined) return null;
    const left = blockedUntil - performance.now();
    if (left > 0) return { allowed: false, link: 0, retryAfterMs: Math.max(1, Math.ceil(left)) };
    this.blocked.delete(first);
    return null;
  }

  /**
   * This process's own counters, link by link: with the whole budgets without Redis, or, standing in for a
   * Redis that is slow or away, with this process's share of them (`1 / processes`), so that the processes
   * falling back together grant about one budget between them, not one each.
   */
  private countLocally(keys: readonly string[], share = 1): ChainVerdict {
    // One clock read for the action's every link: it is one action, at one instant.
    const now = Date.now();
    for (let link = 0; link < this.links.length; link++) {
      const verdict: Verdict = this.links[link]?.takeLocally(keys[link] ?? '', now, share) ?? ALLOWED;
      if (!verdict.allowed) return { allowed: false, link, retryAfterMs: verdict.retryAfterMs };
    }
    return ALLOWED;
  }

  /** The checks of the turn that just ended, in one script, or from memory if Redis cannot count them now. */
  private async countWaiting(): Promise<void> {
    const checks = this.waiting;
    this.waiting = [];
    let reply: number[] | null = null;
    const ready = this.redis?.isReady === true;
    try {
      reply = ready ? await this.countInRedis(checks, this.boundOf(checks)) : null;
    } catch {
      reply = null;
    }
    if (!reply) {
      const uncounted: Uncounted = { allowed: false, uncounted: ready ? 'late' : 'down' };
      const share = 1 / Math.max(1, this.processes());
      for (const check of checks) {
        if (check.deadline === undefined) check.resolve(this.countLocally(check.keys, share));
        else check.resolve(uncounted);
      }
      return;
    }
    const now = performance.now();
    checks.forEach((check, i) => {
      const link = (reply[2 * i] ?? 0) - 1;
      if (link < 0) return check.resolve({ allowed: true });
      const retryAfterMs = Math.max(1, reply[2 * i + 1] ?? 1);
      if (link === 0) this.block(check.keys[0] ?? '', now + retryAfterMs);
      check.resolve({ allowed: false, link, retryAfterMs });
    });
  }

  private block(key: string, until: number): void {
    // Expired blocks are dropped when their key comes back; this bounds those whose key never does.
    if (this.blocked.size >= BLOCKED_MAX) for (const [k, t] of this.blocked) if (t <= performance.now()) this.blocked.delete(k);
    this.blocked.set(key, until);
  }

  /** How long a turn's script is waited for: the store's limit bound, or until the first strict check's deadline. */
  private boundOf(checks: readonly Check[]): number {
    let bound = Infinity;
    const now = performance.now();
    for (const check of checks) bound = Math.min(bound, check.deadline === undefined ? this.timeoutMs : check.deadline - now);
    return Math.max(0, bound);
  }

  /** The script's reply, or null when Redis is not ready or too slow (the script may still count there later). */
  private async countInRedis(checks: readonly Check[], boundMs: number): Promise<number[] | null> {
    const redis = this.redis;
    if (!redis?.isReady) return null;
    const keys = checks.flatMap((check) => check.keys.map((key, link) => this.links[link]?.storeKey(key) ?? key));
    const args = [String(this.links.length), ...this.links.flatMap((l) => [String(l.budget.points), String(l.budget.windowSeconds)])];
    this.onRoundTrip();
    const reply = await settleWithin(redis.eval(COUNT_CHAIN, { keys, arguments: args }), boundMs, () => null);
    if (reply === null) return null;
    if (!Array.isArray(reply) || reply.length !== 2 * checks.length || !reply.every((n) => typeof n === 'number')) return null;
    return reply as number[];
  }
}
