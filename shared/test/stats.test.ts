import { describe, expect, it } from 'vitest';
import { oddsRatio, proportionDifference } from '../src/analysis/stats.ts';

describe('the difference of two proportions (Newcombe 1998, method 10)', () => {
  it('gives the interval of the paper’s worked examples', () => {
    // Newcombe, Statistics in Medicine 17:873–890, table II: 56/70 vs 48/80 → 0.0524 to 0.3339; 9/10 vs 3/10 → 0.1705 to 0.8090.
    const a = proportionDifference(56, 70, 48, 80);
    expect([a.estimate, a.low, a.high].map((x) => x.toFixed(4))).toEqual(['0.2000', '0.0524', '0.3339']);
    const b = proportionDifference(9, 10, 3, 10);
    expect([b.low, b.high].map((x) => x.toFixed(4))).toEqual(['0.1705', '0.8090']);
  });

  it('spans no change for one success in thousands against none, where the odds ratio is large', () => {
    const d = proportionDifference(1, 5400, 0, 10800);
    expect(d.low).toBeLessThan(0);
    expect(d.high).toBeGreaterThan(0);
    expect(oddsRatio(1, 5400, 0, 10800).estimate).toBeCloseTo(6, 2);
  });
});
