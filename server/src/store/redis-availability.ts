import { randomInt } from 'node:crypto';
import { ErrorReply, type RedisClientType } from 'redis';
import { settleWithin } from '../settle-within.ts';
import { OutageLog } from './redis-health.ts';

/**
 * What happens when Redis is slow, gone or coming back.
 *
 * Every store and scheduler command goes through a `RedisGate`: it fails at
 * once while the client is not connected (no offline queue, so nothing is
 * sent later behind the caller's back), and it gives up on a command that
 * has no answer within a bound (a stopped Redis keeps the TCP connection
 * open, so without a bound a command would wait for as long as Redis is
 * stopped). Either way the caller gets a `StoreUnavailableError`, and the
 * `OutageLog` writes one line when the outage starts and one when it ends,
 * however many commands failed in between.
 */

export type UnavailableReason =
  /** The client was not connected: the command was never sent. */
  | 'offline'
  /** Sent, but no answer within the bound: it may still be applied. */
  | 'timeout'
  /** Sent, and the connection died before the answer: it may have been applied. */
  | 'lost'
  /** Redis answered that it cannot serve yet (loading its data after a restart). */
  | 'busy';

export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';

  constructor(
    readonly reason: UnavailableReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True when the command may have reached Redis: its outcome must be looked up before anyone is told it failed. */
  get outcomeUnknown(): boolean {
    return this.reason === 'timeout' || this.reason === 'lost';
  }
}

/** Redis replies that mean "not now" rather than "no". */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b/;

/** A StoreUnavailableError for failures of the connection; anything else (a real error reply, a bug) is returned as it is. */
export function classifyRedisError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  if (error instanceof ErrorReply) {
    return TRANSIENT_REPLY.test(error.message) ? new StoreUnavailableError('busy', `Redis is not ready: ${error.message}`, { cause: error }) : error;
  }
  if (!(error instanceof Error)) return error;
  switch (error.constructor.name) {
    case 'ClientOfflineError':
    case 'ClientClosedError':
    case 'ConnectionTimeoutError':
    case 'ReconnectStrategyError':
      return new StoreUnavailableError('offline', `Redis is not connected: ${error.message}`, { cause: error });
    case 'SocketClosedUnexpectedlyError':
    case 'SocketTimeoutError':
    case 'DisconnectsClientError':
    case 'TimeoutError':
      return new StoreUnavailableError('lost', `The connection to Redis broke: ${error.message}`, { cause: error });
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code && ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(code))
    return new StoreUnavailableError('lost', `The connection to Redis broke: ${error.message}`, { cause: error });
  return error;
}

/** True for anything that says "Redis is unreachable" rather than "the code is wrong". */
export function isRedisConnectionError(error: unknown): boolean {
  return classifyRedisError(error) instanceof StoreUnavailableError;
}

export interface RedisGateOptions {
  client: RedisClientType;
  /** The longest a command may wait for its answer. */
  timeoutMs?: number;
  outages?: OutageLog;
}

export class RedisGate {
  readonly client: RedisClientType;
  readonly timeoutMs: number;
  readonly outages: OutageLog;

  constructor(options: RedisGateOptions) {
    this.client = options.client;
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.outages = options.outages ?? new OutageLog(undefined);
  }

  /**
   * Runs one Redis operation within the bound; connection failures come out as StoreUnavailableError.
   * `timedOut`: who is told when it had no answer in time (the outage log's failure; the readiness PING's own).
   */
  async run<T>(
    op: (client: RedisClientType) => Promise<T>,
    timeoutMs = this.timeoutMs,
    timedOut: (error: StoreUnavailableError) => void = (error) => this.outages.failure(error),
  ): Promise<T> {
    if (!this.client.isReady) {
      const error = new StoreUnavailableError('offline', 'Redis is not connected.');
      this.outages.failure(error);
      throw error;
    }
    try {
      const value = await redisWithin(op(this.client), timeoutMs);
      this.outages.success();
      return value;
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        if (error.reason === 'timeout') timedOut(error);
        else this.outages.failure(error);
      }
      throw error;
    }
  }
}

/**
 * One Redis command within `timeoutMs`: no answer by then is a `timeout` StoreUnavailableError (its outcome
 * unknown), and a connection's failure comes out as classifyRedisError makes it. What every Redis caller
 * outside the store's gate (bot leases, the shared token count) needs too.
 */
export async function redisWithin<T>(command: Promise<T>, timeoutMs: number, what = 'Redis did not answer'): Promise<T> {
  try {
    return await settleWithin(command, timeoutMs, () => {
      throw new StoreUnavailableError('timeout', `${what} within ${timeoutMs} ms.`);
    });
  } catch (error) {
    throw classifyRedisError(error);
  }
}

/** Reconnect soon after a blip, then every 2 s at most, with jitter so that replicas do not reconnect in step. */
export function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 6), 2000) + randomInt(100);
}

/**
 * The Socket.IO Redis streams adapter fires some commands without handling
 * their failure (PUBLISH of server-side emits, SET of recovery sessions):
 * one dropped connection would be an unhandled rejection. It gets this view
 * of its client, whose fire-and-forget commands report and swallow their
 * errors; everything else passes through unchanged.
 */
export function adapterSafeClient(client: RedisClientType, onError: (error: unknown) => void): RedisClientType {
  const fireAndForget = new Set<PropertyKey>(['publish', 'sPublish', 'set', 'PUBLISH', 'SET']);
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (!fireAndForget.has(prop)) return fn.bind(target);
      return (...args: unknown[]) => {
        const result = fn.apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.catch((error: unknown) => {
          onError(error);
          return null;
        });
      };
    },
  });
}
