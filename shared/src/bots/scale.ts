import type { Scenario } from '../scenario/schema.ts';
import { moveEscalation } from '../analysis/escalation.ts';
import type { BotInput } from './types.ts';

// One look-up per scenario: the policy caches menu ranks per look-up, so a fresh one per game
// (rubicon simulate makes a chooser per game) recomputed every menu's ranks in every game.
const lookups = new WeakMap<Scenario, BotInput['escalationOf']>();

/** A bot's look-up of the published escalation score of a move (null for an id the scenario lacks). */
export function escalationLookup(scenario: Scenario): BotInput['escalationOf'] {
  const known = lookups.get(scenario);
  if (known) return known;
  const cache = new Map<string, number | null>();
  const lookup: BotInput['escalationOf'] = (moveId) => {
    let score = cache.get(moveId);
    if (score === undefined) {
      try {
        score = moveEscalation(scenario, moveId).score;
      } catch {
        score = null;
      }
      cache.set(moveId, score);
    }
    return score;
  };
  lookups.set(scenario, lookup);
  return lookup;
}
