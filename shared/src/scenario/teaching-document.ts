import type { Scenario } from './schema.ts';
import { describeCondition } from './diagram.ts';
import { debriefQuestions, memoPromptFor, type GlossaryEntry, type LearningObjective, type RoleProfile, type Source } from './teaching.ts';
import { presetEstimates, type SessionEstimate } from '../game/session-length.ts';
import { personasFor } from '../bots/catalog.ts';

/**
 * The printable facilitator guide and the student handouts, as data: the
 * teaching layer joined with the public parts of the scenario. The per-beat
 * private briefings are left out on purpose: this document is served without
 * a token and handed to students.
 */
export interface TeachingDocument {
  id: string;
  title: string;
  summary: string;
  openingBriefing: string;
  objectives: LearningObjective[];
  seats: {
    id: string;
    name: string;
    short: string;
    color: string;
    description: string;
    optional: boolean;
    profile: RoleProfile | null;
    /** The bots Setup offers for the seat (the scenario's personas). */
    personas: { id: string; name: string; summary: string }[];
  }[];
  beats: GuideBeat[];
  outcomes: { id: string; title: string; description: string; variants: GuideVariant[]; historical: boolean; questions: string[] }[];
  /** Asked whatever the outcome. */
  debriefQuestions: string[];
  historicalPath: { beat: string; seat: string; move: string; title: string }[];
  glossary: GlossaryEntry[];
  sources: Source[];
  presets: { id: string; title: string; description: string; estimate: SessionEstimate }[];
}

/** A text shown instead of the base one when a condition holds, with the condition in words. */
export interface GuideVariant {
  when: string;
  text: string;
}

export interface GuideBeat {
  id: string;
  title: string;
  date: string;
  situation: string;
  /** What the room reads instead of `situation` on other branches. */
  situationVariants: GuideVariant[];
  timerSeconds: number;
  actors: { seat: string; prompt: string; memoPrompt: string | null; moves: { id: string; title: string; description: string }[] }[];
  watchFor: string[];
  injects: { inject: string; title: string; when: string }[];
  discussion: string[];
}

/** The bots Setup offers for a seat (the bot catalogue's own list, generic ones for a scenario without personas). */
function personasOf(s: Scenario, seat: string): TeachingDocument['seats'][number]['personas'] {
  return personasFor(s, seat).map((p) => ({ id: p.id, name: p.name, summary: p.summary }));
}

export function teachingDocument(s: Scenario): TeachingDocument {
  const t = s.teaching;
  const moveTitle = (beat: string, seat: string, move: string) =>
    s.beats.find((b) => b.id === beat)?.actors.find((a) => a.seat === seat)?.moves.find((m) => m.id === move)?.title ?? move;
  return {
    id: s.id,
    title: s.title,
    summary: s.summary,
    openingBriefing: s.openingBriefing,
    objectives: t?.objectives ?? [],
    seats: s.seats.map((x) => ({
      id: x.id,
      name: x.name,
      short: x.short,
      color: x.color,
      description: x.description,
      optional: x.optional,
      profile: t?.profiles[x.id] ?? null,
      personas: personasOf(s, x.id),
    })),
    beats: s.beats.map((b) => {
      const bt = t?.beats[b.id];
      return {
        id: b.id,
        title: b.title,
        date: b.date,
        situation: b.situation,
        situationVariants: b.situationVariants.map((v) => ({ when: describeCondition(s, v.when), text: v.text })),
        timerSeconds: b.timerSeconds,
        actors: b.actors.map((a) => ({
          seat: a.seat,
          prompt: a.prompt,
          memoPrompt: memoPromptFor(s, b.id, a.seat),
          moves: a.moves.map((m) => ({ id: m.id, title: m.title, description: m.description })),
        })),
        watchFor: bt?.watchFor ?? [],
        injects: (bt?.injects ?? []).map((i) => ({ ...i, title: s.injects.find((x) => x.id === i.inject)?.title ?? i.inject })),
        discussion: bt?.discussion ?? [],
      };
    }),
    outcomes: s.outcomes.map((o) => ({
      id: o.id,
      title: o.title,
      description: o.description,
      variants: o.descriptionVariants.map((v) => ({ when: describeCondition(s, v.when), text: v.text })),
      historical: o.id === s.historicalOutcome,
      questions: t?.debrief[o.id] ?? [],
    })),
    debriefQuestions: debriefQuestions(s, 'all'),
    historicalPath: s.historicalPath.map((h) => ({ ...h, title: moveTitle(h.beat, h.seat, h.move) })),
    glossary: t?.glossary ?? [],
    sources: t?.sources ?? [],
    presets: presetEstimates(s),
  };
}
