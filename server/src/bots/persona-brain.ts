import type { Scenario } from '@rubicon/shared';
import { decide, escalationLookup, relaysFor, type Persona } from '@rubicon/shared/bots';
import type { Brain } from './bot-player.ts';

/** A persona's pure policy as a bot's brain. */
export function personaBrain(scenario: Scenario, persona: Persona): Brain {
  const escalationOf = escalationLookup(scenario);
  return {
    decide: (view, messages, random) => Promise.resolve(decide(persona, { view, messages, random, escalationOf })),
    relays: (view, messages, random) => relaysFor(persona, { view, messages, random, escalationOf }),
  };
}
