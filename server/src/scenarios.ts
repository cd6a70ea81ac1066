import type { ScenarioCatalog } from '@rubicon/shared';
import { shippedScenarios } from '@rubicon/shared/scenario-files';

/**
 * The scenarios this process serves: every file in shared/scenarios/, read and
 * checked once at start-up. A broken file stops the start with its file:line,
 * rather than failing a session later.
 */
export function serverScenarios(): ScenarioCatalog {
  return shippedScenarios();
}
