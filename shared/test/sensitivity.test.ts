import { describe, expect, it } from 'vitest';
import { cellsBelow, formatSensitivityTable, sensitivityReport } from '../src/analysis/sensitivity.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { mini } from './fixtures/mini-scenario.ts';

const s = loadScenario(mini);

const report = sensitivityReport(s, { games: 60 });
const cell = (beat: string, seat: string) => report.cells.find((c) => c.beat === beat && c.seat === seat);

describe('sensitivity report (mechanics, on the mini scenario)', () => {
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
    expect(second?.best).toEqual({ move: 'retaliate', relaying: false, share: 1 });
  });

  it('prints a seats × beats table and lists the cells under a bar', () => {
    const table = formatSensitivityTable(report);
    expect(table.split('\n')[1]).toMatch(/^seat\s+first\s+second$/);
    expect(table).toMatch(/^red\s+100%\s+—$/m);
    expect(table).toMatch(/^blue\s+0%\s+100%$/m);
    expect(cellsBelow(report, 0.1).map((c) => `${c.beat}/${c.seat}`)).toEqual(['first/blue', 'first/green']);
  });

  it('gives a relay seat the alternative of withholding what history says it passed on', () => {
    const input = structuredClone(mini);
    const first = input.beats[0]!;
    first.actors.push({
      seat: 'grey',
      prompt: 'Carry?',
      defaultMove: 'listen',
      moves: [{ id: 'listen', title: 'Listen', escalation: 'status-quo', description: 'Listen.', visibility: 'actor', outcomeText: 'Grey listens.', effects: [] }],
    });
    // Red's word, if Grey carries it to Blue, calms the crisis whatever Red did.
    first.next = [{ outcome: 'calm', when: { relayed: { from: 'red', to: 'blue' } } }, ...first.next];
    input.historicalPath = [
      { beat: 'first', seat: 'red', move: 'strike' },
      { beat: 'first', seat: 'grey', move: 'listen', relays: [{ from: 'red', to: 'blue', text: 'Red will stop here.' }] },
    ];
    const r = sensitivityReport(loadScenario(input), { games: 60, beats: ['first'] });
    const grey = r.cells.find((c) => c.seat === 'grey');
    expect(grey).toMatchObject({ baseline: 'listen', baselineRelaying: true, alternatives: [{ move: 'listen', relaying: false }] });
    // It changes the ending whenever Red (random from this beat on) wrote to Grey and would otherwise have struck.
    expect(grey?.best?.share).toBeGreaterThan(0.1);
    expect(grey?.best?.share).toBeLessThan(0.5);
    // Red's own cell: history has Red write, so the switched Red still writes and Grey (random) may carry it.
    expect(r.cells.find((c) => c.seat === 'red')?.games).toBe(60);
  });

  it('stops a cell once it is decided against the bar, with the same verdict', () => {
    const quick = sensitivityReport(s, { games: 60, decideAt: 0.1 });
    const red = quick.cells.find((c) => c.beat === 'first' && c.seat === 'red');
    expect(red?.games).toBe(6);
    expect(cellsBelow(quick, 0.1).map((c) => `${c.beat}/${c.seat}`)).toEqual(['first/blue', 'first/green']);
  });
});
