import { createClient, type RedisClientType } from 'redis';
import { MemoryScheduler, type SchedulerErrorHandler } from './memory-scheduler.ts';
import { MemoryStore } from './memory-store.ts';
import { RedisScheduler } from './redis-scheduler.ts';
import { RedisStore } from './redis-store.ts';
import type { Clock, Scheduler, SessionStore } from './types.ts';

export type { AppendResult, Clock, DueTimer, Grant, Scheduler, SessionMeta, SessionStore } from './types.ts';
export { systemClock } from './types.ts';
export type { SchedulerErrorHandler } from './memory-scheduler.ts';

export interface StoreConfig {
  /** Redis when set, memory otherwise. */
  redisUrl?: string;
  /** Key prefix in Redis; defaults to `rubicon:`. */
  prefix?: string;
  clock: Clock;
  /** How often the scheduler looks for due timers. */
  pollMs: number;
  /** Redis connection errors (node-redis reconnects by itself) and scheduler errors. */
  onError?: (error: unknown) => void;
  /** How long to wait for Redis at startup before giving up. */
  connectTimeoutMs?: number;
  /** Redis only: how long before a timer claimed by a process that then died is fired by another. */
  timerLeaseMs?: number;
}

export interface Stores {
  store: SessionStore;
  scheduler: Scheduler;
  /** The connected client, for whoever else needs Redis (the Socket.IO adapter duplicates it); null in memory. */
  redis: RedisClientType | null;
  /** Stops the scheduler (waiting for a delivery in progress), then closes the store and its client. */
  close(): Promise<void>;
}

export async function createStores(config: StoreConfig): Promise<Stores> {
  const onError: SchedulerErrorHandler = (error) => config.onError?.(error);
  if (!config.redisUrl) {
    const store = new MemoryStore();
    const scheduler = new MemoryScheduler({ clock: config.clock, pollMs: config.pollMs, onError });
    return { store, scheduler, redis: null, close: closer(scheduler, store) };
  }

  const client: RedisClientType = createClient({ url: config.redisUrl });
  // Without a listener, an 'error' event (any dropped connection) would crash the process.
  client.on('error', onError);
  await connectWithin(client, config.connectTimeoutMs ?? 10_000);
  const prefix = config.prefix ?? 'rubicon:';
  const store = new RedisStore({ client, prefix, ownsClient: true });
  const scheduler = new RedisScheduler({
    client,
    prefix,
    clock: config.clock,
    pollMs: config.pollMs,
    onError,
    leaseMs: config.timerLeaseMs,
  });
  return { store, scheduler, redis: client, close: closer(scheduler, store) };
}

/**
 * node-redis retries a refused first connection forever; a server that
 * cannot reach its Redis at startup should say so instead of hanging.
 */
async function connectWithin(client: RedisClientType, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis not reachable within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([client.connect(), timeout]);
  } catch (error) {
    client.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function closer(scheduler: Scheduler, store: SessionStore): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => {
    closing ??= (async () => {
      await scheduler.stop();
      await store.close();
    })();
    return closing;
  };
}
