import { assertEvent } from 'xstate';
import type { Effect, Scenario, SeatId } from '../scenario/schema.ts';
import { beatById, choiceOf, propose } from './adjudication.ts';
import { applyEffects, initialWorld, type World } from './world.ts';
import { chooseBeatTexts, chooseOutcomeDescription } from './texts.ts';
import { mapList } from '../lists.ts';
import {
  MACHINE_VERSION, beatTimerMs,
  type Checkpoint, type Resolution, type TurnContext, type TurnEvent, type TurnInput,
} from './turn-context.ts';

// How a beat's play changes the turn machine's context: the machine's actions
// (machine.ts) assign what these return, so they are pure and testable alone.

/** The context of a session not yet started. */
export function initialContext(input: TurnInput): TurnContext {
  return {
    scenarioId: input.scenario.id,
    scenarioVersion: input.scenario.version,
    machineVersion: MACHINE_VERSION,
    seed: input.seed,
    rng: input.seed,
    options: input.options,
    beat: null,
    beatTexts: null,
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
  };
}

function seatOf(event: TurnEvent): SeatId {
  if (event.by.kind !== 'seat') throw new Error(`${event.type} from ${event.by.kind} passed a seat-only legality check`);
  return event.by.seat;
}

/** Entering a beat: its texts, a fresh timer and submissions, and a checkpoint a rewind can return to. */
export function enterBeat(scenario: Scenario, context: TurnContext, event: TurnEvent, beat: string): Partial<TurnContext> {
  const texts = chooseBeatTexts(beatById(scenario, beat), context.world);
  const checkpoint: Checkpoint = {
    beat,
    beatIndex: context.beatIndex + 1,
    texts,
    world: context.world,
    rng: context.rng,
    ledgerLength: context.ledger.length,
    resolutionsLength: context.resolutions.length,
    injectsLength: context.injects.length,
    path: context.path,
    version: event.seq,
  };
  return {
    beat,
    beatTexts: texts,
    beatIndex: context.beatIndex + 1,
    path: [...context.path, beat],
    submissions: {},
    proposal: null,
    paused: false,
    timer: {
      deadline: event.at + beatTimerMs(scenario, context.options, beat),
      remainingMs: null,
      setAtVersion: event.seq,
    },
    checkpoints: [...context.checkpoints, checkpoint],
  };
}

export function recordMove(context: TurnContext, event: TurnEvent): Partial<TurnContext> {
  assertEvent(event, 'SUBMIT_MOVE');
  const seat = seatOf(event);
  return {
    submissions: {
      ...context.submissions,
      // `also` only when some were taken, so an old log's state is unchanged.
      [seat]: Object.assign(
        { move: event.move, rationale: event.rationale, locked: event.lock, at: event.at },
        event.also && event.also.length > 0 ? { also: event.also } : {},
      ),
    },
  };
}

export function proposeAdjudication(scenario: Scenario, context: TurnContext, event: TurnEvent): Partial<TurnContext> {
  if (!context.beat) throw new Error('adjudication outside a beat');
  const { proposal, rng } = propose(scenario, context.beat, context.world, context.submissions, context.rng, event.relays ?? []);
  return { proposal, rng, timer: null };
}

export function overrideProposal(scenario: Scenario, context: TurnContext, event: TurnEvent): Partial<TurnContext> {
  assertEvent(event, 'OVERRIDE_ADJUDICATION');
  return resolve(scenario, context, event, { changes: event.changes, reason: event.reason });
}

/** The rules' outcome, reached by a resolved beat's `next` step. */
export function reachOutcome(scenario: Scenario, context: TurnContext, event: TurnEvent, outcome: string): Partial<TurnContext> {
  return {
    outcome: {
      outcome,
      variant: chooseOutcomeDescription(scenario, outcome, context.world),
      by: 'rules' as const,
      reason: null,
      path: context.path,
      version: event.seq,
      at: event.at,
    },
    timer: null,
  };
}

/** Applies the proposal (or the facilitator's replacement) and records the beat's resolution. */
export function resolve(
  scenario: Scenario,
  context: TurnContext,
  event: TurnEvent,
  override: { changes: Effect[]; reason: string } | null,
): Partial<TurnContext> {
  const proposal = context.proposal;
  if (!proposal) throw new Error('resolving a beat without a proposal');
  const withChoices: World = {
    ...context.world,
    choices: [
      ...context.world.choices,
      ...mapList(proposal.choices, choiceOf),
    ],
    draws: { ...context.world.draws, ...Object.fromEntries(proposal.draws.map((d) => [d.draw, d.option])) },
    relays: [...context.world.relays, ...mapList(proposal.relays, ({ countedFor: _credit, ...fact }) => fact)],
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
    relays: proposal.relays,
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
