import { describe, expect, it } from 'vitest';
import { cellsBelow, sensitivityReport } from '../src/analysis/sensitivity.ts';
import { shippedScenario } from '../node/scenario-files.ts';

/**
 * The bar of issue 8: every seat acting in a beat of the historical path has
 * an alternative that changes what follows in at least 10% of 2,000 seeded
 * games (the others playing at random). Each cell stops as soon as it is
 * decided, so the verdict is exact and a well-designed scenario is quick.
 */
const BAR = 0.1;
const GAMES = 2000;

describe('april-2024: choices that matter', () => {
  it(`every acting seat in every historical beat changes what follows in ≥ ${BAR * 100}% of ${GAMES} games`, () => {
    const report = sensitivityReport(shippedScenario('april-2024'), { games: GAMES, decideAt: BAR });
    expect(report.cells.length).toBeGreaterThanOrEqual(25);
    const below = cellsBelow(report, BAR).map((c) => `${c.beat}/${c.seat}: best ${c.best?.move ?? 'none'} ${(100 * (c.best?.share ?? 0)).toFixed(1)}%`);
    expect(below).toEqual([]);
  }, 900_000);
});
