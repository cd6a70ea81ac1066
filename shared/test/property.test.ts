import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arbitraries } from './arbitraries.ts';
import { loadScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { checkCommand, replay, seatsInPlay, type GameState } from '../src/game/game.ts';
import { isStale, viewerGameVersion } from '../src/game/viewer-game-version.ts';
import type { Actor, Command } from '../src/game/commands.ts';
import { viewFor } from '../src/game/view.ts';
import type { Viewer } from '../src/game/channel-policy.ts';
import { advance, streamPosition, streamStep, type StreamPosition } from '../src/game/viewer-stream.ts';
import { isMessageSide } from '../src/message-side.ts';
import { Driver, T0 } from './driver.ts';
import { mini } from './fixtures/mini-scenario.ts';
import { scenariosUnderTest } from './scenarios-under-test.ts';

/**
 * Random sequences of commands, legal and illegal, from every kind of actor.
 * The game must never throw, must keep every measure within its bounds, must
 * leave the state untouched on a refusal, and must replay to the same state;
 * and the machine takes exactly the commands their legality function accepts.
 */

type Step = { actor: Actor; command: Command; dt: number };
const pick = fc.record({ seat: fc.nat(), move: fc.nat(), lock: fc.boolean(), dt: fc.integer({ min: 0, max: 60_000 }) });
type MovePick = { seat: number; move: number; lock: boolean; dt: number };

/** A move by a seat acting in the beat under way (a refused one when none is). */
function moveOf(scenario: Scenario, state: GameState, p: MovePick): Step {
  const ctx = state.turn.context;
  const actors = ctx.beat ? (scenario.beats.find((b) => b.id === ctx.beat)?.actors ?? []).filter((a) => ctx.options.seatsInPlay.includes(a.seat)) : [];
  const actor = actors[p.seat % Math.max(actors.length, 1)];
  const move = actor?.moves[p.move % actor.moves.length]?.id ?? 'no-such-move';
  return { actor: { kind: 'seat', seat: actor?.seat ?? 'nobody' }, command: { type: 'SUBMIT_MOVE', move, rationale: `r${p.move % 3}`, lock: p.lock }, dt: p.dt };
}

const cases: [string, Scenario][] = [['mini', loadScenario(mini)], ...scenariosUnderTest.map((s): [string, Scenario] => [s.id, s])];

/** One run of the first property: the random steps are played, checked one by one, and replayed. */
function randomStepsHold(scenario: Scenario, steps: readonly Step[], seed: number): void {
  const d = new Driver(scenario, { seed, optionalSeats: scenario.seats.filter((s) => s.optional).map((s) => s.id).slice(0, 1) });
  let accepted = 0;
  for (const { actor, command, dt } of steps) {
    d.now += dt;
    const before = d.state;
    const frozen = JSON.stringify([before.version, before.turn.value, before.turn.context, before.messages, before.scores]);
    // One legality function per command guards the machine and words the refusal: they must agree.
    const machineTakes =
      command.type === 'SEND_MESSAGE' || command.type === 'HIDE_MESSAGE' || command.type === 'SCORE_TEAM'
        ? null
        : d.game.table.can(before.turn, { ...command, by: actor, seq: before.gameVersion + 1, at: d.now });
    const refusal = checkCommand(d.game, before, actor, command, d.now);
    if (machineTakes !== null) expect(machineTakes).toBe(refusal === null);
    const r = d.send(actor, command);
    expect(r.ok).toBe(refusal === null);
    if (!r.ok) {
      expect(d.state).toBe(before);
      // Nothing reachable from the old state was mutated either.
      expect(JSON.stringify([before.version, before.turn.value, before.turn.context, before.messages, before.scores])).toBe(frozen);
      expect(typeof r.refusal.code).toBe('string');
      continue;
    }
    accepted++;
    const w = d.state.turn.context.world;
    expect(w.ladder).toBeGreaterThanOrEqual(0);
    expect(w.ladder).toBeLessThan(scenario.ladder.rungs.length);
    for (const m of scenario.measures)
      for (const s of scenario.seats) {
        const v = w.measures[s.id]?.[m.id];
        expect(v).toBeGreaterThanOrEqual(m.min);
        expect(v).toBeLessThanOrEqual(m.max);
      }
  }
  expect(d.state.version).toBe(accepted);
  const again = replay(d.game, d.log);
  expect(again.turn.value).toEqual(d.state.turn.value);
  expect(again.turn.context).toEqual(d.state.turn.context);
  expect(again.messages).toEqual(d.state.messages);
  expect(again.scores).toEqual(d.state.scores);
  // Views are total: every viewer can always be shown the state.
  viewFor(d.game, d.state, { kind: 'observer' });
  viewFor(d.game, d.state, { kind: 'facilitator' });
}

/** One run of the stream property: random steps with moves between them; answers how many drafts the run left. */
function viewerStreamsHold(scenario: Scenario, random: readonly Step[], picks: readonly MovePick[], seed: number): number {
  const d = new Driver(scenario, { seed, optionalSeats: scenario.seats.filter((s) => s.optional).map((s) => s.id).slice(0, 1) });
  const opening: Step[] = [
    { actor: { kind: 'facilitator' }, command: { type: 'START' }, dt: 0 },
    { actor: { kind: 'facilitator' }, command: { type: 'ADVANCE' }, dt: 0 },
  ];
  // Moves (drafts, lock-ins, unlocks, saved again) of seats acting in the beat under way, between random steps.
  const steps = (function* (): Generator<Step> {
    yield* opening;
    for (let i = 0; i < Math.max(random.length, picks.length); i++) {
      const p = picks[i];
      if (p) yield moveOf(scenario, d.state, p);
      const r = random[i];
      if (r) yield r;
    }
  })();
  const viewers: Viewer[] = [
    ...seatsInPlay(d.game.scenario, d.game.setup).map((seat): Viewer => ({ kind: 'seat', seat })),
    { kind: 'observer' },
    { kind: 'facilitator' },
  ];
  // What a view shows, without the numbers that say where the viewer's own stream stands.
  const shown = (v: Viewer): string => JSON.stringify({ ...viewFor(d.game, d.state, v, 0), gameVersion: 0 });
  const followed: StreamPosition[] = viewers.map(() => ({ version: 0, messages: 0 }));
  let pictures = viewers.map(shown);
  for (const { actor, command, dt } of steps) {
    d.now += dt;
    const before = d.state;
    if (!d.send(actor, command).ok) continue;
    const entry = d.log.at(-1)!;
    const now = viewers.map(shown);
    viewers.forEach((v, i) => {
      const step = streamStep(d.game, before, d.state, entry, v);
      followed[i] = advance(followed[i]!, step);
      const where = `${entry.seq} ${command.type} ${JSON.stringify(v)}`;
      if (!isMessageSide(command) && v.kind !== 'facilitator') expect(step.kind === 'view', where).toBe(now[i] !== pictures[i]);
      // A move made on the view before this event is stale exactly when this event showed it a game command.
      if (v.kind === 'seat') {
        const moved = !isMessageSide(command) && step.kind === 'view';
        expect(isStale(d.state, { kind: 'seat', seat: v.seat }, viewerGameVersion(before, v)), where).toBe(moved);
      }
    });
    pictures = now;
  }
  viewers.forEach((v, i) => {
    expect(followed[i], JSON.stringify(v)).toEqual(streamPosition(d.game, d.state, v));
    expect(viewFor(d.game, d.state, v).gameVersion).toBe(viewerGameVersion(d.state, v));
  });
  expect(viewerGameVersion(d.state, { kind: 'facilitator' })).toBe(d.state.gameVersion);
  return d.state.drafts.at.length;
}

/** One run of the third property: legal facilitator steps, seat moves by the picks, until an outcome. */
function playsToOutcome(scenario: Scenario, seed: number, picks: readonly number[]): void {
  const d = new Driver(scenario, { seed });
  d.fac({ type: 'START' });
  d.fac({ type: 'ADVANCE' });
  let i = 0;
  while (d.phase !== 'outcome' && i < 100) {
    if (d.phase === 'planning') {
      // Each acting seat picks a move by the random picks, then the beat closes.
      const beat = scenario.beats.find((b) => b.id === d.ctx.beat);
      for (const actor of beat?.actors ?? []) {
        if (!d.ctx.options.seatsInPlay.includes(actor.seat) || d.phase !== 'planning') continue;
        const move = actor.moves[(picks[i++ % Math.max(1, picks.length)] ?? 0) % actor.moves.length];
        if (move) d.seat(actor.seat, { type: 'SUBMIT_MOVE', move: move.id, rationale: '', lock: true });
      }
      if (d.phase === 'planning') d.fac({ type: 'ADVANCE' });
    } else if (d.phase === 'adjudication') d.fac({ type: 'ACCEPT_ADJUDICATION' });
    else d.fac({ type: 'ADVANCE' });
    i++;
  }
  expect(d.phase).toBe('outcome');
  expect(scenario.outcomes.map((o) => o.id)).toContain(d.ctx.outcome?.outcome);
}

describe.each(cases)('properties of %s', (_name, scenario) => {
  it('random command sequences never throw, stay in bounds, refuse without change and replay exactly', () => {
    fc.assert(
      fc.property(arbitraries(scenario), fc.integer(), (steps, seed) => {
        randomStepsHold(scenario, steps, seed);
      }),
      { numRuns: 150, seed: 20240413 },
    );
    // 150 seeded runs on April 2024 took 32.7 s in a CI run on a loaded machine: the default 30 s is too tight.
  }, 120_000);

  it('every viewer is shown exactly the game commands that change its view, counts them alone, and is staled by them alone', () => {
    let drafts = 0;
    fc.assert(
      fc.property(arbitraries(scenario), fc.array(pick, { minLength: 5, maxLength: 40 }), fc.integer(), (random, picks, seed) => {
        drafts += viewerStreamsHold(scenario, random, picks, seed);
      }),
      { numRuns: 40, seed: 20261205 },
    );
    // The runs did save moves over moves, which only their seat may see: the check above can fail.
    expect(drafts).toBeGreaterThan(20);
  }, 120_000);

  it('a game driven only by legal facilitator steps always reaches an outcome', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.nat(), { maxLength: 40 }), (seed, picks) => {
        playsToOutcome(scenario, seed, picks);
      }),
      { numRuns: 100, seed: 41 },
    );
  });
});

describe('time enters only through events', () => {
  it('the same log at different wall-clock moments gives the same state', () => {
    const a = new Driver(mini, { seed: 5 });
    a.fac({ type: 'START' });
    a.fac({ type: 'ADVANCE' });
    const first = a.state.turn.context.timer;
    const b = replay(a.game, a.log);
    expect(b.turn.context.timer).toEqual(first);
    expect(first?.deadline).toBe(T0 + 60_000);
  });
});
