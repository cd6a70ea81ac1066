import { GameSetup, createGame, type Game, type Scenario } from '@rubicon/shared';
import { ServiceError } from './service-error.ts';

/**
 * Builds the engine for a setup, refusing options the scenario does not
 * have. Pure, so that the import worker checks a file's setup exactly as the
 * service checks a new session's.
 */
export function gameForSetup(setupInput: unknown, scenarioOf: (id: string) => Scenario): Game {
  const parsed = GameSetup.safeParse(setupInput);
  if (!parsed.success) throw new ServiceError('invalid', parsed.error.issues[0]?.message ?? 'Invalid setup.');
  const setup = parsed.data;
  const scenario = scenarioOf(setup.scenarioId);
  const optional = new Set(scenario.seats.filter((s) => s.optional).map((s) => s.id));
  const badSeat = setup.optionalSeats.find((s) => !optional.has(s));
  if (badSeat) throw new ServiceError('invalid', `"${badSeat}" is not an optional seat of ${scenario.title}.`);
  const badBeat = Object.keys(setup.timerSeconds).find((b) => !scenario.beats.some((x) => x.id === b));
  if (badBeat) throw new ServiceError('invalid', `There is no beat "${badBeat}" to set a timer for.`);
  return createGame(scenario, setup);
}

/** gameForSetup for a worker's job, whose scenarios are a lookup that may miss: a missing one is `not_found`. */
export function gameForJob(setup: unknown, scenarioOf: (id: string) => Scenario | undefined): Game {
  return gameForSetup(setup, (id) => {
    const scenario = scenarioOf(id);
    if (!scenario) throw new ServiceError('not_found', `There is no scenario "${id}".`);
    return scenario;
  });
}
