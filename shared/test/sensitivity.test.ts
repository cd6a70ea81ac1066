import { describe, expect, it } from 'vitest';
import { cellsBelow, formatSensitivityTable, sensitivityReport } from '../src/analysis/sensitivity.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { mini } from './fixtures/mini-scenario.ts';

const s = loadScenario(mini);

describe('sensitivity report (mechanics, on the mini scenario)', () => {
  const report = sensitivityReport(s, { games: 60 });
  const cell = (beat: string, seat: string) => report.cells.find((c) => c.beat === beat && c.seat === seat);

  it('counts a switch that changes the next beat in every game', () => {
    // Red's strike leads on to the second beat (or war); waiting ends the game calm.
    expect(cell('first', 'red')).toMatchObject({ baseline: 'strike', games: 60, best: { move: 'wait', share: 1 } });
  });

  it('does not count a switch that only sets something nothing reads', () => {
    // Blue's warning sets a flag no rule, draw or guard reads.
    expect(cell('first', 'blue')).toMatchObject({ baseline: 'brace', best: { move: 'warn', share: 0 } });
    expect(cell('first', 'green')?.best).toBeNull();
  });

  it('plays a later beat only in the games whose history reaches it', () => {
    const second = cell('second', 'blue');
    expect(second?.games).toBeGreaterThan(0);
    expect(second?.games).toBeLessThan(60);
    expect(second?.best).toEqual({ move: 'retaliate', share: 1 });
  });

  it('prints a seats × beats table and lists the cells under a bar', () => {
    const table = formatSensitivityTable(report);
    expect(table.split('\n')[1]).toMatch(/^seat\s+first\s+second$/);
    expect(table).toMatch(/^red\s+100%\s+—$/m);
    expect(table).toMatch(/^blue\s+0%\s+100%$/m);
    expect(cellsBelow(report, 0.1).map((c) => `${c.beat}/${c.seat}`)).toEqual(['first/blue', 'first/green']);
  });

  it('stops a cell once it is decided against the bar, with the same verdict', () => {
    const quick = sensitivityReport(s, { games: 60, decideAt: 0.1 });
    const red = quick.cells.find((c) => c.beat === 'first' && c.seat === 'red');
    expect(red?.games).toBe(6);
    expect(cellsBelow(quick, 0.1).map((c) => `${c.beat}/${c.seat}`)).toEqual(['first/blue', 'first/green']);
  });
});
