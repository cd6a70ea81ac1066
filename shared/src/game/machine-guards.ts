import type { Scenario } from '../scenario/schema.ts';
import { turnLegality, type Phase } from './legality.ts';
import { actingSeatsInPlay, nextStepIndex, type TurnContext, type TurnEvent } from './turn-context.ts';

/** What a guard of the turn machine is given: the machine's context and the event being taken. */
interface GuardArgs {
  context: TurnContext;
  event: TurnEvent;
}

/**
 * The turn machine's guards for one scenario. Every command's transition is
 * guarded by its legality function for the phase it sits in, so the machine
 * and the server's refusals cannot disagree.
 */
export function turnGuards(scenario: Scenario) {
  return {
    allLockedIn: ({ context }: GuardArgs) => {
      const seats = actingSeatsInPlay(scenario, context);
      return seats.every((s) => context.submissions[s]?.locked === true);
    },
    isLegal: ({ context, event }: GuardArgs, params: { phase: Phase }) => turnLegality(scenario, context, params.phase, event) === null,
    autoAccept: ({ context }: GuardArgs) => !context.options.review,
    isNextStep: ({ context, event }: GuardArgs, params: { beat: string; index: number }) =>
      turnLegality(scenario, context, 'resolution', event) === null &&
      nextStepIndex(scenario, params.beat, context.world) === params.index,
    mayRewindTo: ({ context, event }: GuardArgs, params: { phase: Phase; beat: string }) =>
      event.type === 'REWIND' && event.beat === params.beat && turnLegality(scenario, context, params.phase, event) === null,
  };
}
