import type { RedisClientType } from 'redis';
import { z } from 'zod';
import { deliver, report, type SchedulerErrorHandler } from './memory-scheduler.ts';
import type { Clock, DueTimer, Scheduler } from './types.ts';
import { PollLoop } from './poll-loop.ts';
import { RedisGate, StoreUnavailableError } from './redis-availability.ts';

/**
 * Beat deadlines shared by every process on one Redis.
 *
 * `{prefix}timers` is a sorted set of session ids scored by when they are next
 * to be delivered; `{prefix}timers:data` maps each session id to its pending
 * DueTimer as JSON. The two change together, in MULTI or in a script.
 *
 * Claiming is one script, so each due timer goes to exactly one process. A
 * claim does not delete the timer: it pushes its score `leaseMs` ahead and
 * the timer is deleted once `onDue` has returned. If the claiming process dies
 * in between, the timer falls due again and a surviving process fires it;
 * `onDue` must therefore be idempotent (the expiry it appends carries a
 * command id derived from session and timer version).
 */

/** KEYS: zset, data hash. ARGV: now, lease deadline, batch size. Returns session id, timer JSON, session id, … */
const CLAIM = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local claimed = {}
for _, sid in ipairs(due) do
  local timer = redis.call('HGET', KEYS[2], sid)
  if timer then
    redis.call('ZADD', KEYS[1], ARGV[2], sid)
    claimed[#claimed + 1] = sid
    claimed[#claimed + 1] = timer
  else
    redis.call('ZREM', KEYS[1], sid)
  end
end
return claimed
`;

/**
 * KEYS: zset, data hash. ARGV: session id, the claimed timer's JSON.
 * Deletes the timer only if it was not rescheduled while being delivered.
 */
const COMPLETE = `
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  return 1
end
return 0
`;

/**
 * KEYS: zset, data hash. ARGV: session id, the claimed timer's JSON, when to try again.
 * A delivery that failed for want of the store is tried again soon rather than after the lease.
 */
const RETRY = `
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  return 1
end
return 0
`;

const DueTimerSchema = z.object({
  sessionId: z.string(),
  timerVersion: z.number(),
  at: z.number(),
});

function parseTimer(json: string): DueTimer | null {
  try {
    return DueTimerSchema.parse(JSON.parse(json));
  } catch {
    return null;
  }
}

export interface RedisSchedulerOptions {
  client: RedisClientType;
  prefix: string;
  clock: Clock;
  pollMs: number;
  onError?: SchedulerErrorHandler;
  /** How long a claimed timer stays with its process before another may take it over. */
  leaseMs?: number;
  /** Most timers claimed by one poll. */
  batch?: number;
  /** Bounds every command; one is made around `client` when absent. */
  gate?: RedisGate;
  /** How soon a delivery that failed is tried again. */
  retryMs?: number;
}

export class RedisScheduler implements Scheduler {
  private readonly client: RedisClientType;
  private readonly zsetKey: string;
  private readonly dataKey: string;
  private readonly clock: Clock;
  private readonly loop: PollLoop;
  private readonly onError: SchedulerErrorHandler;
  private readonly leaseMs: number;
  private readonly batch: number;
  private readonly gate: RedisGate;
  private readonly retryMs: number;

  constructor(options: RedisSchedulerOptions) {
    this.client = options.client;
    this.zsetKey = `${options.prefix}timers`;
    this.dataKey = `${options.prefix}timers:data`;
    this.clock = options.clock;
    this.loop = new PollLoop(options.pollMs);
    this.onError = options.onError ?? (() => {});
    this.leaseMs = options.leaseMs ?? 15_000;
    this.batch = options.batch ?? 100;
    this.gate = options.gate ?? new RedisGate({ client: options.client });
    this.retryMs = options.retryMs ?? 1000;
  }

  async schedule(timer: DueTimer): Promise<void> {
    const { sessionId, timerVersion, at } = timer;
    await this.gate.run((c) =>
      c
        .multi()
        .hSet(this.dataKey, sessionId, JSON.stringify({ sessionId, timerVersion, at }))
        .zAdd(this.zsetKey, { score: at, value: sessionId })
        .exec(),
    );
  }

  async cancel(sessionId: string): Promise<void> {
    await this.gate.run((c) => c.multi().zRem(this.zsetKey, sessionId).hDel(this.dataKey, sessionId).exec());
  }

  start(onDue: (timer: DueTimer) => Promise<void>): void {
    this.loop.start(() => this.poll(onDue));
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async poll(onDue: (timer: DueTimer) => Promise<void>): Promise<void> {
    let reply: string[];
    try {
      const now = this.clock.now();
      reply = z.array(z.string()).parse(
        await this.gate.run((c) =>
          c.eval(CLAIM, {
            keys: [this.zsetKey, this.dataKey],
            arguments: [String(now), String(now + this.leaseMs), String(this.batch)],
          }),
        ),
      );
    } catch (error) {
      // An outage is logged once by the gate, not once per poll.
      if (!(error instanceof StoreUnavailableError)) report(this.onError, error);
      return;
    }
    const fires: Promise<void>[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) fires.push(this.fire(onDue, reply[i] ?? '', reply[i + 1] ?? ''));
    await Promise.all(fires);
  }

  private async fire(onDue: (timer: DueTimer) => Promise<void>, sessionId: string, json: string): Promise<void> {
    try {
      const timer = parseTimer(json);
      // A failing handler still completes the timer, as in memory, unless it
      // failed for want of the store: then it is tried again shortly. Only a
      // process dying mid-delivery leads to a second delivery otherwise. An
      // unreadable timer is completed too, rather than claimed again forever.
      let retry = false;
      if (timer)
        await deliver(onDue, timer, (error, t) => {
          if (isOutage(error)) retry = true;
          else report(this.onError, error, t);
        });
      else report(this.onError, new Error(`unreadable timer for session ${sessionId}: ${json}`));
      const [script, args] = retry ? [RETRY, [sessionId, json, String(this.clock.now() + this.retryMs)]] : [COMPLETE, [sessionId, json]];
      await this.gate.run((c) => c.eval(script, { keys: [this.zsetKey, this.dataKey], arguments: args }));
    } catch (error) {
      // If even that fails, the lease runs out and the timer is claimed again.
      if (!(error instanceof StoreUnavailableError)) report(this.onError, error);
    }
  }
}

/** A failure that says the store was out of reach (possibly wrapped as a refusal by the service). */
function isOutage(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'unavailable';
}
