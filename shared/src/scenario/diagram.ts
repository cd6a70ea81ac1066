import type { Condition, Scenario } from './schema.ts';

/** Renders a condition in words, for diagrams and the facilitator's eyes. */
export function describeCondition(scenario: Scenario, c: Condition): string {
  const seatName = (id: string) => scenario.seats.find((s) => s.id === id)?.short ?? id;
  const moveTitle = (seat: string, move: string) =>
    scenario.beats.flatMap((b) => b.actors.filter((a) => a.seat === seat).flatMap((a) => a.moves)).find((m) => m.id === move)
      ?.title ?? move;
  const range = (r: { gte?: number | undefined; lte?: number | undefined }) =>
    r.gte !== undefined && r.lte !== undefined ? `${r.gte}–${r.lte}` : r.gte !== undefined ? `≥ ${r.gte}` : `≤ ${r.lte}`;
  if ('all' in c) return c.all.map((x) => describeCondition(scenario, x)).join(' and ');
  if ('any' in c) return `(${c.any.map((x) => describeCondition(scenario, x)).join(' or ')})`;
  if ('not' in c) return `not ${describeCondition(scenario, c.not)}`;
  if ('flag' in c) return c.flag;
  if ('chose' in c) return `${seatName(c.chose.seat)}: ${moveTitle(c.chose.seat, c.chose.move)}`;
  if ('ladder' in c) return `ladder ${range(c.ladder)}`;
  if ('measure' in c) return `${seatName(c.measure.seat)} ${c.measure.measure} ${range(c.measure)}`;
  if ('drew' in c) return `${c.drew.draw} = ${c.drew.option}`;
  return `${seatName(c.seatInPlay)} in play`;
}

/**
 * The beat graph as a Mermaid flowchart: beats and outcomes as nodes, each
 * edge labelled with the guard that picks it (first match wins, so later
 * edges implicitly carry "otherwise").
 */
export function beatGraphMermaid(scenario: Scenario): string {
  const id = (x: string) => x.replace(/-/g, '_');
  const quote = (s: string) => s.replace(/"/g, "'");
  const lines = ['flowchart TD'];
  lines.push(`  start(["Lobby → briefing"]) --> ${id(scenario.startBeat)}`);
  for (const b of scenario.beats) lines.push(`  ${id(b.id)}["${quote(b.title)}<br/><small>${quote(b.date)}</small>"]`);
  for (const o of scenario.outcomes) lines.push(`  ${id('o-' + o.id)}(["${quote(o.title)}"])`);
  for (const b of scenario.beats) {
    b.next.forEach((step, i) => {
      const target = 'beat' in step ? id(step.beat) : id('o-' + step.outcome);
      const label = step.when ? describeCondition(scenario, step.when) : i === 0 ? '' : 'otherwise';
      lines.push(label ? `  ${id(b.id)} -->|"${quote(label)}"| ${target}` : `  ${id(b.id)} --> ${target}`);
    });
  }
  return lines.join('\n');
}
