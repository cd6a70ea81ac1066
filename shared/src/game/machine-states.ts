import type { Beat, Scenario } from '../scenario/schema.ts';
import type { Phase } from './legality.ts';

// Every transition a command takes is guarded by that command's legality
// function, with the phase of the state it sits in (legality.ts).
const legal = (phase: Phase) => ({ type: 'isLegal' as const, params: { phase } });

/** What the white cell can do in any live phase, generated into each state so its guard knows the phase. */
function controls(scenario: Scenario, phase: Phase) {
  return {
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
  };
}

/** A resolved beat's ADVANCE: one transition per `next` step, the guard picking the step that holds. */
function nextSteps(beat: Beat) {
  return beat.next.map((step, index) =>
    'beat' in step
      ? { guard: { type: 'isNextStep' as const, params: { beat: beat.id, index } }, target: `#beat-${step.beat}` }
      : {
          guard: { type: 'isNextStep' as const, params: { beat: beat.id, index } },
          target: '#turn.outcome',
          actions: { type: 'reachOutcome' as const, params: { outcome: step.outcome } },
        },
  );
}

/** One beat as the state `beats.<id>`, with its planning, adjudication and resolution phases. */
function beatState(scenario: Scenario, beat: Beat) {
  return {
    id: `beat-${beat.id}`,
    initial: 'planning' as const,
    entry: { type: 'enterBeat' as const, params: { beat: beat.id } },
    states: {
      planning: {
        tags: ['planning' as const],
        always: { guard: 'allLockedIn' as const, target: 'adjudication' },
        on: {
          ...controls(scenario, 'planning'),
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
          ...controls(scenario, 'adjudication'),
          ACCEPT_ADJUDICATION: { guard: legal('adjudication'), target: 'resolution', actions: 'acceptProposal' as const },
          OVERRIDE_ADJUDICATION: { guard: legal('adjudication'), target: 'resolution', actions: 'overrideProposal' as const },
        },
      },
      resolution: {
        tags: ['resolution' as const],
        on: { ...controls(scenario, 'resolution'), ADVANCE: nextSteps(beat) },
      },
    },
  };
}

/**
 * The turn machine's states: lobby, briefing, the scenario's beats (generated
 * from its data, so the machine's shape is the crisis's shape), outcome and debrief.
 */
export function turnStates(scenario: Scenario) {
  return {
    lobby: { tags: ['lobby'], on: { ...controls(scenario, 'lobby'), START: { guard: legal('lobby'), target: 'briefing' } } },
    briefing: {
      tags: ['briefing'],
      on: { ...controls(scenario, 'briefing'), ADVANCE: { guard: legal('briefing'), target: `#beat-${scenario.startBeat}` } },
    },
    beats: {
      initial: scenario.startBeat,
      states: Object.fromEntries(scenario.beats.map((beat) => [beat.id, beatState(scenario, beat)])),
    },
    outcome: { tags: ['outcome'], on: { ...controls(scenario, 'outcome'), ADVANCE: { guard: legal('outcome'), target: 'debrief' } } },
    debrief: { tags: ['debrief'], type: 'final' as const },
  };
}
