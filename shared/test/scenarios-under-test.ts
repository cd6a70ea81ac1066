import type { Scenario } from '../src/scenario/schema.ts';
import { shippedScenarios } from '../node/scenario-files.ts';

/** The shipped scenarios, for suites that check every one of them. */
export const scenariosUnderTest: Scenario[] = shippedScenarios().all();
