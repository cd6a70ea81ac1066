import { assign, setup } from 'xstate';
import type { Scenario } from '../scenario/schema.ts';
import { turnGuards } from './machine-guards.ts';
import { turnStates } from './machine-states.ts';
import {
  enterBeat, initialContext, overrideProposal, proposeAdjudication, reachOutcome, recordMove, resolve,
} from './machine-beat-updates.ts';
import {
  endByFacilitator, extendTimer, fireInject, pause, restoreCheckpoint, resume, setSeatBot,
} from './machine-control-updates.ts';

export * from './turn-context.ts';
import type { TurnContext, TurnEvent, TurnInput } from './turn-context.ts';

/**
 * Builds the turn machine for one scenario. Beats are generated from the
 * scenario data as states `beats.<id>.{planning,adjudication,resolution}`, and
 * the guards that choose what follows a beat are the scenario's `next` steps,
 * so the machine's shape is the crisis's shape (and xstate/graph can walk it).
 * The states are in machine-states.ts, the guards in machine-guards.ts, and
 * what each action assigns in machine-beat-updates.ts and machine-control-updates.ts.
 */
export function createTurnMachine(scenario: Scenario) {
  return setup({
    types: {
      context: {} as TurnContext,
      events: {} as TurnEvent,
      input: {} as TurnInput,
    },
    guards: turnGuards(scenario),
    actions: {
      enterBeat: assign(({ context, event }, params: { beat: string }) => enterBeat(scenario, context, event, params.beat)),
      recordMove: assign(({ context, event }) => recordMove(context, event)),
      proposeAdjudication: assign(({ context, event }) => proposeAdjudication(scenario, context, event)),
      acceptProposal: assign(({ context, event }) => resolve(scenario, context, event, null)),
      overrideProposal: assign(({ context, event }) => overrideProposal(scenario, context, event)),
      reachOutcome: assign(({ context, event }, params: { outcome: string }) => reachOutcome(scenario, context, event, params.outcome)),
      endByFacilitator: assign(({ context, event }) => endByFacilitator(scenario, context, event)),
      pause: assign(({ context, event }) => pause(context, event)),
      resume: assign(({ context, event }) => resume(context, event)),
      extendTimer: assign(({ context, event }) => extendTimer(context, event)),
      fireInject: assign(({ context, event }) => fireInject(scenario, context, event)),
      setSeatBot: assign(({ context, event }) => setSeatBot(context, event)),
      restoreCheckpoint: assign(({ context }, params: { beat: string }) => restoreCheckpoint(context, params.beat)),
    },
  }).createMachine({
    id: 'turn',
    initial: 'lobby',
    context: ({ input }) => initialContext(input),
    states: turnStates(scenario),
  });
}

export type TurnMachine = ReturnType<typeof createTurnMachine>;
