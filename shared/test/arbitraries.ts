import fc from 'fast-check';
import type { Scenario } from '../src/scenario/schema.ts';
import type { Actor, Command } from '../src/game/commands.ts';

type Weighted<T> = { weight: number; arbitrary: fc.Arbitrary<T> };

function actorArbitrary(seats: readonly string[]): fc.Arbitrary<Actor> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...seats).map((seat): Actor => ({ kind: 'seat', seat })) },
    { weight: 6, arbitrary: fc.constant<Actor>({ kind: 'facilitator' }) },
    { weight: 1, arbitrary: fc.constant<Actor>({ kind: 'observer' }) },
    { weight: 1, arbitrary: fc.constant<Actor>({ kind: 'system' }) },
  );
}

/** An override of up to four changes, the ladder's or a seat's measure, any of them out of range. */
function overrideArbitrary(scenario: Scenario, seats: readonly string[]): fc.Arbitrary<Command> {
  return fc
    .array(
      fc.oneof(
        fc.integer({ min: -10, max: 10 }).map((delta) => ({ kind: 'ladder' as const, delta })),
        fc
          .record({
            seat: fc.constantFrom(...seats),
            measure: fc.constantFrom(...scenario.measures.map((m) => m.id)),
            delta: fc.integer({ min: -100000, max: 100000 }),
          })
          .map((r) => ({ kind: 'measure' as const, ...r })),
      ),
      { maxLength: 4 },
    )
    .map((changes): Command => ({ type: 'OVERRIDE_ADJUDICATION', changes, reason: 'property test' }));
}

/** The white cell's commands after the override: the clock, injects, rewinds and the end. */
function facilitatorCommands(scenario: Scenario): Weighted<Command>[] {
  return [
    { weight: 1, arbitrary: fc.constant<Command>({ type: 'PAUSE' }) },
    { weight: 1, arbitrary: fc.constant<Command>({ type: 'RESUME' }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 600 }).map((seconds): Command => ({ type: 'EXTEND_TIMER', seconds })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...scenario.injects.map((i) => i.id), 'no-inject').map((inject): Command => ({ type: 'FIRE_INJECT', inject })),
    },
    { weight: 1, arbitrary: fc.constantFrom(...scenario.beats.map((b) => b.id)).map((beat): Command => ({ type: 'REWIND', beat })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...scenario.outcomes.map((o) => o.id)).map((outcome): Command => ({ type: 'END_GAME', outcome, reason: 'enough' })),
    },
  ];
}

/** A message on any channel (blank text filtered out) and a score for any criterion, a missing one included. */
function messageAndScore(scenario: Scenario, seats: readonly string[]): Weighted<Command>[] {
  return [
    {
      weight: 3,
      arbitrary: fc
        .record({ channel: fc.constantFrom(...scenario.channels.map((c) => c.id)), text: fc.string({ minLength: 1, maxLength: 30 }) })
        .filter((r) => r.text.trim().length > 0)
        .map((r): Command => ({ type: 'SEND_MESSAGE', ...r })),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({
          seat: fc.constantFrom(...seats),
          criterion: fc.constantFrom(...(scenario.rubric?.criteria.map((c) => c.id) ?? []), 'no-criterion'),
          score: fc.option(fc.integer({ min: 0, max: 5 })),
        })
        .map((r): Command => ({ type: 'SCORE_TEAM', ...r })),
    },
  ];
}

/**
 * Random sequences of commands, legal and illegal, from every kind of actor,
 * each after a random wait: what the property tests throw at the engine.
 */
export function arbitraries(scenario: Scenario) {
  const seats = scenario.seats.map((s) => s.id);
  const moves = [...new Set(scenario.beats.flatMap((b) => b.actors.flatMap((a) => a.moves.map((m) => m.id)))), 'no-such-move'];
  // The order of the choices is kept as it was, so a seed replays the same sequence.
  const command: fc.Arbitrary<Command> = fc.oneof(
    { weight: 3, arbitrary: fc.constant<Command>({ type: 'START' }) },
    { weight: 8, arbitrary: fc.constant<Command>({ type: 'ADVANCE' }) },
    {
      weight: 12,
      arbitrary: fc
        .record({ move: fc.constantFrom(...moves), rationale: fc.string({ maxLength: 20 }), lock: fc.boolean() })
        .map((r): Command => ({ type: 'SUBMIT_MOVE', ...r })),
    },
    { weight: 6, arbitrary: fc.constant<Command>({ type: 'ACCEPT_ADJUDICATION' }) },
    { weight: 2, arbitrary: overrideArbitrary(scenario, seats) },
    ...facilitatorCommands(scenario),
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 40 }).map((timerVersion): Command => ({ type: 'TIMER_EXPIRED', timerVersion })) },
    ...messageAndScore(scenario, seats),
  );
  const step = fc.record({ actor: actorArbitrary(seats), command, dt: fc.integer({ min: 0, max: 400_000 }) });
  return fc.array(step, { minLength: 1, maxLength: 80 });
}
