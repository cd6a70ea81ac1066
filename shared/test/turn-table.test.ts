import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { loadScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import type { Actor, Command, LogEntry } from '../src/game/commands.ts';
import { createGame, initialState, seatsInPlay, type Game, type GameState } from '../src/game/game.ts';
import type { TurnEvent, TurnMachine } from '../src/game/machine.ts';
import { seedFrom } from '../src/prng.ts';
import { randomChooser, runHeadless } from '../src/analysis/runner.ts';
import { defaultPersona } from '../src/bots/catalog.ts';
import { arbitraries } from './arbitraries.ts';
import { Driver } from './driver.ts';
import { mini } from './fixtures/mini-scenario.ts';
import { scenariosUnderTest } from './scenarios-under-test.ts';

/**
 * The turn table (turn-table.ts) applies events without XState's
 * interpreter. Here XState's own pure `transition` runs beside it on the same
 * events, legal and illegal, and after every event the two must agree on the
 * state, the context, the status, the phase and on which events could be taken.
 */

type Snapshot = SnapshotFrom<TurnMachine>;

function reference(game: Game): Snapshot {
  const options = { timerScale: game.setup.timerScale, timerSeconds: game.setup.timerSeconds, review: game.setup.review, seatsInPlay: seatsInPlay(game.scenario, game.setup) };
  return initialTransition(game.machine, { scenario: game.scenario, seed: seedFrom(game.setup.seed), options })[0];
}

function expectSame(game: Game, state: GameState, ref: Snapshot, where: string): void {
  expect(state.turn.value, where).toEqual(ref.value);
  expect(state.turn.context, where).toEqual(ref.context);
  expect(state.turn.status, where).toBe(ref.status);
  expect(ref.hasTag(state.turn.phase), where).toBe(true);
  // A restored state is the same state, and XState resolves the same value.
  expect(game.table.restore(ref.value, ref.context)).toEqual(state.turn);
}

const FACILITATOR: Actor = { kind: 'facilitator' };
/** Commands asked about after every step, so `can` is compared in every state reached. */
const PROBES: Command[] = [
  { type: 'START' },
  { type: 'ADVANCE' },
  { type: 'ACCEPT_ADJUDICATION' },
  { type: 'PAUSE' },
  { type: 'RESUME' },
  { type: 'EXTEND_TIMER', seconds: 30 },
];

/** Replays a log through the game and through XState side by side, comparing after every entry. */
function compareLog(game: Game, log: readonly LogEntry[]): number {
  let state = initialState(game);
  let ref = reference(game);
  expectSame(game, state, ref, 'initial');
  let compared = 0;
  for (const entry of log) {
    const c = entry.command;
    const next = game.table.transition(state.turn, { ...c, by: entry.by, seq: state.gameVersion + 1, at: entry.at } as TurnEvent);
    if (c.type !== 'SEND_MESSAGE' && c.type !== 'HIDE_MESSAGE' && c.type !== 'SCORE_TEAM') {
      const event = { ...c, by: entry.by, seq: state.gameVersion + 1, at: entry.at } as TurnEvent;
      ref = transition(game.machine, ref, event)[0];
      state = { ...state, version: entry.seq, gameVersion: state.gameVersion + 1, turn: next };
      expectSame(game, state, ref, `entry ${entry.seq} (${c.type})`);
      compared++;
    } else state = { ...state, version: entry.seq };
  }
  return compared;
}

const cases: [string, Scenario][] = [['mini', loadScenario(mini)], ...scenariosUnderTest.map((s): [string, Scenario] => [s.id, s])];

describe.each(cases)('the turn table of %s agrees with XState', (_name, scenario) => {
  it('on random command sequences, legal and illegal, event by event', () => {
    fc.assert(
      fc.property(arbitraries(scenario), fc.integer(), fc.boolean(), (steps, seed, review) => {
        const d = new Driver(scenario, { seed, review, optionalSeats: scenario.seats.filter((s) => s.optional).map((s) => s.id).slice(0, 1) });
        let ref = reference(d.game);
        for (const { actor, command, dt } of steps) {
          d.now += dt;
          if (command.type !== 'SEND_MESSAGE' && command.type !== 'HIDE_MESSAGE' && command.type !== 'SCORE_TEAM') {
            const event: TurnEvent = { ...command, by: actor, seq: d.state.gameVersion + 1, at: d.now };
            // Whatever legality says, both take the same transition or none.
            expect(d.game.table.can(d.state.turn, event)).toBe(ref.can(event));
            const mine = d.game.table.transition(d.state.turn, event);
            const theirs = transition(d.game.machine, ref, event)[0];
            expect(mine.value).toEqual(theirs.value);
            expect(mine.context).toEqual(theirs.context);
            if (d.send(actor, command).ok) ref = theirs;
          } else d.send(actor, command);
          expectSame(d.game, d.state, ref, `after ${command.type}`);
          for (const probe of PROBES) {
            const event = { ...probe, by: FACILITATOR, seq: d.state.gameVersion + 1, at: d.now } as TurnEvent;
            expect(d.game.table.can(d.state.turn, event), probe.type).toBe(ref.can(event));
          }
        }
      }),
      { numRuns: 60, seed: 20260412 },
    );
  });

  it('on whole games with injects, review on and off, to the outcome and the debrief', () => {
    let compared = 0;
    for (let i = 0; i < 12; i++) {
      const game = createGame(scenario, {
        scenarioId: scenario.id,
        seed: `table-${i}`,
        review: i % 2 === 0,
        optionalSeats: scenario.seats.filter((s) => s.optional).map((s) => s.id).slice(0, i % 3),
      });
      const injects = scenario.injects.map((x) => x.id);
      const r = runHeadless(game, { choose: randomChooser, injects: (beat) => (injects.length > 0 && beat.length % 3 === i % 3 ? [injects[i % injects.length]!] : []) });
      const end = { seq: r.log.length + 1, at: (r.log.at(-1)?.at ?? 0) + 1000, by: { kind: 'facilitator' }, commandId: 'debrief', command: { type: 'ADVANCE' } } as const;
      compared += compareLog(game, [...r.log, end]);
    }
    expect(compared).toBeGreaterThan(12 * 5);
  });

  it('through rewinds, pauses, extensions, timer expiries and overrides', () => {
    const d = new Driver(scenario, { seed: 'table-rewinds' });
    d.fac({ type: 'START' });
    d.fac({ type: 'ADVANCE' });
    d.fac({ type: 'PAUSE' });
    d.fac({ type: 'EXTEND_TIMER', seconds: 60 });
    d.fac({ type: 'RESUME' });
    const timer = d.ctx.timer;
    d.now = (timer?.deadline ?? d.now) + 1;
    d.must({ kind: 'system' }, { type: 'TIMER_EXPIRED', timerVersion: timer?.setAtVersion ?? 0 });
    if (d.phase === 'adjudication') d.fac({ type: 'OVERRIDE_ADJUDICATION', changes: [{ kind: 'ladder', delta: 1 }], reason: 'test' });
    d.fac({ type: 'ADVANCE' });
    if (d.phase === 'planning') d.fac({ type: 'ADVANCE' });
    if (d.phase === 'adjudication') d.fac({ type: 'ACCEPT_ADJUDICATION' });
    d.fac({ type: 'REWIND', beat: scenario.startBeat });
    d.fac({ type: 'SET_SEAT_BOT', seat: d.ctx.options.seatsInPlay[0]!, bot: defaultPersona(scenario, d.ctx.options.seatsInPlay[0]!).id });
    d.fac({ type: 'END_GAME', outcome: scenario.outcomes[0]!.id, reason: 'test' });
    d.fac({ type: 'REWIND', beat: scenario.startBeat });
    d.fac({ type: 'END_GAME', outcome: scenario.outcomes[0]!.id, reason: 'test' });
    d.fac({ type: 'ADVANCE' });
    expect(d.state.turn.status).toBe('done');
    expect(compareLog(d.game, d.log)).toBe(d.log.length);
  });
});
