import { describe, expect, it } from 'vitest';
import { shippedScenario } from '../../node/scenario-files.ts';
import { createGame } from '../../src/game/game.ts';
import { runHeadless } from '../../src/analysis/runner.ts';
import { chiSquareHomogeneity, twoProportionZ } from '../../src/analysis/stats.ts';
import { personaChooser, personaMix, personasFor, type Persona, type PersonaMix } from '../../src/bots/index.ts';

const scenario = shippedScenario('april-2024');
const seats = scenario.seats.map((s) => s.id);
const optional = scenario.seats.filter((s) => s.optional).map((s) => s.id);
const moveIds = new Set(scenario.beats.flatMap((b) => b.actors.flatMap((a) => a.moves.map((m) => m.id))));

function play(mix: PersonaMix, games: number, seedTag: string, optionalSeats: string[] = []) {
  const choose = personaChooser(scenario, mix);
  return Array.from({ length: games }, (_, i) =>
    runHeadless(createGame(scenario, { scenarioId: scenario.id, seed: `${seedTag}-${i}`, review: false, optionalSeats }), { choose, keepLog: false }),
  );
}

/** The mix of each seat's persona with the highest (or lowest) stance. */
function extremeMix(pick: (a: Persona, b: Persona) => Persona): PersonaMix {
  return Object.fromEntries(seats.map((s) => [s, personasFor(scenario, s).reduce(pick)]));
}

describe('personas', () => {
  it('give every seat at least three, and name only moves the scenario has', () => {
    for (const seat of seats) {
      const personas = personasFor(scenario, seat);
      expect(personas.length, seat).toBeGreaterThanOrEqual(3);
      for (const p of personas) for (const id of Object.keys(p.favours)) expect(moveIds.has(id), `${seat}/${p.id} favours ${id}`).toBe(true);
    }
  });

  it('pick only legal moves and well-formed messages, for every persona, over many seeded games', () => {
    for (let k = 0; k < 3; k++) {
      const mix = Object.fromEntries(seats.map((s) => [s, personasFor(scenario, s)[k]])) as PersonaMix;
      for (const [tag, inPlay] of [['core', []], ['all', optional]] as const) {
        const results = play(mix, 40, `legal-${k}-${tag}`, [...inPlay]);
        for (const r of results) {
          expect(r.outcome).not.toBeNull();
          expect(r.refused).toEqual([]);
          // A bot always decides: nothing falls back to the beat's default.
          expect(r.choices.filter((c) => c.defaulted)).toEqual([]);
          for (const c of r.choices) expect(c.rationale.length).toBeGreaterThan(20);
        }
        const messages = results.flatMap((r) => r.state.messages.toArray());
        expect(messages.length).toBeGreaterThan(results.length);
        expect(messages.some((m) => m.relayOf !== null && m.from === 'mediators')).toBe(true);
      }
    }
  }, 120_000);

  it('differ measurably: the most and least hawkish mixes end differently (χ² test), and the hawks reach war more often', () => {
    const hawks = extremeMix((a, b) => (b.stance > a.stance ? b : a));
    const doves = extremeMix((a, b) => (b.stance < a.stance ? b : a));
    const n = 150;
    const outcomes = scenario.outcomes.map((o) => o.id);
    const tally = (mix: PersonaMix, tag: string) => {
      const counts = Object.fromEntries(outcomes.map((o) => [o, 0]));
      for (const r of play(mix, n, tag)) counts[r.outcome ?? ''] = (counts[r.outcome ?? ''] ?? 0) + 1;
      return counts;
    };
    const h = tally(hawks, 'hawks');
    const d = tally(doves, 'doves');
    const test = chiSquareHomogeneity([outcomes.map((o) => h[o] ?? 0), outcomes.map((o) => d[o] ?? 0)]);
    const war = (c: Record<string, number>) => (c['sustained-war'] ?? 0) + (c['regional-war'] ?? 0) + (c['nuclear-crisis'] ?? 0);
    const z = twoProportionZ(war(h), n, war(d), n);
    console.log(`most hawkish mix (${Object.values(hawks).map((p) => p.id).join(', ')}):`, h);
    console.log(`least hawkish mix (${Object.values(doves).map((p) => p.id).join(', ')}):`, d);
    console.log(`χ² = ${test.statistic.toFixed(1)}, df = ${test.df}, p = ${test.p.toExponential(2)}; war or worse ${war(h)}/${n} vs ${war(d)}/${n}, z = ${z.z.toFixed(2)}, p = ${z.p.toExponential(2)}`);
    expect(test.p).toBeLessThan(1e-3);
    expect(z.z).toBeGreaterThan(3);
  }, 120_000);

  it('decide the same from the same view and seed', () => {
    const mix = personaMix(scenario, { iran: 'hard-liner' });
    const [a] = play(mix, 1, 'same');
    const [b] = play(mix, 1, 'same');
    expect(a?.choices).toEqual(b?.choices);
    expect(a?.state.messages).toEqual(b?.state.messages);
  });
});
