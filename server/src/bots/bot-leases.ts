import type { RedisClientType } from 'redis';
import { redisWithin } from '../store/redis-availability.ts';

/**
 * Which process plays the bots of which session. Sessions with bot seats are
 * listed in an index; a process plays a session's bots only while it holds
 * that session's lease, which it renews while it lives and which lapses when
 * it dies. With Redis every process shares the index and the leases, so a
 * session's bots run in exactly one process and come back in another (or in
 * the restarted one) after a crash. In memory there is one process: every
 * lease is its own, and a restart loses the sessions anyway.
 */
export interface BotLeases {
  /** Sessions that have, or had, seats played by bots. */
  sessions(): Promise<string[]>;
  add(sessionId: string): Promise<void>;
  remove(sessionId: string): Promise<void>;
  /** Takes the lease if nobody holds it, or renews it if this process does; false when another process holds it. */
  hold(sessionId: string): Promise<boolean>;
  /** Gives a lease back (on a graceful shutdown, or when a session needs no bots any more). */
  release(sessionId: string): Promise<void>;
}

export class MemoryBotLeases implements BotLeases {
  private readonly index = new Set<string>();

  sessions(): Promise<string[]> {
    return Promise.resolve([...this.index]);
  }
  add(sessionId: string): Promise<void> {
    this.index.add(sessionId);
    return Promise.resolve();
  }
  remove(sessionId: string): Promise<void> {
    this.index.delete(sessionId);
    return Promise.resolve();
  }
  hold(): Promise<boolean> {
    return Promise.resolve(true);
  }
  release(): Promise<void> {
    return Promise.resolve();
  }
}

// Renew or give back only a lease this process still holds: another may have taken it after it lapsed.
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * The longest one lease command may wait, so a stopped Redis cannot hold a scan forever. A timer of our
 * own (redisWithin): node-redis's command timeout (`withCommandOptions({ timeout })`, as here before)
 * only covers a command waiting to be written, and a stopped Redis still takes the writes, so a scan
 * waited for as long as Redis was stopped.
 */
const LEASE_COMMAND_TIMEOUT_MS = 5000;

export class RedisBotLeases implements BotLeases {
  private readonly redis: RedisClientType;

  constructor(
    redis: RedisClientType,
    private readonly prefix: string,
    /** This process, as the holder of its leases. */
    private readonly owner: string,
    private readonly leaseMs: number,
  ) {
    this.redis = redis;
  }

  private get indexKey(): string {
    return `${this.prefix}bots:sessions`;
  }

  private leaseKey(sessionId: string): string {
    return `${this.prefix}bots:lease:${sessionId}`;
  }

  sessions(): Promise<string[]> {
    return outageAware(this.redis.sMembers(this.indexKey));
  }

  async add(sessionId: string): Promise<void> {
    await outageAware(this.redis.sAdd(this.indexKey, sessionId));
  }

  async remove(sessionId: string): Promise<void> {
    await outageAware(this.redis.sRem(this.indexKey, sessionId));
  }

  async hold(sessionId: string): Promise<boolean> {
    const key = this.leaseKey(sessionId);
    const taken = await outageAware(this.redis.set(key, this.owner, { NX: true, PX: this.leaseMs }));
    if (taken === 'OK') return true;
    const renewed = await outageAware(this.redis.eval(RENEW, { keys: [key], arguments: [this.owner, String(this.leaseMs)] }));
    return renewed === 1;
  }

  async release(sessionId: string): Promise<void> {
    await outageAware(this.redis.eval(RELEASE, { keys: [this.leaseKey(sessionId)], arguments: [this.owner] }));
  }
}

/**
 * A lease command within LEASE_COMMAND_TIMEOUT_MS, its failures for a Redis that is away
 * (ClientOfflineError, no answer…) as the store's StoreUnavailableError, which the bot manager logs at
 * debug: the store already logs the outage once, and a scan every BOT_LEASE_MS / 3 logged an error line
 * each for as long as Redis was down.
 */
function outageAware<T>(command: Promise<T>): Promise<T> {
  return redisWithin(command, LEASE_COMMAND_TIMEOUT_MS, 'Redis did not answer a bot lease command');
}
