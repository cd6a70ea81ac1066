import { refuse, type Refusal } from '../errors.ts';
import { criteriaFor, type RubricCriterion, type RubricLevel } from '../scenario/rubric.ts';
import type { Scenario, SeatId } from '../scenario/schema.ts';
import type { Actor, ScoreTeam } from './commands.ts';
import type { Phase } from './legality.ts';
import type { TurnContext } from './machine.ts';

/**
 * The white cell's rubric scores: one per seat and criterion, the latest
 * SCORE_TEAM for that pair (the log keeps every earlier one). A score is an
 * assessment beside the game, like moderation: it never changes the turn
 * machine, the game version or the outcome, so it may come at any moment
 * from the briefing to long after the debrief, and a rewind keeps it (it
 * judges how the team played, the undone beats included).
 */
export interface RubricScore {
  seat: SeatId;
  criterion: string;
  score: number;
  note: string | null;
  /** The log entry that recorded it, and its time. */
  version: number;
  at: number;
  /** The beat under way when it was given (null before the first beat or after the outcome). */
  beat: string | null;
  /** Given once the outcome was reached: an after-action score. */
  afterOutcome: boolean;
}

/** seat → criterion → its current score. */
export type RubricScores = Readonly<Record<SeatId, Readonly<Record<string, RubricScore>>>>;

export const NO_SCORES: RubricScores = Object.freeze({});

export interface ScoreCheck {
  scenario: Scenario;
  ctx: TurnContext;
  phase: Phase;
  by: Actor;
  command: ScoreTeam;
  scores: RubricScores;
}

/** Why this SCORE_TEAM cannot be recorded now, or null. */
export function scoreProblem({ scenario, ctx, phase, by, command, scores }: ScoreCheck): Refusal | null {
  if (by.kind !== 'facilitator') return refuse('forbidden', 'Only the white cell scores the teams.');
  const rubric = scenario.rubric;
  if (!rubric) return refuse('invalid', `${scenario.title} has no rubric to score on.`);
  if (phase === 'lobby') return refuse('wrong_phase', 'Scoring opens when the game starts.');
  if (!ctx.options.seatsInPlay.includes(command.seat)) return refuse('invalid', `"${command.seat}" is not a seat in play.`);
  const criterion = rubric.criteria.find((c) => c.id === command.criterion);
  if (!criterion) return refuse('invalid', `There is no criterion "${command.criterion}" in the rubric.`);
  if (!criteriaFor(rubric, command.seat).includes(criterion))
    return refuse('invalid', `“${criterion.title}” is not scored for ${command.seat}.`);
  if (command.score === null)
    return scores[command.seat]?.[command.criterion] ? null : refuse('invalid', 'There is no score to withdraw.');
  if (!rubric.scale.some((l) => l.score === command.score))
    return refuse('invalid', `${command.score} is not on the scale (${rubric.scale.map((l) => l.score).join(', ')}).`);
  return null;
}

/** The scores after a legal SCORE_TEAM at log entry `version`. */
export function applyScore(scores: RubricScores, command: ScoreTeam, version: number, at: number, ctx: TurnContext): RubricScores {
  const { [command.criterion]: _previous, ...others } = scores[command.seat] ?? {};
  const seatScores =
    command.score === null
      ? others
      : {
          ...others,
          [command.criterion]: {
            seat: command.seat,
            criterion: command.criterion,
            score: command.score,
            note: command.note ?? null,
            version,
            at,
            beat: ctx.outcome ? null : ctx.beat,
            afterOutcome: ctx.outcome !== null,
          },
        };
  return { ...scores, [command.seat]: seatScores };
}

/** The rubric as the white cell's console shows it: the scale, each seat's criteria and current scores. */
export interface RubricView {
  scale: RubricLevel[];
  criteria: RubricCriterion[];
  /** Per seat in play, the ids of the criteria it is scored on. */
  seats: { seat: SeatId; criteria: string[] }[];
  scores: RubricScore[];
}

/** The rubric for the facilitator; nobody else sees scores during play. */
export function rubricViewFor(scenario: Scenario, seatsInPlay: readonly SeatId[], scores: RubricScores, facilitator: boolean): RubricView | null {
  const rubric = scenario.rubric;
  if (!rubric || !facilitator) return null;
  return {
    scale: rubric.scale,
    criteria: rubric.criteria,
    seats: seatsInPlay.map((seat) => ({ seat, criteria: criteriaFor(rubric, seat).map((c) => c.id) })),
    scores: seatsInPlay.flatMap((seat) => Object.values(scores[seat] ?? {})),
  };
}
