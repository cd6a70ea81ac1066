/**
 * The few statistics simulations report: confidence intervals for a
 * proportion and a mean, and tests of whether two samples of outcomes differ.
 * Plain numerics, no dependencies.
 */

const Z95 = 1.959963984540054;

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

/** Wilson's 95% interval for k successes in n trials (sound near 0 and 1, unlike the normal one). */
export function wilson(k: number, n: number, z = Z95): Interval {
  if (n === 0) return { estimate: 0, low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The mean of a sample with its normal 95% interval. */
export function meanInterval(xs: readonly number[], z = Z95): Interval & { sd: number } {
  const n = xs.length;
  if (n === 0) return { estimate: 0, low: 0, high: 0, sd: 0 };
  const mean = xs.reduce((a, x) => a + x, 0) / n;
  const variance = n > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1) : 0;
  const sd = Math.sqrt(variance);
  const half = (z * sd) / Math.sqrt(n);
  return { estimate: mean, low: mean - half, high: mean + half, sd };
}

/** ln Γ(x), Lanczos approximation. */
function lnGamma(x: number): number {
  const c = [76.18009172947146, -86.50532032941678, 24.01409824083091, -1.231739572450155, 0.0012086509738662, -0.000005395239384953];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.00000000019001;
  for (const ci of c) ser += ci / ++y;
  return -tmp + Math.log((2.5066282746310002 * ser) / x);
}

/** The regularised upper incomplete gamma Q(a, x). */
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) {
    // Series for P, then Q = 1 − P.
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 500; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return Math.max(0, 1 - sum * Math.exp(-x + a * Math.log(x) - lnGamma(a)));
  }
  // Continued fraction for Q (Lentz).
  let b = x + 1 - a;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
}

/** P(χ² with `df` degrees of freedom ≥ x). */
export function chiSquareSurvival(x: number, df: number): number {
  return gammaQ(df / 2, x / 2);
}

export interface ChiSquareResult {
  statistic: number;
  df: number;
  p: number;
}

/**
 * Pearson's χ² test that two (or more) samples come from one distribution
 * over the same categories. `counts[i][j]`: sample i, category j. Categories
 * empty in every sample are dropped.
 */
export function chiSquareHomogeneity(counts: readonly (readonly number[])[]): ChiSquareResult {
  const cols = counts[0]?.length ?? 0;
  const colTotals = Array.from({ length: cols }, (_, j) => counts.reduce((a, row) => a + (row[j] ?? 0), 0));
  const kept = colTotals.map((t, j) => (t > 0 ? j : -1)).filter((j) => j >= 0);
  const rowTotals = counts.map((row) => kept.reduce((a, j) => a + (row[j] ?? 0), 0));
  const total = rowTotals.reduce((a, x) => a + x, 0);
  let statistic = 0;
  counts.forEach((row, i) => {
    for (const j of kept) {
      const expected = ((rowTotals[i] ?? 0) * (colTotals[j] ?? 0)) / total;
      if (expected > 0) statistic += ((row[j] ?? 0) - expected) ** 2 / expected;
    }
  });
  const df = (counts.length - 1) * (kept.length - 1);
  return { statistic, df, p: df > 0 ? chiSquareSurvival(statistic, df) : 1 };
}

/** Two-proportion z-test: does k1/n1 differ from k2/n2? Two-sided p. */
export function twoProportionZ(k1: number, n1: number, k2: number, n2: number): { z: number; p: number } {
  const pooled = (k1 + k2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, p: 1 };
  const z = (k1 / n1 - k2 / n2) / se;
  // |Z|² is χ² with one degree of freedom.
  return { z, p: chiSquareSurvival(z * z, 1) };
}

/**
 * The difference of two proportions, k1/n1 − k2/n2, with Newcombe's hybrid
 * score interval (his method 10: built from each side's Wilson interval). Unlike
 * the normal interval, it stays sound when either side has no or every success,
 * which is where a rare outcome of a simulation sits.
 */
export function proportionDifference(k1: number, n1: number, k2: number, n2: number, z = Z95): Interval {
  const a = wilson(k1, n1, z);
  const b = wilson(k2, n2, z);
  const d = a.estimate - b.estimate;
  return {
    estimate: d,
    low: d - Math.sqrt((a.estimate - a.low) ** 2 + (b.high - b.estimate) ** 2),
    high: d + Math.sqrt((a.high - a.estimate) ** 2 + (b.estimate - b.low) ** 2),
  };
}

/** The odds ratio of k1/n1 against k2/n2 with ½ added to each cell (so an empty cell still gives one), and Woolf's 95% interval. */
export function oddsRatio(k1: number, n1: number, k2: number, n2: number, z = Z95): Interval {
  const [a, b, c, d] = [k1 + 0.5, n1 - k1 + 0.5, k2 + 0.5, n2 - k2 + 0.5];
  const lor = Math.log((a * d) / (b * c));
  const se = Math.sqrt(1 / a + 1 / b + 1 / c + 1 / d);
  return { estimate: Math.exp(lor), low: Math.exp(lor - z * se), high: Math.exp(lor + z * se) };
}
