/**
 * How busy the machine was over a load window apart from the benchmark's
 * own processes: the CPU time every process used (/proc/stat), and Redis's
 * own (INFO cpu), so that a phase another job crowded can be told from one
 * the server itself made slow; and, apart, the hypervisor's steal, which
 * before 5 December, 15:00 UTC was counted as busy, so that a round the host
 * took CPU from read as "something else was running"; and which other
 * processes took the most of it (process-cpu.ts). Linux only; null elsewhere.
 */
import { readFile } from 'node:fs/promises';
import { createClient, type RedisClientType } from 'redis';
import { readProcessTicks, topProcesses, withCommandLines, type ProcessCpu, type ProcessTicks } from './process-cpu.ts';

/** How many other processes a disturbed phase names. */
const TOP_OTHERS = 3;

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
  /** The worst second's steal in the window, % of the machine's cores (steal-burst.ts; phase.ts sets it from thread-cpu.ts's readings); null where not read, absent from results made before 8 December. */
  stealSecondPercent?: number | null;
  /** The processes that took the most CPU over the window, the bench's own servers and harness and a measured Redis left out (process-cpu.ts); empty where /proc cannot be read. */
  topOthers: ProcessCpu[];
}

const NOTHING_READ: WindowCpu = { redisPercent: null, machinePercent: null, stealPercent: null, topOthers: [] };

/** Redis's pid (INFO server), to leave it out of the other processes when its CPU is counted apart; null when unknown. */
async function redisPid(client: RedisClientType): Promise<number | null> {
  try {
    const pid = Number(/^process_id:(\d+)/m.exec(await client.info('server'))?.[1] ?? NaN);
    return Number.isInteger(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Marks taken at the load window's start and end. */
export class MachineCpu {
  private client: RedisClientType | null = null;
  private redisPid: number | null = null;
  private start: { at: number; ticks: CpuTicks | null; redis: number | null; processes: Map<number, ProcessTicks> } | null = null;

  async open(redisUrl: string | null): Promise<void> {
    if (!redisUrl) return;
    const client: RedisClientType = createClient({ url: redisUrl });
    client.on('error', () => {});
    await client.connect();
    this.client = client;
    this.redisPid = await redisPid(client);
  }

  async mark(): Promise<void> {
    this.start = { at: performance.now(), ticks: await machineTicks(), redis: await redisMicros(this.client), processes: await readProcessTicks() };
  }

  /** Redis's pid when its CPU is measured apart (a Redis phase), else null. */
  measuredRedisPid(): number | null {
    return this.client ? this.redisPid : null;
  }

  /** `own`: the bench's server and harness pids, left out of the processes named. */
  async since(own: readonly (number | undefined)[]): Promise<WindowCpu> {
    const start = this.start;
    const [ticks, redis, processes] = [await machineTicks(), await redisMicros(this.client), await readProcessTicks()];
    if (!start) return NOTHING_READ;
    const ms = performance.now() - start.at;
    const percent = (a: number | null, b: number | null) => (a === null || b === null ? null : (a - b) / 10 / ms);
    // A tick is 10 ms, 10,000 µs.
    const busy = (t: CpuTicks | null) => (t ? t.busy * 10_000 : null);
    return {
      redisPercent: percent(redis, start.redis),
      machinePercent: percent(busy(ticks), busy(start.ticks)),
      stealPercent: ticks && start.ticks ? stealPercent(start.ticks, ticks) : null,
      topOthers: await withCommandLines(topProcesses(start.processes, processes, ms, this.excluded(own), TOP_OTHERS)),
    };
  }

  /** What "the rest of the machine" does not count: the servers, the harness, and Redis where its CPU is measured apart. */
  private excluded(own: readonly (number | undefined)[]): Set<number> {
    const pids = [...own, ...(this.client ? [this.redisPid] : [])];
    return new Set(pids.filter((p): p is number => typeof p === 'number'));
  }

  async close(): Promise<void> {
    await this.client?.close().catch(() => {});
    this.client = null;
  }
}
