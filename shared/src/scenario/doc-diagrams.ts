import { createTurnMachine } from '../game/machine.ts';
import { turnMachineMermaid } from '../game/machine-diagram.ts';
import { beatGraphMermaid } from './diagram.ts';
import type { Scenario } from './schema.ts';

const BEAT_GRAPH = /```mermaid\nflowchart TD\n[\s\S]*?```/;
const TURN_MACHINE = /```mermaid\nstateDiagram-v2\n[\s\S]*?```/;

/**
 * A scenario document with its two diagrams (the beat graph and the turn
 * machine) replaced by ones drawn from the data and the machine. The prose
 * around them is left as written. Throws if a diagram block is missing.
 */
export function withGeneratedDiagrams(doc: string, scenario: Scenario): string {
  if (!BEAT_GRAPH.test(doc) || !TURN_MACHINE.test(doc))
    throw new Error('the document needs a ```mermaid flowchart TD block and a ```mermaid stateDiagram-v2 block');
  return doc
    .replace(BEAT_GRAPH, () => '```mermaid\n' + beatGraphMermaid(scenario) + '\n```')
    .replace(TURN_MACHINE, () => '```mermaid\n' + turnMachineMermaid(createTurnMachine(scenario)) + '\n```');
}
