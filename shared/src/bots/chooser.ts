import type { Chooser } from '../analysis/runner.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { PersonaMix } from './catalog.ts';
import { decide } from './policy.ts';
import { escalationLookup } from './scale.ts';

/**
 * A persona mix as the headless runner's chooser: each seat's persona decides
 * from that seat's view and messages only, with the runner's seeded stream.
 * The same `decide` plays a seat through the server.
 */
export function personaChooser(scenario: Scenario, mix: PersonaMix): Chooser {
  const escalationOf = escalationLookup(scenario);
  return (ctx) => {
    const persona = mix[ctx.seat];
    if (!persona) return { move: null };
    const d = decide(persona, { view: ctx.botView(), messages: ctx.messages(), random: ctx.rng.random, escalationOf });
    return d ? { move: d.move, rationale: d.rationale, messages: d.messages } : { move: null };
  };
}
