import { assign, setup } from 'xstate';
import type { Effect, Scenario, SeatId } from '../scenario/schema.ts';
import type { PrngState } from '../prng.ts';
import type { Actor, GameCommand } from './commands.ts';
import { beatById, propose, type ChoiceRecord, type DrawRecord, type NarrativeLine, type Proposal, type Submission } from './adjudication.ts';
import { applyEffects, conditionHolds, initialWorld, type Change, type World } from './world.ts';

/** Bumped when the machine's structure or context changes meaning; stored with every snapshot. */
export const MACHINE_VERSION = 2;

export interface SessionOptions {
  /** Multiplies every beat's default timer (0.1 for a fast test, 2 for a long seminar). */
  timerScale: number;
  /** Per-beat timer overrides in seconds. */
  timerSeconds: Record<string, number>;
  /** When false, the rule engine's proposal is applied without waiting for the facilitator. */
  review: boolean;
  seatsInPlay: SeatId[];
}

export interface Timer {
  /** Absolute time (ms since epoch, from event fields) when planning closes; null while paused. */
  deadline: number | null;
  /** Left on the clock while paused. */
  remainingMs: number | null;
  /** The state version at which this deadline was set; a TIMER_EXPIRED must name it. */
  setAtVersion: number;
}

export interface Resolution {
  beat: string;
  beatIndex: number;
  choices: ChoiceRecord[];
  draws: DrawRecord[];
  narrative: NarrativeLine[];
  changes: Change[];
  override: { reason: string } | null;
  version: number;
  at: number;
}

export interface Checkpoint {
  beat: string;
  beatIndex: number;
  world: World;
  rng: PrngState;
  ledgerLength: number;
  resolutionsLength: number;
  injectsLength: number;
  path: string[];
  version: number;
}

export interface FiredInject {
  inject: string;
  version: number;
  at: number;
  changes: Change[];
}

export interface OutcomeRecord {
  outcome: string;
  by: 'rules' | 'facilitator';
  reason: string | null;
  path: string[];
  version: number;
  at: number;
}

export interface TurnContext {
  scenarioId: string;
  scenarioVersion: number;
  machineVersion: number;
  seed: PrngState;
  rng: PrngState;
  options: SessionOptions;
  beat: string | null;
  /** 1-based count of beats entered on the current path. */
  beatIndex: number;
  /** Beat ids entered so far on the current path (rewinds cut it back). */
  path: string[];
  timer: Timer | null;
  paused: boolean;
  submissions: Record<SeatId, Submission>;
  proposal: Proposal | null;
  world: World;
  ledger: Change[];
  resolutions: Resolution[];
  checkpoints: Checkpoint[];
  injects: FiredInject[];
  outcome: OutcomeRecord | null;
  /** Seats played by a bot, and which (a persona id or "llm"). Outside checkpoints: a rewind keeps them. */
  bots: Record<SeatId, string>;
}

/** What the machine receives: a command stamped with who sent it, its log position and its time. */
export type TurnEvent = GameCommand & { by: Actor; seq: number; at: number };

export interface TurnInput {
  scenario: Scenario;
  seed: PrngState;
  options: SessionOptions;
}

export function beatTimerMs(scenario: Scenario, options: SessionOptions, beatId: string): number {
  const seconds = options.timerSeconds[beatId] ?? beatById(scenario, beatId).timerSeconds * options.timerScale;
  return Math.max(1000, Math.round(seconds * 1000));
}

/** The index of the first `next` step whose condition holds (the last one always does). */
export function nextStepIndex(scenario: Scenario, beatId: string, world: World): number {
  const steps = beatById(scenario, beatId).next;
  const i = steps.findIndex((s) => s.when === undefined || conditionHolds(world, s.when));
  return i === -1 ? steps.length - 1 : i;
}

export function actingSeatsInPlay(scenario: Scenario, ctx: TurnContext): SeatId[] {
  if (!ctx.beat) return [];
  return beatById(scenario, ctx.beat)
    .actors.map((a) => a.seat)
    .filter((s) => ctx.options.seatsInPlay.includes(s));
}

function seatOf(event: TurnEvent): SeatId | null {
  return event.by.kind === 'seat' ? event.by.seat : null;
}

/**
 * Builds the turn machine for one scenario. Beats are generated from the
 * scenario data as states `beats.<id>.{planning,adjudication,resolution}`, and
 * the guards that choose what follows a beat are the scenario's `next` steps,
 * so the machine's shape is the crisis's shape (and xstate/graph can walk it).
 */
export function createTurnMachine(scenario: Scenario) {
  const beatStates = Object.fromEntries(
    scenario.beats.map((beat) => [
      beat.id,
      {
        id: `beat-${beat.id}`,
        initial: 'planning' as const,
        entry: { type: 'enterBeat' as const, params: { beat: beat.id } },
        states: {
          planning: {
            always: { guard: 'allLockedIn' as const, target: 'adjudication' },
            on: {
              SUBMIT_MOVE: { guard: 'mayRecordMove' as const, actions: 'recordMove' as const },
              ADVANCE: { target: 'adjudication' },
              TIMER_EXPIRED: { guard: 'timerIsCurrent' as const, target: 'adjudication' },
            },
          },
          adjudication: {
            entry: 'proposeAdjudication' as const,
            always: { guard: 'autoAccept' as const, target: 'resolution', actions: 'acceptProposal' as const },
            on: {
              ACCEPT_ADJUDICATION: { target: 'resolution', actions: 'acceptProposal' as const },
              OVERRIDE_ADJUDICATION: { target: 'resolution', actions: 'overrideProposal' as const },
            },
          },
          resolution: {
            on: {
              ADVANCE: beat.next.map((step, index) =>
                'beat' in step
                  ? { guard: { type: 'isNextStep' as const, params: { beat: beat.id, index } }, target: `#beat-${step.beat}` }
                  : {
                      guard: { type: 'isNextStep' as const, params: { beat: beat.id, index } },
                      target: '#turn.outcome',
                      actions: { type: 'reachOutcome' as const, params: { outcome: step.outcome } },
                    },
              ),
            },
          },
        },
      },
    ]),
  );

  return setup({
    types: {
      context: {} as TurnContext,
      events: {} as TurnEvent,
      input: {} as TurnInput,
    },
    guards: {
      allLockedIn: ({ context }) => {
        const seats = actingSeatsInPlay(scenario, context);
        return seats.every((s) => context.submissions[s]?.locked === true);
      },
      mayRecordMove: ({ context, event }) => moveProblem(scenario, context, event) === null,
      timerIsCurrent: ({ context, event }) =>
        event.type === 'TIMER_EXPIRED' && timerProblem(context, event) === null,
      autoAccept: ({ context }) => !context.options.review,
      isNextStep: ({ context }, params: { beat: string; index: number }) =>
        nextStepIndex(scenario, params.beat, context.world) === params.index,
      isRewindTarget: ({ context, event }, params: { beat: string }) =>
        event.type === 'REWIND' && event.beat === params.beat && context.checkpoints.some((c) => c.beat === params.beat),
    },
    actions: {
      enterBeat: assign(({ context, event }, params: { beat: string }) => {
        const checkpoint: Checkpoint = {
          beat: params.beat,
          beatIndex: context.beatIndex + 1,
          world: context.world,
          rng: context.rng,
          ledgerLength: context.ledger.length,
          resolutionsLength: context.resolutions.length,
          injectsLength: context.injects.length,
          path: context.path,
          version: event.seq,
        };
        return {
          beat: params.beat,
          beatIndex: context.beatIndex + 1,
          path: [...context.path, params.beat],
          submissions: {},
          proposal: null,
          paused: false,
          timer: {
            deadline: event.at + beatTimerMs(scenario, context.options, params.beat),
            remainingMs: null,
            setAtVersion: event.seq,
          },
          checkpoints: [...context.checkpoints, checkpoint],
        };
      }),
      recordMove: assign(({ context, event }) => {
        const seat = seatOf(event);
        if (event.type !== 'SUBMIT_MOVE' || !seat) return {};
        return {
          submissions: {
            ...context.submissions,
            [seat]: { move: event.move, rationale: event.rationale, locked: event.lock, at: event.at },
          },
        };
      }),
      proposeAdjudication: assign(({ context }) => {
        if (!context.beat) return {};
        const { proposal, rng } = propose(scenario, context.beat, context.world, context.submissions, context.rng);
        return { proposal, rng, timer: null };
      }),
      acceptProposal: assign(({ context, event }) => resolve(scenario, context, event, null)),
      overrideProposal: assign(({ context, event }) =>
        event.type === 'OVERRIDE_ADJUDICATION'
          ? resolve(scenario, context, event, { changes: event.changes, reason: event.reason })
          : {},
      ),
      reachOutcome: assign(({ context, event }, params: { outcome: string }) => ({
        outcome: { outcome: params.outcome, by: 'rules' as const, reason: null, path: context.path, version: event.seq, at: event.at },
        timer: null,
      })),
      endByFacilitator: assign(({ context, event }) =>
        event.type === 'END_GAME'
          ? {
              outcome: {
                outcome: event.outcome,
                by: 'facilitator' as const,
                reason: event.reason,
                path: context.path,
                version: event.seq,
                at: event.at,
              },
              timer: null,
              paused: false,
            }
          : {},
      ),
      pause: assign(({ context, event }) => ({
        paused: true,
        timer:
          context.timer && context.timer.deadline !== null
            ? { deadline: null, remainingMs: Math.max(0, context.timer.deadline - event.at), setAtVersion: event.seq }
            : context.timer,
      })),
      resume: assign(({ context, event }) => ({
        paused: false,
        timer:
          context.timer && context.timer.remainingMs !== null
            ? { deadline: event.at + context.timer.remainingMs, remainingMs: null, setAtVersion: event.seq }
            : context.timer,
      })),
      extendTimer: assign(({ context, event }) => {
        if (event.type !== 'EXTEND_TIMER' || !context.timer) return {};
        const ms = event.seconds * 1000;
        return {
          timer: {
            deadline: context.timer.deadline === null ? null : context.timer.deadline + ms,
            remainingMs: context.timer.remainingMs === null ? null : context.timer.remainingMs + ms,
            setAtVersion: event.seq,
          },
        };
      }),
      fireInject: assign(({ context, event }) => {
        if (event.type !== 'FIRE_INJECT') return {};
        const inject = scenario.injects.find((i) => i.id === event.inject);
        if (!inject) return {};
        const { world, changes } = applyEffects(
          scenario,
          context.world,
          inject.effects
            .filter((e) => e.when === undefined || conditionHolds(context.world, e.when))
            .map((effect) => ({ effect, cause: { kind: 'inject' as const, inject: inject.id } })),
          event.seq,
        );
        return {
          world,
          ledger: [...context.ledger, ...changes],
          injects: [...context.injects, { inject: inject.id, version: event.seq, at: event.at, changes }],
        };
      }),
      setSeatBot: assign(({ context, event }) => {
        if (event.type !== 'SET_SEAT_BOT') return {};
        const { [event.seat]: _previous, ...rest } = context.bots;
        return { bots: event.bot === null ? rest : { ...rest, [event.seat]: event.bot } };
      }),
      restoreCheckpoint: assign(({ context }, params: { beat: string }) => {
        // Rewind to the latest start of that beat on the current path.
        const index = context.checkpoints.map((c) => c.beat).lastIndexOf(params.beat);
        const cp = context.checkpoints[index];
        if (!cp) return {};
        return {
          world: cp.world,
          rng: cp.rng,
          ledger: context.ledger.slice(0, cp.ledgerLength),
          resolutions: context.resolutions.slice(0, cp.resolutionsLength),
          // Injects fired after the checkpoint are undone with their effects.
          injects: context.injects.slice(0, cp.injectsLength),
          path: cp.path,
          beatIndex: cp.beatIndex - 1,
          checkpoints: context.checkpoints.slice(0, index),
          outcome: null,
          paused: false,
        };
      }),
    },
  }).createMachine({
    id: 'turn',
    initial: 'lobby',
    context: ({ input }) => ({
      scenarioId: input.scenario.id,
      scenarioVersion: input.scenario.version,
      machineVersion: MACHINE_VERSION,
      seed: input.seed,
      rng: input.seed,
      options: input.options,
      beat: null,
      beatIndex: 0,
      path: [],
      timer: null,
      paused: false,
      submissions: {},
      proposal: null,
      world: initialWorld(input.scenario, input.options.seatsInPlay),
      ledger: [],
      resolutions: [],
      checkpoints: [],
      injects: [],
      outcome: null,
      bots: {},
    }),
    on: {
      SET_SEAT_BOT: { actions: 'setSeatBot' },
      PAUSE: { actions: 'pause' },
      RESUME: { actions: 'resume' },
      EXTEND_TIMER: { actions: 'extendTimer' },
      FIRE_INJECT: { actions: 'fireInject' },
      END_GAME: { target: '#turn.outcome', actions: 'endByFacilitator' },
      REWIND: scenario.beats.map((b) => ({
        guard: { type: 'isRewindTarget' as const, params: { beat: b.id } },
        target: `#beat-${b.id}`,
        reenter: true,
        actions: { type: 'restoreCheckpoint' as const, params: { beat: b.id } },
      })),
    },
    states: {
      lobby: { on: { START: { target: 'briefing' } } },
      briefing: { on: { ADVANCE: { target: `#beat-${scenario.startBeat}` } } },
      beats: { initial: scenario.startBeat, states: beatStates },
      outcome: { on: { ADVANCE: { target: 'debrief' } } },
      debrief: { type: 'final' },
    },
  });
}

export type TurnMachine = ReturnType<typeof createTurnMachine>;

/** Applies the proposal (or the facilitator's replacement) and records the beat's resolution. */
function resolve(
  scenario: Scenario,
  context: TurnContext,
  event: TurnEvent,
  override: { changes: Effect[]; reason: string } | null,
): Partial<TurnContext> {
  const proposal = context.proposal;
  if (!proposal) return {};
  const withChoices: World = {
    ...context.world,
    choices: [
      ...context.world.choices,
      ...proposal.choices.map(({ beat, seat, move, defaulted }) => ({ beat, seat, move, defaulted })),
    ],
    draws: { ...context.world.draws, ...Object.fromEntries(proposal.draws.map((d) => [d.draw, d.option])) },
  };
  const planned = override
    ? override.changes.map((effect) => ({ effect, cause: { kind: 'override' as const, beat: proposal.beat, reason: override.reason } }))
    : proposal.changes;
  const { world, changes } = applyEffects(scenario, withChoices, planned, event.seq);
  const resolution: Resolution = {
    beat: proposal.beat,
    beatIndex: context.beatIndex,
    choices: proposal.choices,
    draws: proposal.draws,
    narrative: proposal.narrative,
    changes,
    override: override ? { reason: override.reason } : null,
    version: event.seq,
    at: event.at,
  };
  return {
    world,
    ledger: [...context.ledger, ...changes],
    resolutions: [...context.resolutions, resolution],
    proposal: null,
    timer: null,
  };
}

/** Why a SUBMIT_MOVE cannot be recorded now, or null. Shared by the guard and the refusal check. */
export function moveProblem(scenario: Scenario, context: TurnContext, event: TurnEvent): { code: 'not_acting' | 'unknown_move' | 'forbidden'; message: string } | null {
  if (event.type !== 'SUBMIT_MOVE') return null;
  const seat = seatOf(event);
  if (!seat) return { code: 'forbidden', message: 'Only a seat can submit a move.' };
  if (!context.beat) return { code: 'not_acting', message: 'No beat is under way.' };
  const actor = beatById(scenario, context.beat).actors.find((a) => a.seat === seat);
  if (!actor || !context.options.seatsInPlay.includes(seat))
    return { code: 'not_acting', message: `${seat} does not act in this beat.` };
  if (!actor.moves.some((m) => m.id === event.move))
    return { code: 'unknown_move', message: `"${event.move}" is not one of ${seat}'s moves in this beat.` };
  return null;
}

/** Why a TIMER_EXPIRED does not close the beat, or null. */
export function timerProblem(context: TurnContext, event: Extract<TurnEvent, { type: 'TIMER_EXPIRED' }>): string | null {
  const timer = context.timer;
  if (!timer || timer.deadline === null) return 'No deadline is running.';
  if (timer.setAtVersion !== event.timerVersion)
    return `The deadline was reset at version ${timer.setAtVersion}; this expiry is for ${event.timerVersion}.`;
  if (event.at < timer.deadline) return 'The deadline has not passed yet.';
  return null;
}
