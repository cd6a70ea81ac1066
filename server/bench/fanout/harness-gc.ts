/**
 * The harness's own collections over the load window. Its mark-compacts
 * stop every socket it holds, both contenders' alike, so a window that holds
 * more of them charges its contender for the instrument (docs/performance.md,
 * "What Node 20's p99 is made of"); counted in every phase, not only with
 * FANOUT_TAIL=1, so each round says whether it happened.
 */
import { constants } from 'node:perf_hooks';
import type { GcRecord } from './tail-legs.ts';

export interface HarnessGc {
  markCompacts: number;
  /** The longest mark-compact's pause, ms (0 without one). */
  longestMarkCompactMs: number;
  scavenges: number;
}

export function harnessGcOf(gcs: readonly GcRecord[]): HarnessGc {
  const majors = gcs.filter((g) => g[2] === constants.NODE_PERFORMANCE_GC_MAJOR);
  return {
    markCompacts: majors.length,
    longestMarkCompactMs: majors.reduce((k, g) => Math.max(k, g[1]), 0),
    scavenges: gcs.filter((g) => g[2] === constants.NODE_PERFORMANCE_GC_MINOR).length,
  };
}
