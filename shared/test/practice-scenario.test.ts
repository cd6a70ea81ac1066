import { describe, expect, it } from 'vitest';
import { runHeadless } from '../src/analysis/runner.ts';
import { beatById } from '../src/game/adjudication.ts';
import { createGame } from '../src/game/game.ts';
import { shippedScenario, shippedScenarios } from '../node/scenario-files.ts';

/** The practice round: a short file of its own that plays to an outcome through the real engine. */

const practice = shippedScenario('practice-tanker');

describe('practice scenario', () => {
  it('is offered beside the real crisis', () => {
    expect(shippedScenarios().list().map((s) => s.id)).toEqual(expect.arrayContaining(['april-2024', 'practice-tanker']));
  });

  it('is short: two or three beats on any path, about ten minutes of timers', () => {
    expect(practice.beats.length).toBeLessThanOrEqual(3);
    const longest = practice.beats.reduce((s, b) => s + b.timerSeconds, 0);
    expect(longest / 60).toBeLessThanOrEqual(10);
  });

  it('plays the reference path to its outcome', () => {
    const reference = new Map(practice.historicalPath.map((s) => [`${s.beat}/${s.seat}`, s.move]));
    const r = runHeadless(createGame(practice, { scenarioId: practice.id, seed: 'practice' }), {
      choose: (ctx) => ({ move: reference.get(`${ctx.beat}/${ctx.seat}`) ?? null, rationale: 'practice' }),
    });
    expect(r.refused).toEqual([]);
    expect(r.path).toEqual(['the-stop', 'the-way-out']);
    expect(r.outcome).toBe(practice.historicalOutcome);
  });

  it('reaches an outcome in two or three beats whatever the seats choose', () => {
    const reached = new Set<string>();
    for (let seed = 0; seed < 100; seed++) {
      const r = runHeadless(createGame(practice, { scenarioId: practice.id, seed }), {
        choose: (ctx) => {
          const moves = beatById(practice, ctx.beat).actors.find((a) => a.seat === ctx.seat)!.moves;
          return { move: ctx.rng.pick(moves).id };
        },
      });
      expect(r.refused).toEqual([]);
      expect(r.outcome).not.toBeNull();
      expect(r.path.length).toBeGreaterThanOrEqual(2);
      expect(r.path.length).toBeLessThanOrEqual(3);
      reached.add(r.outcome!);
    }
    // Every ending can happen.
    expect([...reached].sort()).toEqual(practice.outcomes.map((o) => o.id).sort());
  });
});
