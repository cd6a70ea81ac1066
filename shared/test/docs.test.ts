import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedScenarioDoc } from '../node/scenario-doc.ts';
import { shippedScenarios } from '../node/scenario-files.ts';

/** docs/scenario.md must say what the data does: same edges, same order, every id. */

const doc = readFileSync(new URL('../../docs/scenario.md', import.meta.url), 'utf8');
const scenario = shippedScenarios().get('april-2024');
const node = (id: string) => id.replace(/-/g, '_');

describe('docs/scenario.md matches the scenario data', () => {
  it('carries the diagrams drawn from the data and the machine (npm run docs:scenario rewrites them)', () => {
    expect(doc).toBe(generatedScenarioDoc());
  });

  it('draws exactly the beat graph the guards implement, in guard order', () => {
    if (!scenario) throw new Error('april-2024 missing');
    const graph = doc.slice(doc.indexOf('```mermaid\nflowchart TD'), doc.indexOf('```', doc.indexOf('```mermaid\nflowchart TD') + 10));
    const drawn = [...graph.matchAll(/^\s+(\w+) -->(?:\|"(\d+)\. [^"]*"\|)? (\w+)$/gm)]
      .filter((m) => m[1] !== 'start')
      .map((m) => `${m[1]} ${m[2] ?? '1'} ${m[3]}`)
      .sort();
    const coded = scenario.beats
      .flatMap((b) => b.next.map((n, i) => `${node(b.id)} ${i + 1} ${'beat' in n ? node(n.beat) : node('o-' + n.outcome)}`))
      .sort();
    expect(drawn).toEqual(coded);
  });

  it('names every beat, move and outcome id', () => {
    if (!scenario) throw new Error('april-2024 missing');
    const ids = [
      ...scenario.beats.map((b) => b.id),
      ...scenario.beats.flatMap((b) => b.actors.flatMap((a) => a.moves.map((m) => m.id))),
      ...scenario.outcomes.map((o) => o.id),
      ...scenario.injects.map((i) => i.id),
    ];
    const missing = ids.filter((id) => !doc.includes(`\`${id}\``));
    expect(missing).toEqual([]);
  });
});
