import { z } from 'zod';
import { Slug as Id } from './slug.ts';
import type { Scenario } from './schema.ts';
import type { ScenarioProblem } from './load.ts';

/**
 * The teaching layer of a scenario: what a class should learn, who each team
 * is, what the white cell watches for, and what to ask afterwards. It is data
 * beside the rules and never changes how a game plays; entries are keyed by
 * the ids of seats, beats and outcomes, and `teachingProblems` checks that
 * every key names something real.
 *
 * This module imports the scenario schema only as a type: schema.ts embeds
 * these schemas, so a value import here would be a cycle.
 */

/** A reference to a seat, beat or outcome; whether it resolves is checked against the scenario. */
const Ref = z.string().min(1).max(64);
const Text = z.string().min(1);

export const LearningObjective = z.object({ id: Id, text: Text }).strict();
export type LearningObjective = z.infer<typeof LearningObjective>;

/** A job inside a team of 3–8 students, e.g. the leader, the foreign minister, the note-taker. */
export const TeamRole = z.object({ title: Text, duties: Text }).strict();
export type TeamRole = z.infer<typeof TeamRole>;

/**
 * A seat's standing brief, true for the whole game (unlike the per-beat
 * briefings). It is private to the seat during play and open to all at the
 * debrief.
 */
export const RoleProfile = z
  .object({
    summary: Text,
    goals: z.array(Text).min(1),
    redLines: z.array(Text).min(1),
    constraints: z.array(Text).min(1),
    decisionMakers: z.array(z.object({ name: Text, role: Text }).strict()).min(1),
    teamRoles: z.array(TeamRole).min(3).max(8),
  })
  .strict();
export type RoleProfile = z.infer<typeof RoleProfile>;

/** Help for the facilitator at one beat, and the questions the beat raises. */
export const BeatTeaching = z
  .object({
    watchFor: z.array(Text).default([]),
    /** When an inject would help; `inject` names one of the scenario's injects. */
    injects: z.array(z.object({ inject: Ref, when: Text }).strict()).default([]),
    discussion: z.array(Text).default([]),
    /** The decision-memo prompt shown with the rationale box, for every seat acting in the beat… */
    memoPrompt: Text.optional(),
    /** …or, where a seat needs its own, per seat. */
    memoPrompts: z.record(Ref, Text).default({}),
  })
  .strict();
export type BeatTeaching = z.infer<typeof BeatTeaching>;

export const GlossaryEntry = z.object({ term: Text, definition: Text }).strict();
export type GlossaryEntry = z.infer<typeof GlossaryEntry>;

export const Source = z
  .object({
    id: Id,
    title: Text,
    publisher: Text.optional(),
    date: Text.optional(),
    url: z.url({ protocol: /^https?$/ }).optional(),
    note: Text.optional(),
  })
  .strict();
export type Source = z.infer<typeof Source>;

export const Teaching = z
  .object({
    objectives: z.array(LearningObjective).min(1),
    profiles: z.record(Ref, RoleProfile).default({}),
    beats: z.record(Ref, BeatTeaching).default({}),
    /** Debrief questions per outcome id; `all` is asked whatever the outcome. */
    debrief: z.record(Ref, z.array(Text).min(1)).default({}),
    /** Used when a beat (or seat) has no memo prompt of its own. */
    memoPrompt: Text.optional(),
    glossary: z.array(GlossaryEntry).default([]),
    sources: z.array(Source).default([]),
  })
  .strict();
export type Teaching = z.infer<typeof Teaching>;

/** The debrief key that applies to every outcome. */
export const EVERY_OUTCOME = 'all';

/** Which ids in the teaching layer do not resolve against the scenario, each at its key path. */
export function teachingProblems(s: Scenario): ScenarioProblem[] {
  const t = s.teaching;
  if (!t) return [];
  const problems: ScenarioProblem[] = [];
  const problem = (path: (string | number)[], message: string) => problems.push({ path: ['teaching', ...path], message });
  const seats = new Set(s.seats.map((x) => x.id));
  const beats = new Map(s.beats.map((b) => [b.id, b]));
  const outcomes = new Set(s.outcomes.map((o) => o.id));
  const injects = new Set(s.injects.map((i) => i.id));

  for (const seat of Object.keys(t.profiles)) {
    if (!seats.has(seat)) problem(['profiles', seat], `unknown seat "${seat}"`);
  }
  for (const [beatId, bt] of Object.entries(t.beats)) {
    const beat = beats.get(beatId);
    if (!beat) {
      problem(['beats', beatId], `unknown beat "${beatId}"`);
      continue;
    }
    bt.injects.forEach((i, k) => {
      if (!injects.has(i.inject)) problem(['beats', beatId, 'injects', k, 'inject'], `unknown inject "${i.inject}"`);
    });
    for (const seat of Object.keys(bt.memoPrompts)) {
      if (!beat.actors.some((a) => a.seat === seat)) problem(['beats', beatId, 'memoPrompts', seat], `seat "${seat}" does not act in beat ${beatId}`);
    }
  }
  for (const outcome of Object.keys(t.debrief)) {
    if (outcome !== EVERY_OUTCOME && !outcomes.has(outcome)) problem(['debrief', outcome], `unknown outcome "${outcome}"`);
  }
  for (const [what, key, ids] of [
    ['objective', 'objectives', t.objectives.map((o) => o.id)],
    ['source', 'sources', t.sources.map((x) => x.id)],
    ['glossary term', 'glossary', t.glossary.map((g) => g.term.toLowerCase())],
  ] as const) {
    const seen = new Set<string>();
    ids.forEach((id, k) => {
      if (seen.has(id)) problem([key, k], `duplicate ${what} "${id}"`);
      seen.add(id);
    });
  }
  return problems;
}

/** The memo prompt a seat sees in a beat: its own, else the beat's, else the scenario's. */
export function memoPromptFor(s: Scenario, beatId: string, seat: string): string | null {
  const t = s.teaching;
  if (!t) return null;
  const bt = t.beats[beatId];
  return bt?.memoPrompts[seat] ?? bt?.memoPrompt ?? t.memoPrompt ?? null;
}

/** The debrief questions for an outcome: its own, then those asked at every outcome. */
export function debriefQuestions(s: Scenario, outcome: string): string[] {
  const d = s.teaching?.debrief ?? {};
  return [...(d[outcome] ?? []), ...(outcome === EVERY_OUTCOME ? [] : (d[EVERY_OUTCOME] ?? []))];
}
