/**
 * Who had the CPU over a load window, a quarter-second at a time: every
 * thread of the servers under test and of the harness (utime + stime from
 * /proc/<pid>/task/<tid>/stat; a server's main thread apart from its V8 and
 * libuv helpers), the harness's main thread's time spent waiting for a core
 * (schedstat's run-queue wait), and the machine's busy time (/proc/stat), so
 * that what remains is the other processes'. A late harness (its sends behind
 * their due times) is then read against it: waiting for a core while other
 * processes ran, or while the server's own threads did (disturbance.ts,
 * lateCauses). Read by the orchestrator, outside the measured processes: a
 * few dozen small files every 250 ms. Linux only; elsewhere no intervals.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseProcStat, type CpuTicks } from './machine-cpu.ts';
import { worstSpanSteal } from './steal-burst.ts';

/** Cumulative ticks (10 ms, USER_HZ 100) per thread, and the main thread's run-queue wait, at one reading. */
export interface ProcessReading {
  /** tid → utime + stime ticks. */
  ticks: Map<number, number>;
  /** The main thread's (tid = pid) time waiting on a run queue, ns since it started; null where schedstat is absent. */
  mainWaitNs: number | null;
}

export interface Reading {
  /** Epoch ms. */
  at: number;
  /** The machine's busy ticks (steal left out); null without /proc/stat. */
  busy: number | null;
  /** The machine's steal and all its ticks, for the worst second's steal (steal-burst.ts); null without /proc/stat, absent from readings made without it. */
  cpu?: Pick<CpuTicks, 'steal' | 'total'> | null;
  /** By pid. */
  servers: Map<number, ProcessReading>;
  harness: ProcessReading | null;
  /** Redis's when it serves the phase: the bench's, not another process's. */
  redis: ProcessReading | null;
}

/** One interval between readings; CPU in % of one core over it. */
export interface CpuInterval {
  start: number;
  end: number;
  machine: number | null;
  serverMain: number;
  serverHelpers: number;
  harnessMain: number;
  harnessHelpers: number;
  /** The machine less the servers, the harness and Redis; null without /proc/stat. */
  others: number | null;
  /** ms the harness's main thread waited for a core in the interval. */
  harnessWaitMs: number;
}

const MS_PER_TICK = 10;

/** `pid`'s main thread's ticks and its helpers' over the interval (a thread new since `a` counts whole). */
function split(pid: number, a: ProcessReading | null | undefined, b: ProcessReading | null | undefined): { main: number; helpers: number } {
  const out = { main: 0, helpers: 0 };
  if (!b) return out;
  for (const [tid, ticks] of b.ticks) {
    const used = ticks - (a?.ticks.get(tid) ?? 0);
    if (tid === pid) out.main += used;
    else out.helpers += used;
  }
  return out;
}

/** The intervals between consecutive readings. `harnessPid` and the servers' pids name the main threads. */
export function intervalsOf(readings: readonly Reading[], harnessPid: number, redisPid: number | null = null): CpuInterval[] {
  const out: CpuInterval[] = [];
  for (let i = 1; i < readings.length; i++) {
    const [a, b] = [readings[i - 1] as Reading, readings[i] as Reading];
    const ms = b.at - a.at;
    if (ms <= 0) continue;
    const pc = (ticks: number) => ((ticks * MS_PER_TICK) / ms) * 100;
    const server = { main: 0, helpers: 0 };
    for (const pid of b.servers.keys()) {
      const s = split(pid, a.servers.get(pid), b.servers.get(pid));
      server.main += s.main;
      server.helpers += s.helpers;
    }
    const harness = split(harnessPid, a.harness, b.harness);
    const redis = redisPid === null ? { main: 0, helpers: 0 } : split(redisPid, a.redis, b.redis);
    const machine = a.busy === null || b.busy === null ? null : pc(b.busy - a.busy);
    const ours = server.main + server.helpers + harness.main + harness.helpers + redis.main + redis.helpers;
    const wait = a.harness?.mainWaitNs != null && b.harness?.mainWaitNs != null ? (b.harness.mainWaitNs - a.harness.mainWaitNs) / 1e6 : 0;
    out.push({
      start: a.at,
      end: b.at,
      machine,
      serverMain: pc(server.main),
      serverHelpers: pc(server.helpers),
      harnessMain: pc(harness.main),
      harnessHelpers: pc(harness.helpers),
      others: a.busy === null || b.busy === null ? null : pc(b.busy - a.busy - ours),
      harnessWaitMs: wait,
    });
  }
  return out;
}

/** utime + stime of one thread's stat line (fields 14 and 15, counted after the command's closing parenthesis). */
export function threadTicks(stat: string): number {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function readProcess(pid: number | undefined): ProcessReading | null {
  if (pid === undefined) return null;
  const ticks = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  for (const tid of tids) {
    try {
      ticks.set(Number(tid), threadTicks(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  let mainWaitNs: number | null = null;
  try {
    mainWaitNs = Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]);
  } catch {
    // no schedstat in this kernel
  }
  return { ticks, mainWaitNs: Number.isFinite(mainWaitNs) ? mainWaitNs : null };
}

function machineTicks(): CpuTicks | null {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** Readings every `everyMs` from `start` to `stop`. */
export class ThreadCpu {
  private readings: Reading[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly servers: readonly (number | undefined)[],
    private readonly harness: number | undefined,
    private readonly redis: number | null = null,
    private readonly everyMs = 250,
  ) {}

  private read(): void {
    const servers = new Map<number, ProcessReading>();
    for (const pid of this.servers) {
      const r = readProcess(pid);
      if (pid !== undefined && r) servers.set(pid, r);
    }
    const cpu = machineTicks();
    this.readings.push({ at: performance.timeOrigin + performance.now(), busy: cpu?.busy ?? null, cpu, servers, harness: readProcess(this.harness), redis: this.redis === null ? null : readProcess(this.redis) });
  }

  start(): void {
    this.readings = [];
    this.read();
    this.timer = setInterval(() => this.read(), this.everyMs);
  }

  stop(): CpuInterval[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.read();
    return this.harness === undefined ? [] : intervalsOf(this.readings, this.harness, this.redis);
  }

  /** The worst second's steal over the readings taken, % of the machine's cores (steal-burst.ts); null without /proc/stat. */
  worstStealSecond(): number | null {
    return worstSpanSteal(this.readings.map((r) => ({ at: r.at, ticks: r.cpu ?? null })));
  }
}

/** Over the whole window, % of one core (time-weighted), and the harness's main thread's run-queue wait per second of it. */
export interface WindowThreads {
  serverMain: number;
  serverHelpers: number;
  harnessMain: number;
  harnessHelpers: number;
  others: number | null;
  harnessWaitMsPerSecond: number;
}

export function windowThreads(intervals: readonly CpuInterval[]): WindowThreads | null {
  const ms = intervals.reduce((k, i) => k + (i.end - i.start), 0);
  if (ms <= 0) return null;
  const mean = (pick: (i: CpuInterval) => number) => intervals.reduce((k, i) => k + pick(i) * (i.end - i.start), 0) / ms;
  return {
    serverMain: mean((i) => i.serverMain),
    serverHelpers: mean((i) => i.serverHelpers),
    harnessMain: mean((i) => i.harnessMain),
    harnessHelpers: mean((i) => i.harnessHelpers),
    others: intervals.every((i) => i.others !== null) ? mean((i) => i.others ?? 0) : null,
    harnessWaitMsPerSecond: (intervals.reduce((k, i) => k + i.harnessWaitMs, 0) / ms) * 1000,
  };
}
