import type { AnyStateNode } from 'xstate';
import type { TurnMachine } from './machine.ts';

/**
 * The machine's transitions as labelled edges between the states drawn (`name`), the labels of one
 * edge gathered; events that change no state are kept apart, for a note.
 */
function edgeCollector(name: (node: AnyStateNode) => string) {
  const edges = new Map<string, Set<string>>();
  const selfEvents = new Set<string>();
  const edge = (from: string, to: string, label: string) => {
    const key = `${from} --> ${to}`;
    edges.set(key, (edges.get(key) ?? new Set()).add(label));
  };
  const visit = (node: AnyStateNode, from: string) => {
    for (const [event, transitions] of node.transitions) {
      for (const t of transitions) {
        const target = t.target?.[0];
        if (!target) selfEvents.add(event);
        else edge(from, name(target), event);
      }
    }
    for (const t of node.always ?? []) {
      const target = t.target?.[0];
      const guard = typeof t.guard === 'string' ? t.guard : t.guard && 'type' in t.guard ? String(t.guard.type) : 'always';
      if (target) edge(from, name(target), `at once when ${guard}`);
    }
  };
  return { edges, selfEvents, edge, visit };
}

/**
 * The turn machine as a Mermaid state diagram, read from the machine itself
 * (its state nodes and transitions), so docs/scenario.md cannot drift from
 * the code. Every beat has the same three phases, so one beat stands for all:
 * its phases are drawn inside a `beat` box, and a transition into any beat is
 * drawn as one into that box.
 */
export function turnMachineMermaid(machine: TurnMachine): string {
  const beats = machine.root.states['beats'];
  const firstBeat = beats ? Object.values(beats.states)[0] : undefined;
  const isBeat = (node: AnyStateNode) => node.path[0] === 'beats' && node.path.length === 2;
  const name = (node: AnyStateNode): string => (isBeat(node) ? 'beat' : node.path[node.path.length - 1] ?? node.key);

  const { edges, selfEvents, edge, visit } = edgeCollector(name);

  const lines = ['stateDiagram-v2', `  [*] --> ${machine.root.initial?.target[0]?.key ?? 'lobby'}`];
  for (const node of Object.values(machine.root.states)) {
    if (node.key === 'beats') continue;
    visit(node, node.key);
    if (node.type === 'final') lines.push(`  ${node.key} --> [*]`);
  }
  const inner: string[] = [];
  if (firstBeat) {
    const phases = Object.values(firstBeat.states);
    inner.push('  state beat {', `    [*] --> ${phases[0]?.key ?? 'planning'}`);
    for (const phase of phases) {
      const before = new Set(edges.keys());
      visit(phase, phase.key);
      // Moves between phases of one beat are drawn inside the box.
      for (const key of [...edges.keys()].filter((k) => !before.has(k))) {
        const [from, to] = key.split(' --> ');
        if (to && phases.some((p) => p.key === to)) {
          inner.push(`    ${key}: ${[...(edges.get(key) ?? [])].join(' / ')}`);
          edges.delete(key);
        } else if (from) {
          // A phase leaving the beat: drawn from the box, except the resolution's own exits.
          const labels = edges.get(key) ?? new Set();
          edges.delete(key);
          for (const l of labels) edge(from === 'resolution' ? 'resolution' : 'beat', to ?? '', l);
        }
      }
    }
    inner.push('  }');
  }
  lines.push(...inner);
  for (const [key, labels] of edges) lines.push(`  ${key}: ${[...labels].sort().join(' / ')}`);
  if (selfEvents.size > 0) lines.push(`  note right of beat: without a change of state: ${[...selfEvents].sort().join(', ')}`);
  return lines.join('\n');
}
