/**
 * How busy the machine was over a load window apart from the benchmark's
 * own processes: the CPU time every process used (/proc/stat), and Redis's
 * own (INFO cpu), so that a phase another job crowded can be told from one
 * the server itself made slow. Linux only; null elsewhere.
 */
import { readFile } from 'node:fs/promises';
import { createClient, type RedisClientType } from 'redis';

/** CPU time every process on the machine has used since boot (user, nice, system, irq, softirq, steal), µs. */
async function machineBusyMicros(): Promise<number | null> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: all but idle and iowait, in clock ticks (100 a second on Linux).
    const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
    return Number.isFinite(busy) ? busy * 10_000 : null;
  } catch {
    return null;
  }
}

/** Redis's own CPU time since it started (INFO cpu), µs; null when it cannot be read. */
async function redisMicros(client: RedisClientType | null): Promise<number | null> {
  if (!client) return null;
  try {
    const info = await client.info('cpu');
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
    const s = field('used_cpu_sys') + field('used_cpu_user');
    return Number.isFinite(s) ? s * 1e6 : null;
  } catch {
    return null;
  }
}

export interface WindowCpu {
  /** Redis's CPU over the window, % of one core (null: no Redis, or not readable). */
  redisPercent: number | null;
  /** Every process's CPU over the window, % of one core (null: not Linux). */
  machinePercent: number | null;
}

/** Marks taken at the load window's start and end. */
export class MachineCpu {
  private client: RedisClientType | null = null;
  private start: { at: number; busy: number | null; redis: number | null } | null = null;

  async open(redisUrl: string | null): Promise<void> {
    if (!redisUrl) return;
    const client: RedisClientType = createClient({ url: redisUrl });
    client.on('error', () => {});
    await client.connect();
    this.client = client;
  }

  async mark(): Promise<void> {
    this.start = { at: performance.now(), busy: await machineBusyMicros(), redis: await redisMicros(this.client) };
  }

  async since(): Promise<WindowCpu> {
    const start = this.start;
    const [busy, redis] = [await machineBusyMicros(), await redisMicros(this.client)];
    if (!start) return { redisPercent: null, machinePercent: null };
    const ms = performance.now() - start.at;
    const percent = (a: number | null, b: number | null) => (a === null || b === null ? null : (a - b) / 10 / ms);
    return { redisPercent: percent(redis, start.redis), machinePercent: percent(busy, start.busy) };
  }

  async close(): Promise<void> {
    await this.client?.close().catch(() => {});
    this.client = null;
  }
}
