/**
 * Send → receipt latencies kept as a histogram, so that one contender's
 * deliveries over many rounds (about 40,000 a 10 s round at 1 msg/s, ten
 * times that at 5) can be pooled, saved to a file and read again, and a p99
 * taken over all of them: a few stalls can swing one window's p99, not one
 * over hundreds of thousands of deliveries.
 *
 * Buckets grow geometrically by 0.5 % from 1 µs, so a quantile read from
 * one is at most 0.5 % above the exact nearest-rank value of the samples
 * (stats.ts's `quantile`, whose rank this shares): finer than the 0.1 ms the
 * bench prints at its p99s of 2-10 ms, and about 3,500 buckets up to 30 s.
 */
import { nearestRank } from '../stats.ts';

/** Bucket index → deliveries in it; sparse, and a plain object so it survives JSON (IPC, FANOUT_SAVE). */
export type LatencyHistogram = Record<string, number>;

const FLOOR_MS = 0.001;
const GROWTH = 1.005;
const LOG_GROWTH = Math.log(GROWTH);

/** The bucket holding `ms`: bucket i holds (FLOOR·GROWTH^(i-1), FLOOR·GROWTH^i]; 0 holds everything up to FLOOR. */
export function bucketOf(ms: number): number {
  return ms <= FLOOR_MS ? 0 : Math.ceil(Math.log(ms / FLOOR_MS) / LOG_GROWTH);
}

/** A bucket's upper bound, the value a quantile falling in it reads as. */
export function bucketTop(bucket: number): number {
  return FLOOR_MS * GROWTH ** bucket;
}

export function histogramOf(samplesMs: readonly number[]): LatencyHistogram {
  const h: LatencyHistogram = {};
  for (const ms of samplesMs) {
    const b = bucketOf(ms);
    h[b] = (h[b] ?? 0) + 1;
  }
  return h;
}

export function mergeHistograms(histograms: readonly LatencyHistogram[]): LatencyHistogram {
  const merged: LatencyHistogram = {};
  for (const h of histograms) for (const [b, n] of Object.entries(h)) merged[b] = (merged[b] ?? 0) + n;
  return merged;
}

export function histogramCount(h: LatencyHistogram): number {
  return Object.values(h).reduce((k, n) => k + n, 0);
}

/** The q-th quantile (0..1) by nearest rank, as its bucket's upper bound; NaN when empty. */
export function histogramQuantile(h: LatencyHistogram, q: number): number {
  const buckets = Object.entries(h)
    .map(([b, n]) => [Number(b), n] as const)
    .sort((x, y) => x[0] - y[0]);
  const total = buckets.reduce((k, [, n]) => k + n, 0);
  if (total === 0) return Number.NaN;
  const rank = nearestRank(total, q);
  let seen = 0;
  for (const [b, n] of buckets) {
    seen += n;
    if (seen > rank) return bucketTop(b);
  }
  return Number.NaN;
}
