import { refuse, type Refusal } from '../errors.ts';
import type { Scenario, SeatId } from '../scenario/schema.ts';
import { alsoProblem } from '../scenario/also.ts';
import { seatBotProblem } from '../bots/catalog.ts';
import { beatById } from './adjudication.ts';
import { hideProblem, messageAudience, statementCapProblem } from './channel-policy.ts';
import type { MessageLog } from './message-log.ts';
import type { Actor, HideMessage, ScoreTeam, SendMessage } from './commands.ts';
import { scoreProblem, type RubricScores } from './rubric-scores.ts';
import type { TurnContext, TurnEvent } from './machine.ts';

/**
 * Whether a command may be applied now: ONE function per command, and the
 * only place its legality lives.
 *
 * The pattern, for whoever adds a command:
 * - A command the turn machine handles gets an entry in `TURN_COMMANDS`: who
 *   may send it, whether it works while paused, the phases it applies in, and
 *   an optional `check` for the rest. The machine uses `turnLegality` as the
 *   guard of every transition that command takes (`isLegal`, with the phase
 *   of the state the transition sits in), and `checkCommand` returns the same
 *   function's refusal, so the machine and the error can never disagree.
 * - A command applied outside the machine (messages, moderation) gets an
 *   entry in `MESSAGE_COMMANDS`.
 * - Keep refusal codes and wording stable: clients and tests branch on them.
 * Actions may then assume a legal event (`assertEvent`), never return `{}`
 * on a mismatch.
 */

export type Phase = 'lobby' | 'briefing' | 'planning' | 'adjudication' | 'resolution' | 'outcome' | 'debrief';
export const PHASES: readonly Phase[] = ['lobby', 'briefing', 'planning', 'adjudication', 'resolution', 'outcome', 'debrief'];

type TurnType = TurnEvent['type'];
type EventOf<T extends TurnType> = Extract<TurnEvent, { type: T }>;

export interface TurnCheck<T extends TurnType> {
  scenario: Scenario;
  ctx: TurnContext;
  phase: Phase;
  event: EventOf<T>;
}

interface TurnRule<T extends TurnType> {
  who: 'facilitator' | 'seat' | 'system';
  whilePaused: boolean;
  phases: readonly Phase[];
  /** Checked after who, pause and the outcome; before the phase, so it may name the phase problem itself. */
  check?: (x: TurnCheck<T>) => Refusal | null;
}

/** Every phase in which the machine is running a beat or waiting around one. */
const LIVE: readonly Phase[] = ['lobby', 'briefing', 'planning', 'adjudication', 'resolution'];

const TURN_COMMANDS: { [T in TurnType]: TurnRule<T> } = {
  START: { who: 'facilitator', whilePaused: false, phases: ['lobby'] },
  ADVANCE: { who: 'facilitator', whilePaused: false, phases: ['briefing', 'planning', 'resolution', 'outcome'] },
  SUBMIT_MOVE: {
    who: 'seat',
    whilePaused: false,
    phases: ['planning'],
    check: ({ scenario, ctx, phase, event }) => {
      if (phase !== 'planning') return refuse('wrong_phase', `Moves are taken during planning; the beat is in ${phase}.`);
      const problem = moveProblem(scenario, ctx, event);
      return problem ? refuse(problem.code, problem.message) : null;
    },
  },
  TIMER_EXPIRED: {
    who: 'system',
    whilePaused: false,
    phases: ['planning'],
    check: ({ ctx, phase, event }) => {
      const problem = phase === 'planning' ? timerProblem(ctx, event) : 'No planning deadline is running.';
      return problem ? refuse('stale_timer', problem) : null;
    },
  },
  ACCEPT_ADJUDICATION: { who: 'facilitator', whilePaused: false, phases: ['adjudication'] },
  OVERRIDE_ADJUDICATION: { who: 'facilitator', whilePaused: false, phases: ['adjudication'] },
  PAUSE: {
    who: 'facilitator',
    whilePaused: false,
    phases: LIVE,
    check: ({ ctx }) => (ctx.paused ? refuse('wrong_phase', 'The session is already paused.') : null),
  },
  RESUME: {
    who: 'facilitator',
    whilePaused: true,
    phases: LIVE,
    check: ({ ctx }) => (ctx.paused ? null : refuse('wrong_phase', 'The session is not paused.')),
  },
  EXTEND_TIMER: {
    who: 'facilitator',
    whilePaused: true,
    phases: LIVE,
    check: ({ ctx }) => (ctx.timer ? null : refuse('wrong_phase', 'No timer is running.')),
  },
  FIRE_INJECT: {
    who: 'facilitator',
    whilePaused: true,
    phases: LIVE,
    check: ({ scenario, event }) =>
      scenario.injects.some((i) => i.id === event.inject) ? null : refuse('unknown_inject', `There is no inject "${event.inject}".`),
  },
  REWIND: {
    who: 'facilitator',
    whilePaused: true,
    phases: [...LIVE, 'outcome'],
    check: ({ scenario, ctx, event }) => {
      if (!scenario.beats.some((b) => b.id === event.beat)) return refuse('unknown_beat', `There is no beat "${event.beat}".`);
      if (!ctx.checkpoints.some((c) => c.beat === event.beat))
        return refuse('unknown_beat', `Beat "${event.beat}" has not been played on this path, so there is no checkpoint to return to.`);
      return null;
    },
  },
  END_GAME: {
    who: 'facilitator',
    whilePaused: true,
    phases: LIVE,
    check: ({ scenario, event }) =>
      scenario.outcomes.some((o) => o.id === event.outcome) ? null : refuse('unknown_outcome', `There is no outcome "${event.outcome}".`),
  },
  SET_SEAT_BOT: {
    who: 'facilitator',
    whilePaused: true,
    phases: LIVE,
    check: ({ scenario, ctx, event }) => {
      const problem = seatBotProblem(scenario, ctx.options.seatsInPlay, event.seat, event.bot);
      return problem ? refuse('invalid', problem) : null;
    },
  },
};

const ROLE_REFUSAL: Record<TurnRule<TurnType>['who'], Refusal> = {
  facilitator: refuse('forbidden', 'Only the facilitator controls the session.'),
  seat: refuse('forbidden', 'Only a seat can submit a move.'),
  system: refuse('forbidden', 'Only the server clock fires timers.'),
};

/**
 * Why the turn machine must not take this event in this phase, or null.
 * The first failing check wins, so the error names the most basic problem.
 */
export function turnLegality(scenario: Scenario, ctx: TurnContext, phase: Phase, event: TurnEvent): Refusal | null {
  if (phase === 'debrief') return refuse('game_over', 'The game is over.');
  if (phase === 'outcome' && event.type !== 'ADVANCE' && event.type !== 'REWIND')
    return refuse('game_over', 'The game has reached its outcome; only moving on to the debrief or a rewind is possible.');
  const rule = TURN_COMMANDS[event.type] as TurnRule<TurnType>;
  if (event.by.kind !== rule.who) return ROLE_REFUSAL[rule.who];
  if (ctx.paused && !rule.whilePaused) return refuse('paused', 'The session is paused.');
  const problem = rule.check?.({ scenario, ctx, phase, event });
  if (problem) return problem;
  if (!rule.phases.includes(phase)) return refuse('wrong_phase', `${event.type} does not apply during ${phase}.`);
  return null;
}

interface MessageCheck<C> {
  scenario: Scenario;
  ctx: TurnContext;
  by: Actor;
  command: C;
  messages: MessageLog;
  at: number;
}

/**
 * A message's audience and channel, or why it is refused: who may send it
 * there (messageAudience), then the channel's statement cap. The legality
 * check and applying the message both take it from here, so a message is
 * decided once when it is applied.
 */
export function messageDecision(x: MessageCheck<SendMessage>): ReturnType<typeof messageAudience> {
  const { scenario, ctx, by, command, messages, at } = x;
  const r = messageAudience(scenario, ctx.world, by, command, messages);
  if ('code' in r) return r;
  return statementCapProblem(r.channel, by, messages, at) ?? r;
}

/** Commands applied beside the machine: messages, their moderation, and the white cell's rubric scores. */
export const MESSAGE_COMMANDS: {
  SEND_MESSAGE: (x: MessageCheck<SendMessage>) => Refusal | null;
  HIDE_MESSAGE: (x: MessageCheck<HideMessage>) => Refusal | null;
  SCORE_TEAM: (x: MessageCheck<ScoreTeam> & { phase: Phase; scores: RubricScores }) => Refusal | null;
} = {
  SEND_MESSAGE: (x) => {
    const r = messageDecision(x);
    return 'code' in r ? r : null;
  },
  // Moderation works in every phase, the debrief included: spam must not stay on the projector.
  HIDE_MESSAGE: ({ by, command, messages }) => hideProblem(by, command, messages),
  // A score is an assessment, not a move: it works in every phase but the lobby, after the debrief too.
  SCORE_TEAM: ({ scenario, ctx, phase, by, command, scores }) => scoreProblem({ scenario, ctx, phase, by, command, scores }),
};

function seatOf(by: Actor): SeatId | null {
  return by.kind === 'seat' ? by.seat : null;
}

/** Why a SUBMIT_MOVE cannot be recorded now, or null. */
export function moveProblem(
  scenario: Scenario,
  context: TurnContext,
  event: EventOf<'SUBMIT_MOVE'>,
): { code: 'not_acting' | 'unknown_move' | 'forbidden' | 'invalid'; message: string } | null {
  const seat = seatOf(event.by);
  if (!seat) return { code: 'forbidden', message: 'Only a seat can submit a move.' };
  if (!context.beat) return { code: 'not_acting', message: 'No beat is under way.' };
  const actor = beatById(scenario, context.beat).actors.find((a) => a.seat === seat);
  if (!actor || !context.options.seatsInPlay.includes(seat))
    return { code: 'not_acting', message: `${seat} does not act in this beat.` };
  if (!actor.moves.some((m) => m.id === event.move))
    return { code: 'unknown_move', message: `"${event.move}" is not one of ${seat}'s moves in this beat.` };
  return alsoProblem(actor, event.move, event.also ?? []);
}

/** Why a TIMER_EXPIRED does not close the beat, or null. */
export function timerProblem(context: TurnContext, event: EventOf<'TIMER_EXPIRED'>): string | null {
  const timer = context.timer;
  if (!timer || timer.deadline === null) return 'No deadline is running.';
  if (timer.setAtVersion !== event.timerVersion)
    return `The deadline was reset at version ${timer.setAtVersion}; this expiry is for ${event.timerVersion}.`;
  if (event.at < timer.deadline) return 'The deadline has not passed yet.';
  return null;
}
