import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioCatalog } from '../src/scenario/catalog.ts';
import { checkScenario } from '../src/scenario/load.ts';
import { parseScenarioText } from '../src/scenario/parse.ts';
import { cachedScenarioData } from './scenario-cache.ts';
import type { Scenario } from '../src/scenario/schema.ts';

/**
 * The file-reading edge of scenario loading (Node only; shared/src stays free
 * of I/O). The server, the CLI, the tests and the bench all read scenario
 * files through here.
 */

/** The scenarios shipped with Rubicon. */
export const SCENARIO_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url));

export const SCENARIO_EXTENSION = '.yaml';

/**
 * Reads and checks one scenario file; throws a `ScenarioFileError` naming file:line for each problem.
 * Its YAML is read from the parsed copy kept beside it where that copy is of this very text
 * (scenario-cache.ts); the checks run either way, and a file that fails them is read again from its
 * YAML, so that each problem is placed at its line.
 */
export function readScenarioFile(path: string): Scenario {
  const text = readFileSync(path, 'utf8');
  const cached = cachedScenarioData(path, text);
  if (cached !== undefined) {
    const result = checkScenario(cached);
    if (result.ok) return result.scenario;
  }
  return parseScenarioText(text, path);
}

/**
 * Reads every `*.yaml` scenario in a folder, in file-name order. A scenario's
 * id must be its file name, so a scenario can be found from its id alone.
 */
export function readScenarioDir(dir: string = SCENARIO_DIR): Scenario[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(SCENARIO_EXTENSION))
    .sort();
  return files.map((f) => {
    const path = join(dir, f);
    const scenario = readScenarioFile(path);
    const expected = basename(f, SCENARIO_EXTENSION);
    if (scenario.id !== expected) throw new Error(`${path}: the scenario id "${scenario.id}" must match its file name ("${expected}")`);
    return scenario;
  });
}

let shipped: ScenarioCatalog | undefined;

/** The shipped scenarios, read once per process. */
export function shippedScenarios(): ScenarioCatalog {
  shipped ??= new ScenarioCatalog(readScenarioDir());
  return shipped;
}

/** One shipped scenario by id; throws if there is none. */
export function shippedScenario(id: string): Scenario {
  const s = shippedScenarios().get(id);
  if (!s) throw new Error(`no scenario "${id}" in ${SCENARIO_DIR}`);
  return s;
}
