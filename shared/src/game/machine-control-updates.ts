import { assertEvent } from 'xstate';
import type { Scenario } from '../scenario/schema.ts';
import { chooseOutcomeDescription } from './texts.ts';
import { applyEffects, conditionHolds } from './world.ts';
import type { TurnContext, TurnEvent } from './turn-context.ts';

// How the white cell's controls change the turn machine's context: the
// machine's actions (machine.ts) assign what these return.

export function endByFacilitator(scenario: Scenario, context: TurnContext, event: TurnEvent): Partial<TurnContext> {
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
}

/** Pausing keeps the time left rather than the deadline, so a resume gives it all back. */
export function pause(context: TurnContext, event: TurnEvent): Partial<TurnContext> {
  return {
    paused: true,
    timer:
      context.timer && context.timer.deadline !== null
        ? { deadline: null, remainingMs: Math.max(0, context.timer.deadline - event.at), setAtVersion: event.seq }
        : context.timer,
  };
}

export function resume(context: TurnContext, event: TurnEvent): Partial<TurnContext> {
  return {
    paused: false,
    timer:
      context.timer && context.timer.remainingMs !== null
        ? { deadline: event.at + context.timer.remainingMs, remainingMs: null, setAtVersion: event.seq }
        : context.timer,
  };
}

export function extendTimer(context: TurnContext, event: TurnEvent): Partial<TurnContext> {
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
}

export function fireInject(scenario: Scenario, context: TurnContext, event: TurnEvent): Partial<TurnContext> {
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
}

export function setSeatBot(context: TurnContext, event: TurnEvent): Partial<TurnContext> {
  assertEvent(event, 'SET_SEAT_BOT');
  const { [event.seat]: _previous, ...rest } = context.bots;
  return { bots: event.bot === null ? rest : { ...rest, [event.seat]: event.bot } };
}

/** Rewinds to the latest start of that beat on the current path. */
export function restoreCheckpoint(context: TurnContext, beat: string): Partial<TurnContext> {
  const index = context.checkpoints.map((c) => c.beat).lastIndexOf(beat);
  const cp = context.checkpoints[index];
  if (!cp) throw new Error(`no checkpoint for ${beat} passed its legality check`);
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
}
