/**
 * The harness's own collections over the load window. Its mark-compacts
 * stop every socket it holds, both contenders' alike, so a window that holds
 * more of them charges its contender for the instrument
 * (docs/performance/fan-out-log.md, "What Node 20's p99 is made of");
 * counted in every phase, not only with FANOUT_TAIL=1, so each round says
 * whether it happened.
 */
import { constants } from 'node:perf_hooks';
import type { HarnessHeap } from './harness-heap.ts';
import type { GcRecord } from './tail-legs.ts';

export interface HarnessGc {
  markCompacts: number;
  /** The longest mark-compact's pause, ms (0 without one). */
  longestMarkCompactMs: number;
  scavenges: number;
  /**
   * Of the mark-compacts, those V8 ran for external memory (Buffers and other
   * memory outside its heap grown past its limit: a harness reading a backlog
   * of receipts in large chunks, say) and the others forced (gc(), memory
   * pressure); the rest ran because the old generation reached V8's dynamic
   * allocation limit (set at each mark-compact from the live heap, not the
   * heap's cap: harness-heap.ts). Absent before 6 December,
   * 13:20 UTC, when the bare phases' 20-21 mark-compacts under FANOUT_TAIL=1
   * could not be told apart.
   */
  forExternalMemory?: number;
  forced?: number;
  /** Its heap over the window against V8's cap (absent before 6 December, 15:50 UTC). */
  heap?: HarnessHeap;
}

export function harnessGcOf(gcs: readonly GcRecord[]): HarnessGc {
  const majors = gcs.filter((g) => g[2] === constants.NODE_PERFORMANCE_GC_MAJOR);
  const external = constants.NODE_PERFORMANCE_GC_FLAGS_ALL_EXTERNAL_MEMORY;
  const flagged = (flag: number, not = 0) => majors.filter((g) => ((g[3] ?? 0) & flag) !== 0 && ((g[3] ?? 0) & not) === 0).length;
  return {
    markCompacts: majors.length,
    longestMarkCompactMs: majors.reduce((k, g) => Math.max(k, g[1]), 0),
    scavenges: gcs.filter((g) => g[2] === constants.NODE_PERFORMANCE_GC_MINOR).length,
    forExternalMemory: flagged(external),
    forced: flagged(constants.NODE_PERFORMANCE_GC_FLAGS_FORCED, external),
  };
}
