import express, { type Router } from 'express';
import type { ScenarioCatalog } from '@rubicon/shared';
import { personaChoices, type BotOptions } from '@rubicon/shared/bots';
import { ServiceError } from '../session/service-error.ts';
import type { LlmConfig } from './llm-brain.ts';

/** Why the Setup page offers no language model, in words a facilitator can act on. */
export const LLM_OFF_REASON =
  'No language model is configured on this server: start it with LLM_BASE_URL and LLM_MODEL (and LLM_API_KEY for a hosted service) to offer one.';

/** Whether this server can seat a language model: what Setup is offered, and what SET_SEAT_BOT is held to (seatBotUnavailable). */
export function llmAvailability(llm: LlmConfig | null): BotOptions['llm'] {
  return llm ? { available: true, model: llm.model } : { available: false, reason: LLM_OFF_REASON };
}

/**
 * What a seat can be handed to: the scenario's personas, and a language model
 * when this server has one. Public, like the scenario list: it names no
 * session and holds no strategy (which persona plays a seat is in the view).
 */
export function botRoutes(deps: { scenarios: ScenarioCatalog; llm: LlmConfig | null }): Router {
  const router = express.Router();
  router.get('/api/scenarios/:id/bots', (req, res) => {
    const scenario = deps.scenarios.get(req.params.id);
    if (!scenario) throw new ServiceError('not_found', `There is no scenario "${req.params.id}".`);
    const options: BotOptions = {
      seats: personaChoices(scenario),
      llm: llmAvailability(deps.llm),
    };
    res.json(options);
  });
  return router;
}
