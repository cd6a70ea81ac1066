/**
 * What share of a window's deliveries a server's mark-compacts held up, and
 * how often they came (FANOUT_IDLE's companion figures, fanout.ts). A
 * mark-compact's final pause stops the server's event loop; every delivery
 * whose message was sent before the pause ended and received after it began
 * was in flight during it. Deliveries sent just after a pause still wait for
 * the backlog it left, so the share is a floor on what the pauses cost, not
 * the whole of it. Pure: the server's probe (load-probe.ts) records the
 * pauses, the harness (harness.ts) the deliveries.
 */
import { histogramOf, type LatencyHistogram } from './latency-histogram.ts';

/** One mark-compact's final pause: its start (epoch ms, comparable across the machine's processes) and length (ms). */
export type MarkCompactPause = [start: number, ms: number];

/** One window's deliveries against the server's mark-compacts. */
export interface MarkCompactShare {
  deliveries: number;
  /** Deliveries in flight during a pause. */
  inFlight: number;
  /** Deliveries slower than the window's p99, and of those the ones in flight during a pause. */
  slow: number;
  slowInFlight: number;
  /** The latencies of the deliveries no pause caught, to pool into a p99 "clear of mark-compacts" over rounds. */
  clear: LatencyHistogram;
}

/**
 * `sent[i]` (epoch ms) and `latency[i]` (ms) are delivery i's; `p99` the
 * window's, whose slower deliveries are the tail. Pauses from every server
 * process of the phase count alike: a delivery crosses its sender's process
 * and its recipient's.
 */
export function markCompactShare(sent: readonly number[], latency: readonly number[], pauses: readonly MarkCompactPause[], p99: number): MarkCompactShare {
  const spans = pauses.map(([start, ms]) => [start, start + ms] as const);
  const clear: number[] = [];
  let inFlight = 0;
  let slow = 0;
  let slowInFlight = 0;
  for (let i = 0; i < latency.length; i++) {
    const from = sent[i] ?? Number.NaN;
    const ms = latency[i] ?? Number.NaN;
    const to = from + ms;
    // Overlap of [from, to] with a pause: sent before it ended, received after it began.
    const caught = spans.some(([start, end]) => from < end && to > start);
    const isSlow = ms > p99;
    if (caught) inFlight++;
    else clear.push(ms);
    if (isSlow) slow++;
    if (isSlow && caught) slowInFlight++;
  }
  return { deliveries: latency.length, inFlight, slow, slowInFlight, clear: histogramOf(clear) };
}

/** A phase's mark-compacts over its window: how many, the window's length, and the deliveries they held up (null where the server or the harness did not say). */
export interface WindowMarkCompacts {
  count: number;
  windowMs: number;
  share: MarkCompactShare | null;
}

/** Mark-compacts per minute of load over one window or several pooled: all of them over all the minutes, so a window without one counts. */
export function markCompactsPerMinute(windows: readonly Pick<WindowMarkCompacts, 'count' | 'windowMs'>[]): number {
  const ms = windows.reduce((k, w) => k + w.windowMs, 0);
  return ms > 0 ? (windows.reduce((k, w) => k + w.count, 0) / ms) * 60_000 : Number.NaN;
}

/** Several windows' shares summed, so pooled rounds give one share (each delivery weighs the same, whatever its round). */
export function poolShares(shares: readonly MarkCompactShare[]): Omit<MarkCompactShare, 'clear'> {
  const total = (pick: (s: MarkCompactShare) => number) => shares.reduce((k, s) => k + pick(s), 0);
  return { deliveries: total((s) => s.deliveries), inFlight: total((s) => s.inFlight), slow: total((s) => s.slow), slowInFlight: total((s) => s.slowInFlight) };
}
