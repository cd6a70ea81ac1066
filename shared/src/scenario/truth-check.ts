import type { ScenarioProblem } from './load.ts';
import type { Condition, Effect, Scenario } from './schema.ts';
import { factsCondition } from './facts.ts';
import { initialWorld, rungAllowed } from '../game/world.ts';

/**
 * What the loader can tell statically about declared facts and text
 * variants (the rest is shown by playing: shared/test/declared-facts.test.ts):
 * - a rung's facts read only flags and measures, which only effects change,
 *   so the ladder can settle whenever they do; and the opening rung's facts hold;
 * - a fact does not need a flag that nothing ever sets;
 * - a `next` step's own condition does not contradict its outcome's facts
 *   (then the step could never be taken);
 * - a situation or briefing variant does not read a choice or a draw of its
 *   own beat: it is chosen when the beat opens, before any of them is made.
 */
export function truthProblems(s: Scenario): ScenarioProblem[] {
  return [...rungProblems(s), ...factFlagProblems(s), ...stepProblems(s), ...entryVariantProblems(s)];
}

type Atom = Exclude<Condition, { all: Condition[] } | { any: Condition[] } | { not: Condition }>;

/** Every atom of a condition, wherever it sits. */
function atoms(c: Condition): Atom[] {
  if ('all' in c) return c.all.flatMap(atoms);
  if ('any' in c) return c.any.flatMap(atoms);
  if ('not' in c) return atoms(c.not);
  return [c];
}

interface Literal {
  key: string;
  atom: Atom;
  positive: boolean;
}

/** The atoms a condition requires (or forbids) outright: those of its top-level conjunction. */
function literals(c: Condition, positive = true): Literal[] {
  if ('not' in c) return literals(c.not, !positive);
  if ('all' in c) return positive ? c.all.flatMap((x) => literals(x, true)) : [];
  if ('any' in c) return positive ? [] : c.any.flatMap((x) => literals(x, false));
  return [{ key: JSON.stringify(c), atom: c, positive }];
}

function rungProblems(s: Scenario): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  s.ladder.rungs.forEach((rung, i) => {
    const c = factsCondition(s, rung.facts);
    if (c && atoms(c).some((a) => !('flag' in a) && !('measure' in a)))
      problems.push({
        path: ['ladder', 'rungs', i, 'facts'],
        message: `rung ${i}'s facts may read only flags and measures (what effects change), not choices, draws, seats or the ladder itself`,
      });
  });
  if (problems.length > 0) return problems;
  const start = initialWorld(s, s.seats.map((x) => x.id));
  if (!rungAllowed(s, start, s.ladder.initial))
    problems.push({ path: ['ladder', 'initial'], message: `the opening rung ${s.ladder.initial}'s facts do not hold in the opening world` });
  return problems;
}

/** Every effect a scenario can apply: moves', rules', draw options' and injects'. */
export function everyEffect(s: Scenario): Effect[] {
  return [
    ...s.beats.flatMap((b) => [
      ...b.actors.flatMap((a) => a.moves.flatMap((m) => m.effects)),
      ...b.rules.flatMap((r) => r.effects),
      ...b.draws.flatMap((d) => d.options.flatMap((o) => o.effects)),
    ]),
    ...s.injects.flatMap((i) => i.effects),
  ];
}

function factFlagProblems(s: Scenario): ScenarioProblem[] {
  const settable = new Set([...s.initialFlags, ...everyEffect(s).flatMap((e) => (e.kind === 'flag' && e.set ? [e.flag] : []))]);
  return s.facts.flatMap((f, i) =>
    literals(f.when)
      .filter((l) => l.positive && 'flag' in l.atom && !settable.has(l.atom.flag))
      .map((l) => ({ path: ['facts', i, 'when'], message: `fact ${f.id} needs flag "${'flag' in l.atom ? l.atom.flag : ''}", which no effect sets` })),
  );
}

function stepProblems(s: Scenario): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  s.beats.forEach((b, bi) =>
    b.next.forEach((step, i) => {
      if (!('outcome' in step) || !step.when) return;
      const facts = factsCondition(s, s.outcomes.find((o) => o.id === step.outcome)?.facts ?? []);
      if (!facts) return;
      const own = literals(step.when);
      const clash = literals(facts).find((f) => own.some((o) => o.key === f.key && o.positive !== f.positive));
      if (clash)
        problems.push({
          path: ['beats', bi, 'next', i],
          message: `this step can never be taken: its condition contradicts a fact outcome ${step.outcome} asserts (${clash.key})`,
        });
    }),
  );
  return problems;
}

function entryVariantProblems(s: Scenario): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  s.beats.forEach((b, bi) => {
    const moves = new Set(b.actors.flatMap((a) => a.moves.map((m) => m.id)));
    const draws = new Set(b.draws.map((d) => d.id));
    const check = (path: (string | number)[], c: Condition) => {
      const early = atoms(c).find((a) => ('chose' in a && moves.has(a.chose.move)) || ('drew' in a && draws.has(a.drew.draw)));
      if (early)
        problems.push({
          path,
          message: `chosen when beat ${b.id} opens, so it cannot read ${'chose' in early ? `the move "${early.chose.move}"` : `the draw "${'drew' in early ? early.drew.draw : ''}"`} of that same beat`,
        });
    };
    b.situationVariants.forEach((v, i) => check(['beats', bi, 'situationVariants', i, 'when'], v.when));
    for (const [seat, variants] of Object.entries(b.briefingVariants))
      variants.forEach((v, i) => check(['beats', bi, 'briefingVariants', seat, i, 'when'], v.when));
  });
  return problems;
}
