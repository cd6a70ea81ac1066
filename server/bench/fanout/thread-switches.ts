/**
 * Which of a server process's threads sleeps and wakes over the load window:
 * every thread's voluntary and involuntary context switches and CPU ticks
 * (/proc/self/task/<tid>/status and stat), appended as one JSON line per
 * window to FANOUT_THREAD_SWITCHES=<file>. getrusage (kernel-probe.ts) sums
 * the switches of all threads; this says whether the main thread, V8's
 * platform workers (the collector's and compiler's helpers), libuv's pool or
 * a worker_thread makes them. Node 24 names its threads (MainThread,
 * V8Worker, DelayedTaskSche, libuv-worker, …); Node 20 calls them all
 * "node", so they are told apart by creation order (tid). Linux only.
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';

interface ThreadCounters {
  name: string;
  voluntary: number;
  involuntary: number;
  /** utime + stime, clock ticks (10 ms). */
  ticks: number;
}

/** One thread's figures over the window; a thread born inside it counts from zero. */
export interface ThreadSwitches extends ThreadCounters {
  tid: number;
}

function statusField(status: string, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

function readThread(tid: string): ThreadCounters | null {
  try {
    const status = readFileSync(`/proc/self/task/${tid}/status`, 'utf8');
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      name: readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(),
      voluntary: statusField(status, 'voluntary_ctxt_switches'),
      involuntary: statusField(status, 'nonvoluntary_ctxt_switches'),
      ticks: Number(fields[11]) + Number(fields[12]),
    };
  } catch {
    return null; // the thread ended between the listing and the read
  }
}

function readAll(): Map<number, ThreadCounters> {
  const out = new Map<number, ThreadCounters>();
  for (const tid of readdirSync('/proc/self/task')) {
    const t = readThread(tid);
    if (t) out.set(Number(tid), t);
  }
  return out;
}

/** The window's per-thread differences, by tid. */
export function threadDeltas(a: Map<number, ThreadCounters>, b: Map<number, ThreadCounters>): ThreadSwitches[] {
  return [...b].sort(([x], [y]) => x - y).map(([tid, end]) => {
    const start = a.get(tid);
    return {
      tid,
      name: end.name,
      voluntary: end.voluntary - (start?.voluntary ?? 0),
      involuntary: end.involuntary - (start?.involuntary ?? 0),
      ticks: end.ticks - (start?.ticks ?? 0),
    };
  });
}

export class ThreadSwitchProbe {
  private atStart: Map<number, ThreadCounters> | null = null;
  private startedAt = 0;
  /** CLOCK_MONOTONIC, ns: a trace taken with `perf record -k CLOCK_MONOTONIC` can be cut at the window. */
  private startedNs = 0n;

  constructor(private readonly file: string | undefined = process.env.FANOUT_THREAD_SWITCHES) {}

  start(): void {
    if (!this.file) return;
    this.startedAt = performance.now();
    this.startedNs = process.hrtime.bigint();
    this.atStart = readAll();
  }

  stop(): void {
    if (!this.file || !this.atStart) return;
    const threads = threadDeltas(this.atStart, readAll());
    const endedAt = performance.now();
    const monotonicNs = [String(this.startedNs), String(process.hrtime.bigint())];
    // Epoch ms at the same instants, to place the tail dump's stamps (epoch) on a perf trace (monotonic): stall-causes.ts.
    const epochMs = [performance.timeOrigin + this.startedAt, performance.timeOrigin + endedAt];
    const line = { pid: process.pid, server: process.argv[1] ?? '', node: process.version, windowMs: endedAt - this.startedAt, monotonicNs, epochMs, threads };
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
    this.atStart = null;
  }
}
