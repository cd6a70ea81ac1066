/**
 * What a benchmark server process did over the load window besides its CPU
 * time: garbage collection (V8's GCProfiler: each collection's pause and
 * the heap before and after it, hence the bytes allocated in between) and
 * how late its event loop ran timers (perf_hooks). Bytes allocated do not
 * depend on how crowded the machine was; pauses and delays do.
 */
import { constants, monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import v8 from 'node:v8';
import { KernelWindowProbe } from './kernel-probe.ts';
import { GcLog } from './tail-legs.ts';
import type { MarkCompactPause } from './mark-compacts.ts';
import type { LoadProbe } from './types.ts';

interface HeapAt {
  heapStatistics: { usedHeapSize: number };
  heapSpaceStatistics: { spaceName: string; spaceUsedSize: number }[];
}

interface GcStatistic {
  gcType: string;
  /** µs */
  cost: number;
  beforeGC: HeapAt;
  afterGC: HeapAt;
}

/** Bytes in the spaces a scavenge promotes into (old and large-object space). */
function oldBytes(heap: HeapAt): number {
  return heap.heapSpaceStatistics.reduce((k, s) => (s.spaceName === 'old_space' || s.spaceName === 'lo_space' ? k + s.spaceUsedSize : k), 0);
}

/** The same, now (v8's own statistics, in its own field names). */
function oldBytesNow(): number {
  return v8.getHeapSpaceStatistics().reduce((k, s) => (s.space_name === 'old_space' || s.space_name === 'lo_space' ? k + s.space_used_size : k), 0);
}

export class LoadWindowProbe {
  private profiler: v8.GCProfiler | null = null;
  private delay: IntervalHistogram | null = null;
  private usedAtStart = 0;
  private oldAtStart = 0;
  private readonly kernel = new KernelWindowProbe();
  // Each mark-compact's final pause, on the epoch clock the harness shares (mark-compacts.ts): GCProfiler gives no start
  // times, and its non-scavenge collections include incremental marking's start, which pauses nothing.
  private readonly gcs = new GcLog();

  start(): void {
    this.kernel.start();
    this.gcs.start();
    this.usedAtStart = v8.getHeapStatistics().used_heap_size;
    this.oldAtStart = oldBytesNow();
    this.profiler = new v8.GCProfiler();
    this.profiler.start();
    this.delay = monitorEventLoopDelay({ resolution: 5 });
    this.delay.enable();
  }

  stop(): LoadProbe | null {
    const { profiler, delay } = this;
    if (!profiler || !delay) return null;
    const kernel = this.kernel.stop();
    const markCompacts = this.gcs.stop().flatMap(([start, ms, kind]): MarkCompactPause[] => (kind === constants.NODE_PERFORMANCE_GC_MAJOR ? [[start, ms]] : []));
    const usedAtEnd = v8.getHeapStatistics().used_heap_size;
    const oldAtEnd = oldBytesNow();
    const stats = (profiler.stop() as { statistics: GcStatistic[] } | undefined)?.statistics ?? [];
    delay.disable();
    this.profiler = null;
    this.delay = null;
    // What the heap grew by between one collection's end and the next one's start is what was allocated then.
    let allocated = 0;
    let after = this.usedAtStart;
    let pauseMicros = 0;
    let maxPauseMicros = 0;
    let major = 0;
    let promoted = 0;
    // The old generation also grows between collections: objects V8 allocates there at once (an allocation site it
    // pretenured, a large object). With promotion, that is what brings the next mark-compact nearer.
    let direct = 0;
    let oldAfter = this.oldAtStart;
    for (const s of stats) {
      // What outlived two scavenges moves to the old generation, whose collection is the costly kind.
      if (s.gcType === 'Scavenge') promoted += Math.max(0, oldBytes(s.afterGC) - oldBytes(s.beforeGC));
      direct += Math.max(0, oldBytes(s.beforeGC) - oldAfter);
      oldAfter = oldBytes(s.afterGC);
      allocated += Math.max(0, s.beforeGC.heapStatistics.usedHeapSize - after);
      after = s.afterGC.heapStatistics.usedHeapSize;
      pauseMicros += s.cost;
      maxPauseMicros = Math.max(maxPauseMicros, s.cost);
      if (s.gcType !== 'Scavenge') major++;
    }
    allocated += Math.max(0, usedAtEnd - after);
    direct += Math.max(0, oldAtEnd - oldAfter);
    const ms = (ns: number) => ns / 1e6;
    return {
      allocatedBytes: allocated,
      promotedBytes: promoted,
      oldDirectBytes: direct,
      collections: stats.length,
      majorCollections: major,
      gcPauseMs: pauseMicros / 1000,
      gcMaxPauseMs: maxPauseMicros / 1000,
      loopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
      kernel,
      markCompacts,
    };
  }
}
