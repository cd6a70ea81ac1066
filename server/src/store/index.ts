import { createClient, type RedisClientType } from 'redis';
import { MemoryScheduler, type SchedulerErrorHandler } from './memory-scheduler.ts';
import { MemoryStore } from './memory-store.ts';
import { RedisScheduler } from './redis-scheduler.ts';
import { RedisStore } from './redis-store.ts';
import { RedisGate, adapterSafeClient, reconnectDelay } from './redis-availability.ts';
import { OutageLog, type OutageEvent } from './redis-health.ts';
import type { Logger } from '../logger.ts';
import type { Clock, Scheduler, SessionStore } from './types.ts';
import { settleWithin } from '../settle-within.ts';

export type { AppendResult, Clock, DueTimer, Grant, Scheduler, SessionMeta, SessionStore } from './types.ts';
export { systemClock } from './types.ts';
export { StoreUnavailableError, isRedisConnectionError } from './redis-availability.ts';
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
  /** Redis only: the longest one command waits for its answer before it counts as unavailable. */
  commandTimeoutMs?: number;
  /** Redis only: where outages are reported, once when Redis goes and once when it is back. */
  logger?: Logger;
  /** Redis only: told as those lines are written (redis-health.ts, OutageEvent). */
  onOutage?: (event: OutageEvent) => void;
}

export interface Stores {
  store: SessionStore;
  scheduler: Scheduler;
  /** The store's connected client; null in memory. */
  redis: RedisClientType | null;
  /**
   * A second connection for the Socket.IO adapter (null in memory): the adapter
   * needs an offline queue (its read loop would spin without one) and must not
   * see the store's fail-fast client; its fire-and-forget commands cannot crash the process.
   */
  adapterClient: RedisClientType | null;
  /**
   * Resolves once the store is known to be down (Redis: its commands refused, redis-health.ts); never in memory.
   * A shutdown waits on the store no longer than this.
   */
  untilDown(): Promise<void>;
  /** Stops the scheduler (waiting for a delivery in progress), then closes the store and its client. */
  close(): Promise<void>;
}

export async function createStores(config: StoreConfig): Promise<Stores> {
  const onError: SchedulerErrorHandler = (error) => config.onError?.(error);
  if (!config.redisUrl) {
    const store = new MemoryStore();
    const scheduler = new MemoryScheduler({ clock: config.clock, pollMs: config.pollMs, onError });
    return { store, scheduler, redis: null, adapterClient: null, untilDown: () => new Promise<void>(() => {}), close: closer(scheduler, store) };
  }

  const outages = new OutageLog(config.logger?.child({ module: 'redis' }), config.onOutage);
  const socket = { reconnectStrategy: reconnectDelay, connectTimeout: 2000, keepAlive: true };
  // No offline queue: while disconnected a command fails at once instead of being sent later, unseen by its caller.
  // No per-command timeout of node-redis's own (5 s by default): every command of this client is bounded by
  // the gate (store, scheduler), the limits' own timeouts, or a timeout of their own (bot-leases.ts), and
  // node-redis's costs an AbortSignal, a timer and a finalization-registry entry per command, all of which stay
  // for the whole 5 s after the answer: about 20 KB per session on each process right after 200 sessions were
  // set up (docs/performance/fan-out-log.md, "Memory per idle session: what a session holds").
  const client: RedisClientType = createClient({ url: config.redisUrl, socket, disableOfflineQueue: true, commandOptions: { timeout: 0 } });
  // Without a listener, an 'error' event (any dropped connection) would crash the process.
  client.on('error', (error: unknown) => outages.failure(error));
  await connectWithin(client, config.connectTimeoutMs ?? 10_000);
  const adapterBase: RedisClientType = createClient({ url: config.redisUrl, socket, commandsQueueMaxLength: 10_000 });
  adapterBase.on('error', (error: unknown) => outages.failure(error));
  await connectWithin(adapterBase, config.connectTimeoutMs ?? 10_000).catch((error: unknown) => {
    client.destroy();
    throw error;
  });
  const adapterClient = adapterSafeClient(adapterBase, (error) => outages.failure(error));
  const gate = new RedisGate({ client, timeoutMs: config.commandTimeoutMs, outages });
  const prefix = config.prefix ?? 'rubicon:';
  const store = new RedisStore({ client, prefix, ownsClient: true, gate, pingTimeoutMs: Math.min(400, gate.timeoutMs) });
  const scheduler = new RedisScheduler({
    client,
    prefix,
    clock: config.clock,
    pollMs: config.pollMs,
    onError,
    leaseMs: config.timerLeaseMs,
    gate,
  });
  const closeStore = closer(scheduler, store);
  return {
    store,
    scheduler,
    redis: client,
    adapterClient,
    untilDown: () => outages.untilRefusing(),
    close: async () => {
      await closeStore();
      if (adapterBase.isOpen) adapterBase.destroy();
    },
  };
}

/**
 * node-redis retries a refused first connection forever; a server that
 * cannot reach its Redis at startup should say so instead of hanging.
 */
async function connectWithin(client: RedisClientType, ms: number): Promise<void> {
  try {
    await settleWithin(client.connect(), ms, () => {
      throw new Error(`Redis not reachable within ${ms} ms`);
    });
  } catch (error) {
    client.destroy();
    throw error;
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
