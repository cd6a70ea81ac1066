import { describe, expect, it } from 'vitest';
import { randomChooser, runHeadless, type Chooser } from '../src/analysis/runner.ts';
import { historicalChooser } from '../src/analysis/historical.ts';
import { createGame, replay } from '../src/game/game.ts';
import { shippedScenario } from '../node/scenario-files.ts';
import { loadScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { mini } from './fixtures/mini-scenario.ts';

const april = shippedScenario('april-2024');
const miniScenario = loadScenario(mini);

const historical = (s: Scenario): Chooser => historicalChooser(s, 'as in 2024');

describe('runHeadless', () => {
  pathAndSeedCases();
  choosersCases();
});

/** The historical path, play without review, and seeds. */
function pathAndSeedCases(): void {
  it('plays the historical path to the historical outcome through the real engine', () => {
    const game = createGame(april, { scenarioId: april.id, seed: 7 });
    const r = runHeadless(game, { choose: historical(april) });
    expect(r.outcome).toBe(april.historicalOutcome);
    expect(r.path).toEqual([...new Set(april.historicalPath.map((h) => h.beat))]);
    expect(r.refused).toEqual([]);
    // Every historical move of the seats in play (the optional ones are not, by default): main and also.
    const inPlay = game.setup.optionalSeats;
    const chosen = r.choices.filter((c) => !c.defaulted).map((c) => `${c.beat}/${c.seat}/${[c.move, ...(c.also ?? [])].join('+')}`);
    expect(chosen).toEqual(
      april.historicalPath
        .filter((h) => !april.seats.find((x) => x.id === h.seat)?.optional || inPlay.includes(h.seat))
        .map((h) => `${h.beat}/${h.seat}/${[h.move, ...h.also].join('+')}`),
    );
    expect(chosen.some((c) => c.includes('+'))).toBe(true);
    expect(r.peakRung).toBeGreaterThanOrEqual(r.state.turn.context.world.ladder);
    // History's traffic too: every relay the path records was written, passed on and counted.
    expect(r.state.turn.context.world.relays.map((x) => `${x.beat}/${x.from}>${x.to.join()}`)).toEqual(
      april.historicalPath.flatMap((h) => h.relays.map((x) => `${h.beat}/${x.from}>${x.to}`)),
    );
    // The log is a real session log: replaying it rebuilds the same state.
    expect(replay(game, r.log).turn.context).toEqual(r.state.turn.context);
  });

  it('works without facilitator review (the proposal is accepted by the machine)', () => {
    const game = createGame(april, { scenarioId: april.id, seed: 7, review: false });
    expect(runHeadless(game, { choose: historical(april) }).outcome).toBe(april.historicalOutcome);
  });

  it('is a pure function of the game seed and the chooser seed', () => {
    const play = (seed: number, chooserSeed: number) => {
      const game = createGame(april, { scenarioId: april.id, seed, optionalSeats: ['hezbollah', 'jordan', 'eu'] });
      const r = runHeadless(game, { choose: randomChooser, chooserSeed });
      return { outcome: r.outcome, path: r.path, choices: r.choices.map((c) => c.move), peak: r.peakRung };
    };
    expect(play(1, 2)).toEqual(play(1, 2));
    const outcomes = new Set(Array.from({ length: 60 }, (_, i) => play(i, i).outcome));
    expect(outcomes.size).toBeGreaterThanOrEqual(3);
  });
}

/** What a chooser decides, sends and sees; injects; going on from a state. */
function choosersCases(): void {
  it('leaves a seat that decides nothing to its default, and records refused moves', () => {
    const game = createGame(miniScenario, { scenarioId: 'mini', seed: 1 });
    const r = runHeadless(game, {
      choose: (ctx) => (ctx.seat === 'red' ? { move: 'no-such-move' } : { move: null }),
    });
    expect(r.refused.map((x) => [x.command.type, x.refusal.code])).toEqual([['SUBMIT_MOVE', 'unknown_move']]);
    expect(r.choices.map((c) => [c.seat, c.move, c.defaulted])).toEqual([
      ['red', 'wait', true],
      ['blue', 'brace', true],
    ]);
    expect(r.outcome).toBe('calm');
  });

  it('sends the messages a chooser returns, before its move, and gives each seat its own lazy view', () => {
    const game = createGame(miniScenario, { scenarioId: 'mini', seed: 1 });
    const seen: string[][] = [];
    const r = runHeadless(game, {
      choose: (ctx) => {
        const view = ctx.view();
        expect(ctx.view()).toBe(view);
        expect(view.viewer).toEqual({ kind: 'seat', seat: ctx.seat });
        seen.push(ctx.messages().map((m) => m.text));
        if (ctx.seat === 'red' && ctx.beat === 'first')
          return {
            move: 'strike',
            messages: [
              { channel: 'via-grey', text: 'tell Blue it is limited' },
              { channel: 'team-red', text: '' },
            ],
          };
        return { move: null };
      },
    });
    expect(r.state.messages.map((m) => [m.from, m.channel, m.text])).toEqual([['red', 'via-grey', 'tell Blue it is limited']]);
    expect(r.refused.map((x) => x.refusal.code)).toEqual(['invalid']);
    // Blue chose after Red, and a principal's note in a mediated channel reaches only the relay.
    expect(seen[1]).toEqual([]);
    expect(r.path).toEqual(['first', 'second']);
  });

  it('fires the injects asked for when a beat opens', () => {
    const game = createGame(miniScenario, { scenarioId: 'mini', seed: 1 });
    const r = runHeadless(game, { choose: () => ({ move: null }), injects: (beat) => (beat === 'first' ? ['storm'] : []) });
    expect(r.state.turn.context.injects.map((i) => i.inject)).toEqual(['storm']);
  });

  it('goes on from a given state, and stops where onResolution says', () => {
    const game = createGame(april, { scenarioId: april.id, seed: 3 });
    const first = runHeadless(game, { choose: historical(april), onResolution: (_state, beat) => (beat === 'iran-decision' ? 'stop' : undefined) });
    expect(first.outcome).toBeNull();
    expect(first.path).toEqual(['consulate-strike', 'iran-decision']);
    const rest = runHeadless(game, { choose: historical(april), from: first.state });
    expect(rest.outcome).toBe(april.historicalOutcome);
    expect(rest.log[0]?.seq).toBe(first.state.version + 1);
    const whole = runHeadless(game, { choose: historical(april) });
    expect(rest.state.turn.context.world).toEqual(whole.state.turn.context.world);
  });
}
