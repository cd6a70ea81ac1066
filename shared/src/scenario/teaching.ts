import { z } from 'zod';
import { Slug as Id } from './slug.ts';
import type { Scenario } from './schema.ts';

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

/** Which ids in the teaching layer do not resolve against the scenario. */
export function teachingProblems(s: Scenario): string[] {
  const t = s.teaching;
  if (!t) return [];
  const problems: string[] = [];
  const seats = new Set(s.seats.map((x) => x.id));
  const beats = new Map(s.beats.map((b) => [b.id, b]));
  const outcomes = new Set(s.outcomes.map((o) => o.id));
  const injects = new Set(s.injects.map((i) => i.id));

  for (const seat of Object.keys(t.profiles)) {
    if (!seats.has(seat)) problems.push(`teaching.profiles: unknown seat "${seat}"`);
  }
  for (const [beatId, bt] of Object.entries(t.beats)) {
    const beat = beats.get(beatId);
    if (!beat) {
      problems.push(`teaching.beats: unknown beat "${beatId}"`);
      continue;
    }
    for (const i of bt.injects) {
      if (!injects.has(i.inject)) problems.push(`teaching.beats.${beatId}: unknown inject "${i.inject}"`);
    }
    for (const seat of Object.keys(bt.memoPrompts)) {
      if (!beat.actors.some((a) => a.seat === seat))
        problems.push(`teaching.beats.${beatId}.memoPrompts: seat "${seat}" does not act in this beat`);
    }
  }
  for (const outcome of Object.keys(t.debrief)) {
    if (outcome !== EVERY_OUTCOME && !outcomes.has(outcome)) problems.push(`teaching.debrief: unknown outcome "${outcome}"`);
  }
  for (const [what, ids] of [
    ['objective', t.objectives.map((o) => o.id)],
    ['source', t.sources.map((x) => x.id)],
    ['glossary term', t.glossary.map((g) => g.term.toLowerCase())],
  ] as const) {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) problems.push(`teaching: duplicate ${what} "${id}"`);
      seen.add(id);
    }
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
