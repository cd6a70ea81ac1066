import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import { loadScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import type { TurnSnapshot } from '../src/game/game.ts';
import { walkModel, type ModelWalk } from './model-walk.ts';
import { mini } from './fixtures/mini-scenario.ts';
import { scenariosUnderTest } from './scenarios-under-test.ts';

/**
 * Model-based checks with xstate/graph: walk every state the turn machine can
 * reach under the scenario's moves and show that every beat and every outcome
 * is reachable and that the game can always be finished from anywhere.
 */

function finishByDefaults(walk: ModelWalk, from: TurnSnapshot): TurnSnapshot {
  // The facilitator alone can always drive a game to its end: close planning
  // (everyone defaults), accept, advance.
  let s = from;
  for (let i = 0; i < 200 && s.status !== 'done'; i++) {
    const type = s.matches('lobby') ? 'START' : JSON.stringify(s.value).includes('adjudication') ? 'ACCEPT_ADJUDICATION' : 'ADVANCE';
    const next = transition(walk.machine, s, { type, by: { kind: 'facilitator' }, seq: 1, at: 0 } as const)[0];
    if (next === s) break;
    s = next;
  }
  return s;
}

const cases: [string, Scenario, (string | number)[]][] = [
  ['mini', loadScenario(mini), [1, 2, 3]],
  ...scenariosUnderTest.map((s): [string, Scenario, (string | number)[]] => [s.id, s, ['model-a']]),
];

describe.each(cases)('model walk of %s', (_name, scenario, seeds) => {
  const walks = seeds.map((seed) =>
    walkModel(scenario, {
      seed: typeof seed === 'number' ? seed : [...seed].reduce((a, c) => a * 31 + c.charCodeAt(0), 7) >>> 0,
      options: { timerScale: 1, timerSeconds: {}, review: true, seatsInPlay: scenario.seats.map((s) => s.id) },
    }),
  );

  it('reaches every beat', () => {
    const reached = new Set(walks.flatMap((w) => w.states.map((s) => s.context.beat)));
    for (const b of scenario.beats) expect(reached, `beat ${b.id}`).toContain(b.id);
  });

  it('reaches every outcome through the rules, with a path of real events', () => {
    const reached = new Map<string, number>();
    for (const w of walks)
      for (const p of w.paths) {
        const o = p.state.context.outcome;
        if (o && o.by === 'rules' && !reached.has(o.outcome)) reached.set(o.outcome, p.steps.length);
      }
    for (const o of scenario.outcomes) expect(reached.has(o.id), `outcome ${o.id}`).toBe(true);
  });

  it('has no dead end: from every reachable state the game can be finished', { timeout: 180_000 }, () => {
    for (const w of walks) {
      expect(w.states.length).toBeGreaterThan(scenario.beats.length);
      for (const s of w.states) {
        const end = finishByDefaults(w, s);
        expect(end.status, JSON.stringify(s.value)).toBe('done');
        expect(end.context.outcome).not.toBeNull();
      }
    }
  });
});
