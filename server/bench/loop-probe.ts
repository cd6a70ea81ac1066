/**
 * Preloaded into a server process (`--import`) by import-burst.ts: measures
 * the main thread's event loop from inside the process, so a loaded machine's
 * HTTP round trips do not blur the figure. On SIGUSR2 it writes one line,
 * `LOOP-PROBE {json}`, to stderr and starts over: the event-loop delay's max
 * and p99 (monitorEventLoopDelay at 1 ms resolution), every stall over 20 ms
 * (when, from the previous SIGUSR2, and how long), the process's CPU time
 * (all threads, workers included) and the time the main thread's event loop
 * was busy (eventLoopUtilization's `active`: its own share) since the previous line, and the main
 * thread's garbage collections of 5 ms or more (kind, when, how long), so a stall can be told from a GC.
 */
import { constants, monitorEventLoopDelay, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

const STALL_MS = 20;
const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
let since = performance.now();
let cpuSince = process.cpuUsage();
let loopSince = performance.eventLoopUtilization();
let last = performance.now();
let stalls: { atMs: number; ms: number }[] = [];
let gcs: { kind: string; atMs: number; ms: number }[] = [];
let gcMs = 0;

const GC_SHOWN_MS = 5;
const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};

// Only this thread's collections: a worker's heap is its own.
new PerformanceObserver((list) => {
  for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    gcMs += e.duration;
    if (e.duration >= GC_SHOWN_MS) gcs.push({ kind: GC_KINDS[e.detail?.kind ?? -1] ?? 'other', atMs: Math.round(e.startTime - since), ms: Math.round(e.duration) });
  }
}).observe({ entryTypes: ['gc'] });

// A 1 ms tick: a gap between ticks longer than that is time the main thread spent on something else.
setInterval(() => {
  const t = performance.now();
  if (t - last - 1 > STALL_MS) stalls.push({ atMs: Math.round(last - since), ms: Math.round(t - last - 1) });
  last = t;
}, 1).unref();

process.on('SIGUSR2', () => {
  const cpu = process.cpuUsage(cpuSince);
  const line = {
    maxMs: histogram.max / 1e6,
    p99Ms: histogram.percentile(99) / 1e6,
    stalls,
    cpuMs: (cpu.user + cpu.system) / 1000,
    busyMs: performance.eventLoopUtilization(loopSince).active,
    spanMs: performance.now() - since,
    gcMs,
    gcs,
  };
  process.stderr.write(`LOOP-PROBE ${JSON.stringify(line)}\n`);
  histogram.reset();
  stalls = [];
  gcs = [];
  gcMs = 0;
  since = performance.now();
  last = since;
  cpuSince = process.cpuUsage();
  loopSince = performance.eventLoopUtilization();
});
