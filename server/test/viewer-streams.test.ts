/**
 * ViewerStreams remembers each viewer's position per state, in arrays
 * numbered by the viewers of one game. A position must come out as
 * streamPosition computes it from scratch, whichever order viewers are met
 * in and even for a state met with two games that number viewers apart.
 */
import { describe, expect, it, vi } from 'vitest';
import { applyEntry, createGame, initialState, seatsInPlay, streamPosition, type Game, type GameState, type LogEntry, type Viewer } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { viewersOf } from '../src/session/rooms.ts';
import { ViewerStreams } from '../src/session/viewer-streams.ts';

const scenario = shippedScenario('april-2024');

function gameWith(seed: string): Game {
  return createGame(scenario, { scenarioId: scenario.id, seed, optionalSeats: ['hezbollah', 'jordan', 'eu'] });
}

/** A state where seats' streams stand apart: a private message between two seats, then a public one. */
function talkedState(game: Game): GameState {
  let state = initialState(game);
  const privateChannel = scenario.channels.find((c) => c.kind !== 'public' && c.members.length >= 2);
  const publicChannel = scenario.channels.find((c) => c.kind === 'public');
  if (!privateChannel || !publicChannel) throw new Error('the scenario has no private or no public channel');
  const sends: [string, string][] = [
    [privateChannel.members[0] ?? '', privateChannel.id],
    [privateChannel.members[0] ?? '', publicChannel.id],
  ];
  for (const [i, [seat, channel]] of sends.entries()) {
    const entry: LogEntry = { seq: state.version + 1, at: 1_712_000_000_000 + i, by: { kind: 'seat', seat }, commandId: `c-${i}`, command: { type: 'SEND_MESSAGE', channel, text: `t${i}` } };
    const r = applyEntry(game, state, entry);
    if (!r.ok) throw new Error(r.refusal.message);
    state = r.state;
  }
  return state;
}

describe('ViewerStreams', () => {
  positionCases();
  reuseCases();
  sameListCases();
});

/** The positions it gives: as streamPosition computes them, in any order, along a chain of events and for states it forgot. */
function positionCases(): void {
  it('gives every viewer the position streamPosition computes, in any order of asking, with a state met by two games', () => {
    const a = gameWith('streams-a');
    const b = gameWith('streams-b');
    const state = talkedState(a);
    const viewers: Viewer[] = viewersOf(seatsInPlay(scenario, a.setup));
    const expected = viewers.map((v) => streamPosition(a, state, v));
    // Not every viewer reads alike, or the test could not tell one viewer's slot from another's.
    expect(new Set(expected.map((p) => `${p.version}/${p.messages}`)).size).toBeGreaterThan(1);
    const streams = new ViewerStreams();
    // Game a numbers the viewers in order, game b in reverse: the same state's slots mean other viewers in each.
    viewers.forEach((v, i) => expect(streams.position(a, state, v)).toEqual(expected[i]));
    [...viewers].reverse().forEach((v) => expect(streams.position(b, state, v)).toEqual(streamPosition(b, state, v)));
    viewers.forEach((v, i) => expect(streams.position(a, state, v)).toEqual(expected[i]));
  });

  it('follows a chain of events and answers for states it no longer remembers as streamPosition does', () => {
    const game = gameWith('streams-chain');
    const privateChannel = scenario.channels.find((c) => c.kind !== 'public' && c.members.length >= 2);
    const publicChannel = scenario.channels.find((c) => c.kind === 'public');
    if (!privateChannel || !publicChannel) throw new Error('the scenario has no private or no public channel');
    const viewers: Viewer[] = viewersOf(seatsInPlay(scenario, game.setup));
    const rooms = viewers.map((viewer) => ({ viewer }));
    const streams = new ViewerStreams();
    const states = [initialState(game)];
    // Public and private talk in turn, a minute apart (the statement cap), so that viewers' streams move apart;
    // many more events than a game remembers.
    for (let i = 0; i < 12; i++) {
      const before = states[states.length - 1] as GameState;
      const channel = i % 3 === 1 ? privateChannel.id : publicChannel.id;
      const entry: LogEntry = { seq: before.version + 1, at: 1_712_000_000_000 + 61_000 * i, by: { kind: 'seat', seat: privateChannel.members[0] ?? '' }, commandId: `c-${i}`, command: { type: 'SEND_MESSAGE', channel, text: `t${i}` } };
      const r = applyEntry(game, before, entry);
      if (!r.ok) throw new Error(r.refusal.message);
      streams.followEach(game, before, r.state, entry, rooms, ({ viewer }, _step, version, messages) => {
        expect({ version, messages }).toEqual(streamPosition(game, r.state, viewer));
      });
      states.push(r.state);
    }
    // Oldest first, then newest first: states long forgotten, and the ones just remembered, each for every viewer.
    for (const state of [...states, ...[...states].reverse()]) for (const v of viewers) expect(streams.position(game, state, v)).toEqual(streamPosition(game, state, v));
  });
}

/** The records it reuses: a newer state counted afresh, two lists of viewers followed in turn. */
function reuseCases(): void {
  it('counts a newer state afresh in the record it reuses, never with the positions of the state that record held', () => {
    const game = gameWith('streams-reuse');
    const publicChannel = scenario.channels.find((c) => c.kind === 'public');
    if (!publicChannel) throw new Error('the scenario has no public channel');
    const viewers: Viewer[] = viewersOf(seatsInPlay(scenario, game.setup));
    const rooms = viewers.map((viewer) => ({ viewer }));
    const streams = new ViewerStreams();
    let state = initialState(game);
    const next = (i: number): { entry: LogEntry; after: GameState } => {
      const entry: LogEntry = { seq: state.version + 1, at: 1_712_000_000_000 + 61_000 * i, by: { kind: 'seat', seat: publicChannel.members[0] ?? '' }, commandId: `c-${i}`, command: { type: 'SEND_MESSAGE', channel: publicChannel.id, text: `t${i}` } };
      const r = applyEntry(game, state, entry);
      if (!r.ok) throw new Error(r.refusal.message);
      return { entry, after: r.state };
    };
    // Followed: every record of the ring holds a state, each viewer's slots filled.
    for (let i = 0; i < 6; i++) {
      const { entry, after } = next(i);
      streams.followEach(game, state, after, entry, rooms, () => {});
      state = after;
    }
    // Newer states asked for before the log follower met them (an acknowledgement can come first): each takes the
    // record of the oldest remembered state, whose slots say where every viewer stood a few public messages before.
    for (let i = 6; i < 10; i++) {
      state = next(i).after;
      for (const v of viewers) expect(streams.position(game, state, v)).toEqual(streamPosition(game, state, v));
    }
  });

  it('follows two lists of viewers in turn (other orders, one a part of the other) each with its own viewers', () => {
    const game = gameWith('streams-lists');
    const privateChannel = scenario.channels.find((c) => c.kind !== 'public' && c.members.length >= 2);
    const publicChannel = scenario.channels.find((c) => c.kind === 'public');
    if (!privateChannel || !publicChannel) throw new Error('the scenario has no private or no public channel');
    const viewers: Viewer[] = viewersOf(seatsInPlay(scenario, game.setup));
    const lists = [viewers.map((viewer) => ({ viewer })), [...viewers].reverse().slice(1).map((viewer) => ({ viewer }))];
    const streams = new ViewerStreams();
    let state = initialState(game);
    for (let i = 0; i < 8; i++) {
      const channel = i % 3 === 1 ? privateChannel.id : publicChannel.id;
      const entry: LogEntry = { seq: state.version + 1, at: 1_712_000_000_000 + 61_000 * i, by: { kind: 'seat', seat: privateChannel.members[0] ?? '' }, commandId: `c-${i}`, command: { type: 'SEND_MESSAGE', channel, text: `t${i}` } };
      const r = applyEntry(game, state, entry);
      if (!r.ok) throw new Error(r.refusal.message);
      const list = lists[i % 2] ?? [];
      const seen: Viewer[] = [];
      streams.followEach(game, state, r.state, entry, list, ({ viewer }, _step, version, messages) => {
        seen.push(viewer);
        expect({ version, messages }).toEqual(streamPosition(game, r.state, viewer));
      });
      expect(seen).toEqual(list.map((v) => v.viewer));
      state = r.state;
    }
  });
}

/** The same list of viewers followed again costs no look-ups. */
function sameListCases(): void {
  it("looks no viewer's key up again when it follows the same list of viewers (a session's rooms) again", () => {
    const game = gameWith('streams-keys');
    const publicChannel = scenario.channels.find((c) => c.kind === 'public');
    if (!publicChannel) throw new Error('the scenario has no public channel');
    const viewers: Viewer[] = viewersOf(seatsInPlay(scenario, game.setup));
    const rooms = viewers.map((viewer) => ({ viewer }));
    const keys = new Set<unknown>(viewers.map((v) => (v.kind === 'seat' ? v.seat : `\u0000${v.kind}`)));
    const streams = new ViewerStreams();
    let state = initialState(game);
    const lookups: number[] = [];
    for (let i = 0; i < 3; i++) {
      const entry: LogEntry = { seq: state.version + 1, at: 1_712_000_000_000 + 61_000 * i, by: { kind: 'seat', seat: publicChannel.members[0] ?? '' }, commandId: `c-${i}`, command: { type: 'SEND_MESSAGE', channel: publicChannel.id, text: `t${i}` } };
      const r = applyEntry(game, state, entry);
      if (!r.ok) throw new Error(r.refusal.message);
      const get = vi.spyOn(Map.prototype, 'get');
      try {
        streams.followEach(game, state, r.state, entry, rooms, () => {});
        lookups.push(get.mock.calls.filter(([key]) => keys.has(key)).length);
      } finally {
        get.mockRestore();
      }
      state = r.state;
    }
    // The first event numbers every viewer; the next ones use the indices kept for the list.
    expect(lookups).toEqual([viewers.length, 0, 0]);
  });
}
