import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withGeneratedDiagrams } from '../src/scenario/doc-diagrams.ts';
import { shippedScenario } from './scenario-files.ts';

/**
 * docs/scenario.md with its diagrams drawn from the code. `npm run docs:scenario`
 * writes it; shared/test/docs.test.ts fails while the committed file differs.
 */
export const SCENARIO_DOC = fileURLToPath(new URL('../../docs/scenario.md', import.meta.url));

export function generatedScenarioDoc(): string {
  return withGeneratedDiagrams(readFileSync(SCENARIO_DOC, 'utf8'), shippedScenario('april-2024'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCENARIO_DOC, generatedScenarioDoc());
  process.stdout.write(`wrote ${SCENARIO_DOC}\n`);
}
