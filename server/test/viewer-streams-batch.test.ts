/**
 * With Redis, a batch of commands is applied together and then each is
 * acknowledged at the state after it, in its sender's own stream. Those
 * answers must come from the positions ViewerStreams remembers, not from
 * streamPosition's count over every message of the session (O(messages) per
 * acknowledgement, and before this the count also pushed out the states that
 * following the next event needs, so every viewer was counted again).
 */
import { describe, expect, it, vi } from 'vitest';
import * as shared from '@rubicon/shared';
import type * as SharedModule from '@rubicon/shared';
import { applyEntry, createGame, initialState, seatsInPlay, type GameState, type LogEntry, type Viewer } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { viewersOf } from '../src/session/rooms.ts';
import { ViewerStreams } from '../src/session/viewer-streams.ts';

const counted = vi.hoisted(() => ({ calls: 0 }));
vi.mock('@rubicon/shared', async (importOriginal) => {
  const actual = await importOriginal<typeof SharedModule>();
  return {
    ...actual,
    streamPosition: (...args: Parameters<typeof actual.streamPosition>) => {
      counted.calls++;
      return actual.streamPosition(...args);
    },
  };
});

const scenario = shippedScenario('april-2024');

describe('ViewerStreams with batches', () => {
  it('answers every acknowledgement of a batch of 12 from memory once it has met a batch that long', () => {
    const game = createGame(scenario, { scenarioId: scenario.id, seed: 'streams-batch', optionalSeats: ['hezbollah', 'jordan', 'eu'] });
    const privateChannel = scenario.channels.find((c) => c.kind !== 'public' && c.members.length >= 2);
    const publicChannel = scenario.channels.find((c) => c.kind === 'public');
    if (!privateChannel || !publicChannel) throw new Error('the scenario has no private or no public channel');
    const sender = privateChannel.members[0] ?? '';
    const senderViewer: Viewer = { kind: 'seat', seat: sender };
    const rooms = viewersOf(seatsInPlay(scenario, game.setup)).map((viewer) => ({ viewer }));
    const streams = new ViewerStreams();
    let state: GameState = initialState(game);
    let seq = 0;
    // One batch: 12 entries applied and followed, then each acknowledged at its own state. Returns the counts
    // from scratch that ViewerStreams made for it (the expectations' own counts are not among them).
    const batch = (): number => {
      let calls = 0;
      const tally = <T>(f: () => T): T => {
        const before = counted.calls;
        const result = f();
        calls += counted.calls - before;
        return result;
      };
      const after: GameState[] = [];
      for (let i = 0; i < 12; i++, seq++) {
        const channel = seq % 3 === 1 ? privateChannel.id : publicChannel.id;
        const entry: LogEntry = { seq: state.version + 1, at: 1_712_000_000_000 + 61_000 * seq, by: { kind: 'seat', seat: sender }, commandId: `c-${seq}`, command: { type: 'SEND_MESSAGE', channel, text: `t${seq}` } };
        const r = applyEntry(game, state, entry);
        if (!r.ok) throw new Error(r.refusal.message);
        const from = state;
        tally(() => streams.followEach(game, from, r.state, entry, rooms, () => undefined));
        state = r.state;
        after.push(r.state);
      }
      for (const s of after) {
        const position = tally(() => streams.position(game, s, senderViewer));
        expect(position).toEqual(shared.streamPosition(game, s, senderViewer));
      }
      return calls;
    };
    // The first batch counts the initial state's viewers from scratch, and its early acknowledgements (the ring
    // grows then); later batches as long count nothing from scratch.
    expect(batch()).toBeGreaterThan(0);
    for (let round = 0; round < 3; round++) expect(batch()).toBe(0);
  });
});
