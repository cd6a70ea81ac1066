/**
 * How busy the machine was over a load window apart from the benchmark's
 * own processes: the CPU time every process used (/proc/stat), and Redis's
 * own (INFO cpu), so that a phase another job crowded can be told from one
 * the server itself made slow; and, apart, the hypervisor's steal, which
 * before 5 December, 15:00 UTC was counted as busy, so that a round the host
 * took CPU from read as "something else was running". Linux only; null elsewhere.
 */
import { readFile } from 'node:fs/promises';
import { createClient, type RedisClientType } from 'redis';

/** The machine's CPU time since boot from /proc/stat's first line, in clock ticks (100 a second on Linux). */
export interface CpuTicks {
  /** user, nice, system, irq, softirq: what this machine's processes and kernel ran. */
  busy: number;
  /** steal: time the hypervisor gave this machine's virtual CPUs to someone else while they had work. */
  steal: number;
  /** The eight fields summed (idle and iowait too): every core's ticks. */
  total: number;
}

/** /proc/stat's text to its first ("cpu ") line's ticks; null when it has no such line. */
export function parseProcStat(text: string): CpuTicks | null {
  const line = text.split('\n', 1)[0] ?? '';
  if (!line.startsWith('cpu ')) return null;
  // user nice system idle iowait irq softirq steal (guest and guest_nice are already in user and nice).
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 8 || f.some((x) => !Number.isFinite(x))) return null;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f as [number, number, number, number, number, number, number, number];
  return { busy: user + nice + system + irq + softirq, steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** Steal between two readings, in % of the machine's cores (top's "st"); null with no ticks between them. */
export function stealPercent(start: CpuTicks, end: CpuTicks): number | null {
  const total = end.total - start.total;
  return total > 0 ? ((end.steal - start.steal) / total) * 100 : null;
}

async function machineTicks(): Promise<CpuTicks | null> {
  try {
    return parseProcStat(await readFile('/proc/stat', 'utf8'));
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
  /** Every process's CPU over the window, steal left out, % of one core (null: not Linux). */
  machinePercent: number | null;
  /** The hypervisor's steal over the window, % of the machine's cores (null: not Linux). */
  stealPercent: number | null;
}

/** Marks taken at the load window's start and end. */
export class MachineCpu {
  private client: RedisClientType | null = null;
  private start: { at: number; ticks: CpuTicks | null; redis: number | null } | null = null;

  async open(redisUrl: string | null): Promise<void> {
    if (!redisUrl) return;
    const client: RedisClientType = createClient({ url: redisUrl });
    client.on('error', () => {});
    await client.connect();
    this.client = client;
  }

  async mark(): Promise<void> {
    this.start = { at: performance.now(), ticks: await machineTicks(), redis: await redisMicros(this.client) };
  }

  async since(): Promise<WindowCpu> {
    const start = this.start;
    const [ticks, redis] = [await machineTicks(), await redisMicros(this.client)];
    if (!start) return { redisPercent: null, machinePercent: null, stealPercent: null };
    const ms = performance.now() - start.at;
    const percent = (a: number | null, b: number | null) => (a === null || b === null ? null : (a - b) / 10 / ms);
    // A tick is 10 ms, 10,000 µs.
    const busy = (t: CpuTicks | null) => (t ? t.busy * 10_000 : null);
    return {
      redisPercent: percent(redis, start.redis),
      machinePercent: percent(busy(ticks), busy(start.ticks)),
      stealPercent: ticks && start.ticks ? stealPercent(start.ticks, ticks) : null,
    };
  }

  async close(): Promise<void> {
    await this.client?.close().catch(() => {});
    this.client = null;
  }
}
