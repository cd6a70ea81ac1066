import { assertEvent, assign, setup } from 'xstate';
import type { Effect, Scenario, SeatId } from '../scenario/schema.ts';
import { beatById, choiceOf, propose } from './adjudication.ts';
import { applyEffects, conditionHolds, initialWorld, type World } from './world.ts';
import { turnLegality, type Phase } from './legality.ts';
import { chooseBeatTexts, chooseOutcomeDescription } from './texts.ts';
import { mapList } from '../lists.ts';

export * from './turn-context.ts';
import {
  MACHINE_VERSION, actingSeatsInPlay, beatTimerMs, nextStepIndex,
  type Checkpoint, type Resolution, type TurnContext, type TurnEvent, type TurnInput,
} from './turn-context.ts';

function seatOf(event: TurnEvent): SeatId {
  if (event.by.kind !== 'seat') throw new Error(`${event.type} from ${event.by.kind} passed a seat-only legality check`);
  return event.by.seat;
}

/**
 * Builds the turn machine for one scenario. Beats are generated from the
 * scenario data as states `beats.<id>.{planning,adjudication,resolution}`, and
 * the guards that choose what follows a beat are the scenario's `next` steps,
 * so the machine's shape is the crisis's shape (and xstate/graph can walk it).
 */
export function createTurnMachine(scenario: Scenario) {
  // Every transition a command takes is guarded by that command's legality
  // function, with the phase of the state it sits in (legality.ts).
  const legal = (phase: Phase) => ({ type: 'isLegal' as const, params: { phase } });
  // What the white cell can do in any live phase, generated into each state so its guard knows the phase.
  const controls = (phase: Phase) => ({
    SET_SEAT_BOT: { guard: legal(phase), actions: 'setSeatBot' as const },
    PAUSE: { guard: legal(phase), actions: 'pause' as const },
    RESUME: { guard: legal(phase), actions: 'resume' as const },
    EXTEND_TIMER: { guard: legal(phase), actions: 'extendTimer' as const },
    FIRE_INJECT: { guard: legal(phase), actions: 'fireInject' as const },
    END_GAME: { guard: legal(phase), target: '#turn.outcome', actions: 'endByFacilitator' as const },
    REWIND: scenario.beats.map((b) => ({
      guard: { type: 'mayRewindTo' as const, params: { phase, beat: b.id } },
      target: `#beat-${b.id}`,
      reenter: true,
      actions: { type: 'restoreCheckpoint' as const, params: { beat: b.id } },
    })),
  });

  const beatStates = Object.fromEntries(
    scenario.beats.map((beat) => [
      beat.id,
      {
        id: `beat-${beat.id}`,
        initial: 'planning' as const,
        entry: { type: 'enterBeat' as const, params: { beat: beat.id } },
        states: {
          planning: {
            tags: ['planning' as const],
            always: { guard: 'allLockedIn' as const, target: 'adjudication' },
            on: {
              ...controls('planning'),
              SUBMIT_MOVE: { guard: legal('planning'), actions: 'recordMove' as const },
              ADVANCE: { guard: legal('planning'), target: 'adjudication' },
              TIMER_EXPIRED: { guard: legal('planning'), target: 'adjudication' },
            },
          },
          adjudication: {
            tags: ['adjudication' as const],
            entry: 'proposeAdjudication' as const,
            always: { guard: 'autoAccept' as const, target: 'resolution', actions: 'acceptProposal' as const },
            on: {
              ...controls('adjudication'),
              ACCEPT_ADJUDICATION: { guard: legal('adjudication'), target: 'resolution', actions: 'acceptProposal' as const },
              OVERRIDE_ADJUDICATION: { guard: legal('adjudication'), target: 'resolution', actions: 'overrideProposal' as const },
            },
          },
          resolution: {
            tags: ['resolution' as const],
            on: {
              ...controls('resolution'),
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
      isLegal: ({ context, event }, params: { phase: Phase }) => turnLegality(scenario, context, params.phase, event) === null,
      autoAccept: ({ context }) => !context.options.review,
      isNextStep: ({ context, event }, params: { beat: string; index: number }) =>
        turnLegality(scenario, context, 'resolution', event) === null &&
        nextStepIndex(scenario, params.beat, context.world) === params.index,
      mayRewindTo: ({ context, event }, params: { phase: Phase; beat: string }) =>
        event.type === 'REWIND' && event.beat === params.beat && turnLegality(scenario, context, params.phase, event) === null,
    },
    actions: {
      enterBeat: assign(({ context, event }, params: { beat: string }) => {
        const texts = chooseBeatTexts(beatById(scenario, params.beat), context.world);
        const checkpoint: Checkpoint = {
          beat: params.beat,
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
          beat: params.beat,
          beatTexts: texts,
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
      }),
      proposeAdjudication: assign(({ context, event }) => {
        if (!context.beat) throw new Error('adjudication outside a beat');
        const { proposal, rng } = propose(scenario, context.beat, context.world, context.submissions, context.rng, event.relays ?? []);
        return { proposal, rng, timer: null };
      }),
      acceptProposal: assign(({ context, event }) => resolve(scenario, context, event, null)),
      overrideProposal: assign(({ context, event }) => {
        assertEvent(event, 'OVERRIDE_ADJUDICATION');
        return resolve(scenario, context, event, { changes: event.changes, reason: event.reason });
      }),
      reachOutcome: assign(({ context, event }, params: { outcome: string }) => ({
        outcome: {
          outcome: params.outcome,
          variant: chooseOutcomeDescription(scenario, params.outcome, context.world),
          by: 'rules' as const,
          reason: null,
          path: context.path,
          version: event.seq,
          at: event.at,
        },
        timer: null,
      })),
      endByFacilitator: assign(({ context, event }) => {
        assertEvent(event, 'END_GAME');
        return {
          outcome: {
            outcome: event.outcome,
            variant: chooseOutcomeDescription(scenario, event.outcome, context.world),
            by: 'facilitator' as const,
            reason: event.reason,
            path: context.path,
            version: event.seq,
            at: event.at,
          },
          timer: null,
          paused: false,
        };
      }),
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
        assertEvent(event, 'EXTEND_TIMER');
        if (!context.timer) throw new Error('EXTEND_TIMER without a timer passed its legality check');
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
        assertEvent(event, 'FIRE_INJECT');
        const inject = scenario.injects.find((i) => i.id === event.inject);
        if (!inject) throw new Error(`unknown inject ${event.inject} passed its legality check`);
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
        assertEvent(event, 'SET_SEAT_BOT');
        const { [event.seat]: _previous, ...rest } = context.bots;
        return { bots: event.bot === null ? rest : { ...rest, [event.seat]: event.bot } };
      }),
      restoreCheckpoint: assign(({ context }, params: { beat: string }) => {
        // Rewind to the latest start of that beat on the current path.
        const index = context.checkpoints.map((c) => c.beat).lastIndexOf(params.beat);
        const cp = context.checkpoints[index];
        if (!cp) throw new Error(`no checkpoint for ${params.beat} passed its legality check`);
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
    }),
    states: {
      lobby: { tags: ['lobby'], on: { ...controls('lobby'), START: { guard: legal('lobby'), target: 'briefing' } } },
      briefing: {
        tags: ['briefing'],
        on: { ...controls('briefing'), ADVANCE: { guard: legal('briefing'), target: `#beat-${scenario.startBeat}` } },
      },
      beats: { initial: scenario.startBeat, states: beatStates },
      outcome: { tags: ['outcome'], on: { ...controls('outcome'), ADVANCE: { guard: legal('outcome'), target: 'debrief' } } },
      debrief: { tags: ['debrief'], type: 'final' },
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
