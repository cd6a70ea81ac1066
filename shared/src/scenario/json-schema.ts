import { z } from 'zod';
import { Scenario } from './schema.ts';

/** The committed copy sits beside the scenario files, which name it in their first line for editors. */
export const SCENARIO_SCHEMA_FILE = 'scenario.schema.json';

/**
 * The JSON Schema of a scenario file, generated from the zod schema so the two
 * cannot drift (a test compares it with the committed copy). It describes the
 * file as written (`io: 'input'`: fields with defaults are optional). It only
 * covers shapes: cross references, such as a move id named in a condition,
 * are checked by `rubicon scenario check`.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(Scenario, { io: 'input', target: 'draft-7', reused: 'ref', unrepresentable: 'any' });
  return {
    ...generated,
    title: 'Rubicon scenario',
    description: 'A Rubicon scenario file. See docs/writing-a-scenario.md; check a file with `npx rubicon scenario check FILE`.',
  };
}

/** The committed text: stable key order from the generator, two-space indent, a final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
