import type { Scenario } from '../src/scenario/schema.ts';

/** The shipped scenarios, for suites that check every one of them. */
export const scenariosUnderTest: Scenario[] = [];
