import type { RedisClientType } from 'redis';

/** Live leases in a hash of process id → the Redis time (ms) its lease runs to (token-places-scripts.ts). */
const LIVE_LEASES = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local leases = redis.call('HGETALL', KEYS[1])
local live = 0
for i = 2, #leases, 2 do
  if tonumber(leases[i]) > now then live = live + 1 end
end
return live
`;

/**
 * How many processes share this Redis, as last read from their socket leases (every process with Redis holds
 * one, renewed every third of its lease): what a limit's fallback to memory divides its budget by. Read while
 * Redis answers and kept while it does not, so a slow Redis leaves the last count standing; at least 1, and 1
 * until the first read. A process gone counts until its lease lapses, which only makes the shares smaller.
 */
export class ProcessCount {
  private live = 1;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisClientType,
    private readonly leasesKey: string,
    everyMs: number,
  ) {
    this.timer = setInterval(() => void this.read(), everyMs);
    this.timer.unref();
    void this.read();
  }

  get(): number {
    return this.live;
  }

  async read(): Promise<void> {
    if (!this.redis.isReady) return;
    const reply = await this.redis.eval(LIVE_LEASES, { keys: [this.leasesKey] }).catch(() => null);
    if (typeof reply === 'number') this.live = Math.max(1, reply);
  }

  close(): void {
    clearInterval(this.timer);
  }
}
