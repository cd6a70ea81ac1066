import { describe, expect, it } from 'vitest';
import { applyEntry, createGame, initialState, type Game, type GameState } from '../src/game/game.ts';
import { messageAudience, type Message } from '../src/game/channel-policy.ts';
import type { Actor, SendMessage } from '../src/game/commands.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { mini } from './fixtures/mini-scenario.ts';
import { T0 } from './driver.ts';

// One loaded scenario for every session here: its channels are then the same objects in each, as on a server.
const scenario = loadScenario(mini);

/** A session of `scenario` with these optional seats, and a way to send its messages. */
function session(optionalSeats: string[]) {
  const game: Game = createGame(scenario, { scenarioId: scenario.id, seed: 'audience', optionalSeats });
  let state: GameState = initialState(game);
  return {
    game,
    get state() {
      return state;
    },
    send(by: Actor, command: SendMessage): Message {
      const r = applyEntry(game, state, { seq: state.version + 1, at: T0 + state.version, by, commandId: `c${state.version + 1}`, command });
      if (!r.ok || !r.message) throw new Error(r.ok ? 'no message' : r.refusal.message);
      state = r.state;
      return r.message;
    },
  };
}

const red: Actor = { kind: 'seat', seat: 'red' };
const grey: Actor = { kind: 'seat', seat: 'grey' };
const publicly = (text: string): SendMessage => ({ type: 'SEND_MESSAGE', channel: 'public', text });

describe("a message's audience, its channel's members in play", () => {
  it("follows each session's seats in play, whichever session sent in the channel first", () => {
    const without = session([]);
    const withGreen = session(['green']);
    expect(without.send(red, publicly('a')).audience).toEqual(['red', 'blue', 'grey']);
    expect(withGreen.send(red, publicly('b')).audience).toEqual(['red', 'blue', 'grey', 'green']);
    expect(without.send(red, publicly('c')).audience).toEqual(['red', 'blue', 'grey']);
    // The white cell writes to a mediated channel's members in play; only those in play may be addressed.
    expect(withGreen.send({ kind: 'facilitator' }, { type: 'SEND_MESSAGE', channel: 'via-grey', text: 'd' }).audience).toEqual(['red', 'blue', 'grey']);
    expect(without.send(grey, { type: 'SEND_MESSAGE', channel: 'via-grey', text: 'e', to: 'blue' }).audience).toEqual(['grey', 'blue']);
  });

  it('is decided from the seats in play of the world it is given, not those it was first asked with', () => {
    const { state } = session(['green']);
    const world = state.turn.context.world;
    const decide = (seatsInPlay: string[]) => {
      const r = messageAudience(scenario, { ...world, seatsInPlay }, red, publicly('x'), state.messages);
      if ('code' in r) throw new Error(r.message);
      return r.audience;
    };
    expect(decide(['red', 'blue', 'grey', 'green'])).toEqual(['red', 'blue', 'grey', 'green']);
    expect(decide(['red', 'green'])).toEqual(['red', 'green']);
    expect(decide(['red', 'blue', 'grey', 'green'])).toEqual(['red', 'blue', 'grey', 'green']);
    const addressed = messageAudience(scenario, { ...world, seatsInPlay: ['red', 'grey'] }, grey, { type: 'SEND_MESSAGE', channel: 'via-grey', text: 'y', to: 'blue' }, state.messages);
    expect(addressed).toMatchObject({ code: 'invalid' });
  });

  it('is an array of its own in every message, so no message can change another’s', () => {
    const s = session([]);
    const first = s.send(red, publicly('a'));
    const second = s.send(red, publicly('b'));
    expect(second.audience).not.toBe(first.audience);
    first.audience.push('green');
    expect(s.send(red, publicly('c')).audience).toEqual(['red', 'blue', 'grey']);
    expect(second.audience).toEqual(['red', 'blue', 'grey']);
  });

  it('refuses a channel the scenario does not have, and a seat that is not a member, as before', () => {
    const { state } = session([]);
    const world = state.turn.context.world;
    expect(messageAudience(scenario, world, red, { type: 'SEND_MESSAGE', channel: 'nowhere', text: 'x' }, state.messages)).toMatchObject({ code: 'unknown_channel' });
    expect(messageAudience(scenario, world, { kind: 'seat', seat: 'grey' }, { type: 'SEND_MESSAGE', channel: 'red-blue', text: 'x' }, state.messages)).toMatchObject({ code: 'not_member' });
  });
});
