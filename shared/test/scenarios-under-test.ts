import type { Scenario } from '../src/scenario/schema.ts';
import { getScenario, listScenarios } from '../src/scenario/catalog.ts';

/** The shipped scenarios, for suites that check every one of them. */
export const scenariosUnderTest: Scenario[] = listScenarios().flatMap((s) => {
  const scenario = getScenario(s.id);
  return scenario ? [scenario] : [];
});
