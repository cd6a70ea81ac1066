import { describeCondition } from './diagram.ts';
import { factsNamed } from './facts.ts';
import type { BeatActor, Condition, Effect, Scenario, Variant, Visibility } from './schema.ts';

/**
 * The tables of docs/scenario.md that restate data: each seat's moves in each
 * beat, the declared facts of rungs and outcomes, and every text variant with
 * the condition that picks it. Drawn from the scenario, so the page cannot
 * drift from the file (shared/test/docs.test.ts).
 */

function seatShort(s: Scenario, id: string): string {
  return s.seats.find((x) => x.id === id)?.short ?? id;
}

function seatName(s: Scenario, id: string): string {
  return s.seats.find((x) => x.id === id)?.name ?? id;
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

export function effectText(s: Scenario, e: Effect): string {
  const conditional = e.when ? ' (conditional)' : '';
  if (e.kind === 'ladder') return `ladder ${signed(e.delta)}${conditional}`;
  if (e.kind === 'flag') return `${e.set ? 'flag' : 'clears flag'} \`${e.flag}\`${conditional}`;
  return `${seatShort(s, e.seat)} ${e.measure} ${signed(e.delta)}${conditional}`;
}

function seenBy(s: Scenario, v: Visibility): string {
  if (v === 'public') return 'public';
  if (v === 'actor') return 'secret';
  return `to ${v.seats.map((x) => seatName(s, x)).join(', ')}`;
}

/** The header line and move table of one seat in one beat. */
export function actorTable(s: Scenario, actor: BeatActor): string {
  const seat = s.seats.find((x) => x.id === actor.seat);
  const lines = [
    `**${seat?.name ?? actor.seat}**${seat?.optional ? ' (optional)' : ''} — default \`${actor.defaultMove}\`${
      actor.moves.some((m) => m.also) ? `; up to ${actor.maxAlso} “+” moves beside the main one` : ''
    }`,
    '',
    '| Move | Title | Seen by | Effects |',
    '|---|---|---|---|',
    ...actor.moves.map((m) => {
      const effects = m.effects.length > 0 ? m.effects.map((e) => effectText(s, e)).join('; ') : '—';
      return `| \`${m.id}\`${m.historical ? ' ★' : ''}${m.also ? ' +' : ''} | ${m.title} | ${seenBy(s, m.visibility)} | ${effects} |`;
    }),
  ];
  return lines.join('\n');
}

/** The rungs and outcomes with the facts each asserts, and the facts themselves. */
export function declaredFactsMarkdown(s: Scenario): string {
  const says = (ids: string[]) => (ids.length > 0 ? factsNamed(s, ids).map((f) => `\`${f.id}\``).join(', ') : '—');
  return [
    '| Fact | Says | Holds when |',
    '|---|---|---|',
    ...s.facts.map((f) => `| \`${f.id}\` | ${f.says} | ${describeCondition(s, f.when)} |`),
    '',
    '| Rung | Name | Asserts |',
    '|---|---|---|',
    ...s.ladder.rungs.map((r) => `| ${r.level} | ${r.name} | ${says(r.facts)} |`),
    '',
    '| Outcome | Id | Asserts |',
    '|---|---|---|',
    ...s.outcomes.map((o) => `| ${o.title}${o.historical ? ' ★' : ''} | \`${o.id}\` | ${says(o.facts)} |`),
  ].join('\n');
}

/** Every text variant: where it is shown, and the condition that picks it over the base text. */
export function variantsMarkdown(s: Scenario): string {
  const rows: string[] = [];
  const add = (where: string, variants: Variant[]) =>
    variants.forEach((v, i) => rows.push(`| ${where}${variants.length > 1 ? ` (${i + 1})` : ''} | ${describeCondition(s, v.when)} |`));
  for (const b of s.beats) {
    add(`\`${b.id}\` situation`, b.situationVariants);
    for (const [seat, variants] of Object.entries(b.briefingVariants)) add(`\`${b.id}\` briefing for ${seatName(s, seat)}`, variants);
    for (const a of b.actors) for (const m of a.moves) add(`\`${m.id}\` result`, m.outcomeVariants);
    for (const r of b.rules) add(`rule \`${r.id}\``, r.textVariants);
    for (const d of b.draws) for (const o of d.options) add(`draw \`${d.id}\` = \`${o.id}\``, o.textVariants);
  }
  for (const o of s.outcomes) add(`outcome \`${o.id}\``, o.descriptionVariants);
  return ['| Text | Shown instead of the base text when |', '|---|---|', ...rows].join('\n');
}

function flagsRead(c: Condition | undefined): string[] {
  if (!c) return [];
  if ('all' in c) return c.all.flatMap(flagsRead);
  if ('any' in c) return c.any.flatMap(flagsRead);
  if ('not' in c) return flagsRead(c.not);
  return 'flag' in c ? [c.flag] : [];
}

/** Every flag: what sets it (moves, rules, draws, injects) and what reads it (guards, rules, draws, facts, variants, channels). */
export function flagsMarkdown(s: Scenario): string {
  const setBy = new Map<string, string[]>();
  const readBy = new Map<string, string[]>();
  const note = (map: Map<string, string[]>, flag: string, where: string) => {
    const list = map.get(flag) ?? [];
    if (!list.includes(where)) list.push(where);
    map.set(flag, list);
  };
  const sets = (effects: Effect[], where: string) =>
    effects.forEach((e) => {
      if (e.kind === 'flag') note(setBy, e.flag, e.set ? where : `${where} (clears)`);
      for (const f of flagsRead(e.when)) note(readBy, f, where);
    });
  const reads = (c: Condition | undefined, where: string) => flagsRead(c).forEach((f) => note(readBy, f, where));
  s.initialFlags.forEach((f) => note(setBy, f, 'the start'));
  s.beats.forEach((b, i) => {
    const at = `(${i + 1})`;
    for (const a of b.actors)
      for (const m of a.moves) {
        sets(m.effects, `${seatShort(s, a.seat)} \`${m.id}\` ${at}`);
        m.outcomeVariants.forEach((v) => reads(v.when, `\`${m.id}\` result ${at}`));
      }
    for (const r of b.rules) {
      sets(r.effects, `rule \`${r.id}\` ${at}`);
      reads(r.when, `rule \`${r.id}\` ${at}`);
    }
    for (const d of b.draws) {
      reads(d.when, `draw \`${d.id}\` ${at}`);
      for (const o of d.options) {
        sets(o.effects, `draw \`${d.id}\` ${at}`);
        o.adjust.forEach((x) => reads(x.when, `draw \`${d.id}\` ${at}`));
      }
    }
    b.next.forEach((n) => reads(n.when, `guards of ${at}`));
    [...b.situationVariants, ...Object.values(b.briefingVariants).flat()].forEach((v) => reads(v.when, `texts of ${at}`));
  });
  s.injects.forEach((inj) => sets(inj.effects, `inject \`${inj.id}\``));
  s.facts.forEach((f) => reads(f.when, `fact \`${f.id}\``));
  s.outcomes.forEach((o) => o.descriptionVariants.forEach((v) => reads(v.when, `outcome \`${o.id}\` text`)));
  s.channels.forEach((c) => reads(c.opensWhen, `channel \`${c.id}\``));
  const flags = [...new Set([...setBy.keys(), ...readBy.keys()])];
  return [
    '| Flag | Set by | Read by |',
    '|---|---|---|',
    ...flags.map((f) => `| \`${f}\` | ${(setBy.get(f) ?? ['—']).join(', ')} | ${(readBy.get(f) ?? ['—']).join(', ')} |`),
  ].join('\n');
}
