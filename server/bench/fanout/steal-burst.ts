/**
 * The hypervisor's steal at its worst over a short span of a load window,
 * from the /proc/stat readings thread-cpu.ts already takes every 250 ms. At
 * 5 msg/s a phase's p99 is its slowest 1 % of deliveries, which one burst of
 * a few hundred ms can hold entirely; the same burst averaged over a 30 s
 * window reads about 1 % and passes the window's rule (FANOUT_STEAL_MAX,
 * disturbance.ts). The worst second's steal does not dilute so.
 */
import type { CpuTicks } from './machine-cpu.ts';

/** One reading of the machine's steal and all its ticks, cumulative since boot. */
export interface StealReading {
  /** ms, any clock the readings share. */
  at: number;
  ticks: Pick<CpuTicks, 'steal' | 'total'> | null;
}

/** The span the worst steal is taken over: the first reading at least this far after each reading closes its span. */
export const STEAL_SPAN_MS = 1000;

/**
 * The most steal over any span of at least `spanMs` between two readings, %
 * of the machine's cores; over the whole window when it is shorter than a
 * span; null with fewer than two readings of /proc/stat.
 */
export function worstSpanSteal(readings: readonly StealReading[], spanMs = STEAL_SPAN_MS): number | null {
  const got = readings.flatMap((r) => (r.ticks ? [{ at: r.at, ...r.ticks }] : []));
  const last = got.length - 1;
  let worst: number | null = null;
  for (let i = 0, j = 1; i < last; i++) {
    const a = got[i] as (typeof got)[number];
    j = Math.max(j, i + 1);
    while (j < last && (got[j] as (typeof got)[number]).at - a.at < spanMs) j++;
    const b = got[j] as (typeof got)[number];
    // A span cut short by the window's end is left out, unless the whole window is shorter than one span.
    if (b.at - a.at < spanMs && i > 0) break;
    const total = b.total - a.total;
    const p = total > 0 ? ((b.steal - a.steal) / total) * 100 : null;
    if (p !== null && (worst === null || p > worst)) worst = p;
  }
  return worst;
}
