import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText } from '../src/scenario/json-schema.ts';
import { SCENARIO_DIR } from '../node/scenario-files.ts';

describe('the JSON Schema for editors', () => {
  it('the committed schema is the one the zod schema generates (else: npx rubicon scenario schema --write)', () => {
    const committed = readFileSync(join(SCENARIO_DIR, SCENARIO_SCHEMA_FILE), 'utf8');
    expect(committed).toBe(scenarioJsonSchemaText());
  });

  it('every scenario file names it for yaml-language-server on its first line', () => {
    const files = readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const first = readFileSync(join(SCENARIO_DIR, f), 'utf8').split('\n')[0];
      expect(first, f).toBe(`# yaml-language-server: $schema=./${SCENARIO_SCHEMA_FILE}`);
    }
  });
});
