import { describe, expect, it } from 'vitest';
import { ESCALATION_SCORES, escalationByBeat, moveEscalation } from '../src/analysis/escalation.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { Escalation } from '../src/scenario/schema.ts';
import { mini } from './fixtures/mini-scenario.ts';
import { scenariosUnderTest } from './scenarios-under-test.ts';

describe('escalation scale (Rivera et al. 2024)', () => {
  it('scores the six categories as published', () => {
    expect(ESCALATION_SCORES).toEqual({
      'de-escalation': -2,
      'status-quo': 0,
      posturing: 4,
      'non-violent': 12,
      violent: 28,
      nuclear: 60,
    });
    expect(Object.keys(ESCALATION_SCORES).sort()).toEqual([...Escalation.options].sort());
  });

  it('refuses a scenario with a move that has no escalation category', () => {
    const input = structuredClone(mini) as { beats: { actors: { moves: Record<string, unknown>[] }[] }[] };
    delete input.beats[0]?.actors[0]?.moves[0]?.escalation;
    expect(() => loadScenario(input)).toThrow(/escalation/);
  });

  it('scores a move by its category and throws for an unknown move', () => {
    const s = loadScenario(mini);
    expect(moveEscalation(s, 'strike')).toEqual({ category: 'violent', score: 28 });
    expect(moveEscalation(s, 'absorb')).toEqual({ category: 'de-escalation', score: -2 });
    expect(() => moveEscalation(s, 'no-such-move')).toThrow(/no-such-move/);
  });

  it('sums per beat and seat, in the order beats were played', () => {
    const s = loadScenario(mini);
    const rows = escalationByBeat(s, [
      { beat: 'first', seat: 'red', move: 'strike' },
      { beat: 'first', seat: 'blue', move: 'warn' },
      { beat: 'second', seat: 'blue', move: 'absorb' },
      { beat: 'second', seat: 'blue', move: 'retaliate' },
    ]);
    expect(rows).toEqual([
      { beat: 'first', seats: { red: 28, blue: 4 }, total: 32, peak: 28 },
      { beat: 'second', seats: { blue: 26 }, total: 26, peak: 26 },
    ]);
  });

  it.each(scenariosUnderTest.map((s) => [s.id, s] as const))('%s: the historical path scores on the scale', (_id, s) => {
    const rows = escalationByBeat(s, s.historicalPath);
    expect(rows.map((r) => r.beat)).toEqual([...new Set(s.historicalPath.map((h) => h.beat))]);
    for (const r of rows) expect(Number.isFinite(r.total)).toBe(true);
  });
});
