import { createTurnMachine } from '../game/machine.ts';
import { turnMachineMermaid } from '../game/machine-diagram.ts';
import { beatGraphMermaid } from './diagram.ts';
import { actorTable, declaredFactsMarkdown, flagsMarkdown, variantsMarkdown } from './doc-tables.ts';
import type { Scenario } from './schema.ts';

const BEAT_GRAPH = /```mermaid\nflowchart TD\n[\s\S]*?```/;
const TURN_MACHINE = /```mermaid\nstateDiagram-v2\n[\s\S]*?```/;
const ACTOR_TABLE = /^\*\*[^*\n]+\*\*(?: \(optional\))? — default `[^`\n]+`[^\n]*\n\n\| Move \|[^\n]*\n\|---[^\n]*\n(?:\|[^\n]*\n)*/gm;

function block(name: string): RegExp {
  return new RegExp(`(<!-- generated: ${name} -->\\n)(?:(?!<!-- generated)[\\s\\S])*?(<!-- end generated -->)`);
}

/** Each beat's section (from its "### … — `id`" heading to the next heading) with its move tables drawn from the data. */
function withActorTables(doc: string, scenario: Scenario): string {
  let out = doc;
  for (const beat of scenario.beats) {
    const heading = new RegExp(`^### [^\\n]*— \`${beat.id}\`[^\\n]*$`, 'm').exec(out);
    if (!heading) throw new Error(`the document needs a "### … — \`${beat.id}\`" section`);
    const start = heading.index;
    const rest = out.slice(start + heading[0].length);
    const next = rest.search(/^#{2,3} /m);
    const end = next === -1 ? out.length : start + heading[0].length + next;
    const tables = beat.actors.map((a) => actorTable(scenario, a) + '\n');
    const section = out.slice(start, end);
    const found = section.match(ACTOR_TABLE) ?? [];
    if (found.length !== tables.length)
      throw new Error(`beat ${beat.id}: the document has ${found.length} move tables, the scenario ${tables.length} acting seats`);
    let i = 0;
    out = out.slice(0, start) + section.replace(ACTOR_TABLE, () => tables[i++] ?? '') + out.slice(end);
  }
  return out;
}

/**
 * A scenario document with the parts that restate code or data drawn from
 * them: the beat graph and the turn machine (Mermaid), every beat's move
 * tables, and the blocks marked `<!-- generated: declared-facts -->`,
 * `<!-- generated: variants -->` and `<!-- generated: flags -->`. The prose around them is left as written.
 * Throws if a diagram, a beat section or a marked block is missing.
 */
export function withGeneratedDiagrams(doc: string, scenario: Scenario): string {
  if (!BEAT_GRAPH.test(doc) || !TURN_MACHINE.test(doc))
    throw new Error('the document needs a ```mermaid flowchart TD block and a ```mermaid stateDiagram-v2 block');
  const blocks: [string, string][] = [
    ['declared-facts', declaredFactsMarkdown(scenario)],
    ['variants', variantsMarkdown(scenario)],
    ['flags', flagsMarkdown(scenario)],
  ];
  let out = doc
    .replace(BEAT_GRAPH, () => '```mermaid\n' + beatGraphMermaid(scenario) + '\n```')
    .replace(TURN_MACHINE, () => '```mermaid\n' + turnMachineMermaid(createTurnMachine(scenario)) + '\n```');
  for (const [name, text] of blocks) {
    if (!block(name).test(out)) throw new Error(`the document needs a <!-- generated: ${name} --> … <!-- end generated --> block`);
    out = out.replace(block(name), (_m, open: string, close: string) => `${open}${text}\n${close}`);
  }
  return withActorTables(out, scenario);
}
