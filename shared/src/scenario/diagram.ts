import type { Condition, RelayedQuery, Scenario } from './schema.ts';

/** Renders a condition in words, for diagrams and the facilitator's eyes. */
export function describeCondition(scenario: Scenario, c: Condition): string {
  const seatName = (id: string) => scenario.seats.find((s) => s.id === id)?.short ?? id;
  const moveTitle = (seat: string, move: string) =>
    scenario.beats.flatMap((b) => b.actors.filter((a) => a.seat === seat).flatMap((a) => a.moves)).find((m) => m.id === move)
      ?.title ?? move;
  const range = (r: { gte?: number | undefined; lte?: number | undefined }) =>
    r.gte !== undefined && r.lte !== undefined ? `${r.gte}–${r.lte}` : r.gte !== undefined ? `≥ ${r.gte}` : `≤ ${r.lte}`;
  if ('all' in c) return c.all.length === 1 ? describeCondition(scenario, c.all[0] as Condition) : `(${c.all.map((x) => describeCondition(scenario, x)).join(' and ')})`;
  if ('any' in c) return `(${c.any.map((x) => describeCondition(scenario, x)).join(' or ')})`;
  if ('not' in c) return `not ${describeCondition(scenario, c.not)}`;
  if ('flag' in c) return c.flag;
  if ('chose' in c) return `${seatName(c.chose.seat)}: ${moveTitle(c.chose.seat, c.chose.move)}`;
  if ('ladder' in c) return `ladder ${range(c.ladder)}`;
  if ('measure' in c) return `${seatName(c.measure.seat)} ${c.measure.measure} ${range(c.measure)}`;
  if ('drew' in c) return `${c.drew.draw} = ${c.drew.option}`;
  if ('relayed' in c) return `relayed ${relayWords(c.relayed, seatName)}`;
  return `${seatName(c.seatInPlay)} in play`;
}

/** "Iran → US in beat X" for a `relayed` condition: only the parts it names. */
export function relayWords(q: RelayedQuery, seatName: (id: string) => string): string {
  const who = `${q.from ? seatName(q.from) : 'any seat'} → ${q.to ? seatName(q.to) : 'any seat'}`;
  return [who, q.beat ? `in ${q.beat}` : '', q.channel ? `via ${q.channel}` : ''].filter(Boolean).join(' ');
}

/**
 * The beat graph as a Mermaid flowchart: beats and outcomes as nodes, each
 * edge labelled with its place in the guard order and the guard that picks
 * it (first match wins, so later edges implicitly carry "otherwise"); an
 * outcome node names the facts it asserts, which its edges need as well.
 * Nodes on the historical path are drawn thick.
 */
export function beatGraphMermaid(scenario: Scenario): string {
  const id = (x: string) => x.replace(/-/g, '_');
  const quote = (s: string) => s.replace(/"/g, "'");
  const lines = ['flowchart TD'];
  lines.push(`  start(["Briefing"]) --> ${id(scenario.startBeat)}`);
  scenario.beats.forEach((b, i) => {
    const draws = b.draws.map((d) => ` · ${quote(d.title)}`).join('');
    lines.push(`  ${id(b.id)}["${i + 1}. ${quote(b.title)}<br/><small>${quote(b.date)}${draws}</small>"]`);
  });
  // An outcome node lists the facts it asserts: every edge into it also needs them to hold.
  for (const o of scenario.outcomes) {
    const facts = o.facts.length > 0 ? `<br/><small>${o.facts.join(', ')}</small>` : '';
    lines.push(`  ${id('o-' + o.id)}(["${quote(o.title)}${o.historical ? ' ★' : ''}${facts}"])`);
  }
  lines.push('');
  for (const b of scenario.beats) {
    b.next.forEach((step, i) => {
      const target = 'beat' in step ? id(step.beat) : id('o-' + step.outcome);
      if (b.next.length === 1 && !step.when) lines.push(`  ${id(b.id)} --> ${target}`);
      else {
        const label = step.when ? describeCondition(scenario, step.when) : 'otherwise';
        lines.push(`  ${id(b.id)} -->|"${i + 1}. ${quote(label)}"| ${target}`);
      }
    });
  }
  const historical = [...new Set(scenario.historicalPath.map((h) => id(h.beat))), id('o-' + scenario.historicalOutcome)];
  lines.push('', '  classDef historical stroke-width:4px', `  class ${historical.join(',')} historical`);
  return lines.join('\n');
}
