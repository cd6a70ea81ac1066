import type { Scenario, SeatId } from '../scenario/schema.ts';
import { debriefQuestions, memoPromptFor, type LearningObjective, type RoleProfile } from '../scenario/teaching.ts';
import type { Viewer } from './channel-policy.ts';
import type { GameState, Phase } from './game.ts';
import { branchCauses, type BranchCause } from './branch-causes.ts';

/**
 * The teaching layer as one viewer may see it now. A seat's role profile is
 * private to that seat until the debrief; facilitator notes and the beat's
 * discussion questions are the white cell's; the debrief (questions for the
 * outcome reached, every profile, and why the path went as it did) is
 * everyone's once the game is over.
 */
export interface TeachingView {
  /** Shown before play and after it. */
  objectives: LearningObjective[] | null;
  /** The viewer's own seat's standing profile. */
  profile: RoleProfile | null;
  /** The decision-memo prompt for the viewer's rationale in this beat. */
  memoPrompt: string | null;
  /** Facilitator only, for the current beat. */
  notes: FacilitatorNotesView | null;
  debrief: DebriefView | null;
}

export interface FacilitatorNotesView {
  beat: string;
  watchFor: string[];
  injects: { inject: string; title: string; when: string }[];
  discussion: string[];
}

export interface DebriefView {
  outcome: string;
  questions: string[];
  /** The causes that decided each branch of the path, in order. */
  causes: BranchCause[];
  profiles: { seat: SeatId; name: string; profile: RoleProfile }[];
}

const OVER: ReadonlySet<Phase> = new Set(['outcome', 'debrief']);
const BEFORE: ReadonlySet<Phase> = new Set(['lobby', 'briefing']);
const IN_BEAT: ReadonlySet<Phase> = new Set(['planning', 'adjudication', 'resolution']);

export function teachingViewFor(scenario: Scenario, state: GameState, viewer: Viewer, phase: Phase): TeachingView | null {
  const t = scenario.teaching;
  if (!t) return null;
  const ctx = state.turn.context;
  const seat = viewer.kind === 'seat' ? viewer.seat : null;
  const beat = IN_BEAT.has(phase) ? ctx.beat : null;
  const acting = beat !== null && seat !== null && scenario.beats.some((b) => b.id === beat && b.actors.some((a) => a.seat === seat));
  const beatNotes = beat ? t.beats[beat] : undefined;
  const over = OVER.has(phase) && ctx.outcome !== null;
  return {
    objectives: BEFORE.has(phase) || over ? t.objectives : null,
    profile: seat ? (t.profiles[seat] ?? null) : null,
    memoPrompt: acting && beat && seat && phase === 'planning' ? memoPromptFor(scenario, beat, seat) : null,
    notes:
      viewer.kind === 'facilitator' && beat
        ? {
            beat,
            watchFor: beatNotes?.watchFor ?? [],
            injects: (beatNotes?.injects ?? []).map((i) => ({ ...i, title: scenario.injects.find((x) => x.id === i.inject)?.title ?? i.inject })),
            discussion: beatNotes?.discussion ?? [],
          }
        : null,
    debrief:
      over && ctx.outcome
        ? {
            outcome: ctx.outcome.outcome,
            questions: debriefQuestions(scenario, ctx.outcome.outcome),
            causes: branchCauses(scenario, ctx),
            profiles: scenario.seats.flatMap((s) => {
              const profile = t.profiles[s.id];
              return profile ? [{ seat: s.id, name: s.name, profile }] : [];
            }),
          }
        : null,
  };
}
