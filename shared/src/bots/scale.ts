import type { Scenario } from '../scenario/schema.ts';
import { moveEscalation } from '../analysis/escalation.ts';
import type { BotInput } from './types.ts';

/** A bot's look-up of the published escalation score of a move (null for an id the scenario lacks). */
export function escalationLookup(scenario: Scenario): BotInput['escalationOf'] {
  const cache = new Map<string, number | null>();
  return (moveId) => {
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
}
