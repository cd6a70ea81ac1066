/**
 * Preloaded into a server process (`--import`) by import-burst.ts: measures
 * the main thread's event loop from inside the process, so a loaded machine's
 * HTTP round trips do not blur the figure. On SIGUSR2 it writes one line,
 * `LOOP-PROBE {json}`, to stderr and starts over: the event-loop delay's max
 * and p99 (monitorEventLoopDelay at 1 ms resolution), every stall over 20 ms
 * (when, from the previous SIGUSR2, and how long), the process's CPU time
 * (all threads, workers included) and the time the main thread's event loop
 * was busy (eventLoopUtilization's `active`: its own share) since the previous line.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const STALL_MS = 20;
const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
let since = performance.now();
let cpuSince = process.cpuUsage();
let loopSince = performance.eventLoopUtilization();
let last = performance.now();
let stalls: { atMs: number; ms: number }[] = [];

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
  };
  process.stderr.write(`LOOP-PROBE ${JSON.stringify(line)}\n`);
  histogram.reset();
  stalls = [];
  since = performance.now();
  last = since;
  cpuSince = process.cpuUsage();
  loopSince = performance.eventLoopUtilization();
});
