import { z } from 'zod';
import { Slug as Id } from './slug.ts';
import type { Scenario } from './schema.ts';
import type { ScenarioProblem } from './load.ts';

/**
 * The scenario's rubric: the criteria the white cell scores each team on
 * ("used the mediated channel to signal", "kept escalation proportionate"),
 * and the one scale they are scored on. Like the teaching layer it is data
 * beside the rules: a score never changes how a game plays. The scores
 * themselves are facilitator commands in the log (game/rubric-scores.ts).
 *
 * Imports the scenario schema as a type only: schema.ts embeds these schemas.
 */

const Ref = z.string().min(1).max(64);
const Text = z.string().min(1);

/** One step of the scale, e.g. `{score: 3, label: "Solid"}`. */
export const RubricLevel = z
  .object({
    score: z.number().int().min(0).max(100),
    label: Text.max(40),
    /** What the step looks like, for the facilitator choosing it. */
    description: Text.optional(),
  })
  .strict();
export type RubricLevel = z.infer<typeof RubricLevel>;

export const RubricCriterion = z
  .object({
    id: Id,
    title: Text.max(120),
    /** What the white cell looks for. */
    description: Text,
    /** The seats scored on it; when absent, every seat in play. */
    seats: z.array(Ref).min(1).optional(),
  })
  .strict();
export type RubricCriterion = z.infer<typeof RubricCriterion>;

export const Rubric = z
  .object({
    /** The scale, lowest score first; every criterion uses it. */
    scale: z.array(RubricLevel).min(2).max(11),
    criteria: z.array(RubricCriterion).min(1).max(20),
  })
  .strict();
export type Rubric = z.infer<typeof Rubric>;

/** Duplicate ids, unknown seats and a scale that does not climb, each at its key path. */
export function rubricProblems(s: Scenario): ScenarioProblem[] {
  const r = s.rubric;
  if (!r) return [];
  const problems: ScenarioProblem[] = [];
  const problem = (path: (string | number)[], message: string) => problems.push({ path: ['rubric', ...path], message });
  r.scale.forEach((level, i) => {
    const below = r.scale[i - 1];
    if (below && level.score <= below.score) problem(['scale', i, 'score'], `scores must climb: ${level.score} follows ${below.score}`);
  });
  const seats = new Set(s.seats.map((x) => x.id));
  const ids = new Set<string>();
  r.criteria.forEach((c, i) => {
    if (ids.has(c.id)) problem(['criteria', i, 'id'], `duplicate criterion "${c.id}"`);
    ids.add(c.id);
    c.seats?.forEach((seat, k) => {
      if (!seats.has(seat)) problem(['criteria', i, 'seats', k], `unknown seat "${seat}"`);
    });
  });
  return problems;
}

/** The criteria a seat is scored on. */
export function criteriaFor(rubric: Rubric, seat: string): RubricCriterion[] {
  return rubric.criteria.filter((c) => !c.seats || c.seats.includes(seat));
}
