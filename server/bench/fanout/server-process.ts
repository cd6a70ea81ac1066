/** The IPC side every benchmark server process shares: say where it listens, answer stats requests, profile on demand, stop when told. */
import { appendFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { LoadWindowProbe } from './load-probe.ts';
import type { SpanProbe } from './span-probe.ts';
import { ServerTailProbe } from './tail-probe.ts';
import type { FromServer, ServerStats, ToServer } from './types.ts';

let heapSnapshots = 0;

/**
 * FANOUT_SLICES=<file>: every second of the load window, this process's CPU time and heap appended to the file
 * (`<pid> <ms since the window's start> <user µs> <system µs> <heapUsed> <external>`), so one window can be cut
 * into halves: whether CPU per delivery rises as the heap grows within a run, not only between runs.
 */
class WindowSlices {
  private timer: NodeJS.Timeout | null = null;
  private write: (() => void) | null = null;

  start(file: string | undefined): void {
    if (!file) return;
    const t0 = performance.now();
    const write = () => {
      const cpu = process.cpuUsage();
      const mem = process.memoryUsage();
      appendFileSync(file, `${process.pid} ${(performance.now() - t0).toFixed(1)} ${cpu.user} ${cpu.system} ${mem.heapUsed} ${mem.external}\n`);
    };
    write();
    this.write = write;
    this.timer = setInterval(write, 1000);
  }

  /** One last line at the window's end, so the second half ends where the window does. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.write?.();
    this.timer = null;
    this.write = null;
  }
}

/** Whether this code was transformed with keepNames (tsx): the closure below is then wrapped in `__name`, visible in the source text. */
function keepNames(): boolean {
  function shape(): () => number {
    const inner = () => 1;
    return inner;
  }
  return shape.toString().includes('__name(');
}

export function ownStats(gc: boolean): ServerStats {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (gc && collect) {
    collect();
    collect();
  }
  // FANOUT_HEAP_SNAPSHOT=<dir>: a heap snapshot at each collected figure (the empty server, then the idle sessions), to compare in DevTools.
  const dir = process.env.FANOUT_HEAP_SNAPSHOT;
  if (gc && dir) writeHeapSnapshot(path.join(dir, `${process.pid}-${heapSnapshots++}.heapsnapshot`));
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return { cpuMicros: cpu.user + cpu.system, systemMicros: cpu.system, rssBytes: mem.rss, liveBytes: mem.heapUsed + mem.external };
}

/**
 * V8's profiler on this process, so a profile covers the load window alone
 * (not start-up and set-up, as --cpu-prof would): CPU time, or a sampling
 * heap profile of what was allocated (collected or not), for DevTools.
 */
class Profiler {
  private session: Session | null = null;
  private kind: 'cpu' | 'heap' = 'cpu';

  async start(kind: 'cpu' | 'heap'): Promise<void> {
    this.session = new Session();
    this.session.connect();
    this.kind = kind;
    if (kind === 'cpu') {
      await this.session.post('Profiler.enable');
      await this.session.post('Profiler.start');
    } else {
      await this.session.post('HeapProfiler.enable');
      await this.session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    }
  }

  async stop(file: string): Promise<void> {
    if (!this.session) return;
    const { profile } = this.kind === 'cpu' ? await this.session.post('Profiler.stop') : await this.session.post('HeapProfiler.stopSampling');
    this.session.disconnect();
    this.session = null;
    await writeFile(file, JSON.stringify(profile));
  }
}

/** `spans`: a probe of the server's own steps, started and stopped with the load window. */
export function serveIpc(start: () => Promise<{ url: string; close: () => Promise<void> }>, spans: SpanProbe | null = null): void {
  const send = (m: FromServer) => process.send?.(m);
  const profiler = new Profiler();
  const probe = new LoadWindowProbe();
  // FANOUT_TAIL=1: each message's read, broadcast and loop iteration stamped, and every GC (tail-probe.ts).
  const tail = process.env.FANOUT_TAIL === '1' ? new ServerTailProbe() : null;
  const slices = new WindowSlices();
  start().then(
    ({ url, close }) => {
      send({ type: 'listening', url, keepNames: keepNames(), node: process.version });
      process.on('message', (m: ToServer) => {
        if (m.type === 'stats') {
          // FANOUT_WINDOW_MARKS=<file>: each window's start and end on this process's clock (performance.now), to cut a V8 log (--logfile) at the window.
          const marks = process.env.FANOUT_WINDOW_MARKS;
          if (marks && m.window) appendFileSync(marks, `${process.pid} ${m.window} ${performance.now().toFixed(1)}\n`);
          if (m.window === 'start') {
            probe.start();
            spans?.start();
            tail?.start();
            slices.start(process.env.FANOUT_SLICES);
          }
          if (m.window === 'end') slices.stop();
          const ended = m.window === 'end' ? probe.stop() : null;
          const timed = m.window === 'end' && spans ? spans.stop() : null;
          const stamped = m.window === 'end' && tail ? tail.stop() : null;
          send({ type: 'stats', stats: { ...ownStats(m.gc), ...(ended ? { probe: ended } : {}), ...(timed ? { spans: timed } : {}), ...(stamped ? { tail: stamped } : {}) } });
        }
        else if (m.type === 'profile-start') void profiler.start(m.kind ?? 'cpu');
        else if (m.type === 'profile-stop') void profiler.stop(m.file).then(() => send({ type: 'profiled', file: m.file }));
        else
          void close()
            .catch(() => {})
            .finally(() => process.exit(0));
      });
    },
    (err: unknown) => {
      send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.exit(1);
    },
  );
}
