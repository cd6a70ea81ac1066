/**
 * What ViewerStreams keeps alive: the states following the log and an
 * acknowledgement need (the one before the latest event and the latest), no
 * older one. Each state it remembers outlives its session's next message, and
 * one remembered for three messages lived past a scavenge or two at the
 * fan-out bench's rate, which promoted it (docs/performance/fan-out-log.md,
 * "What a public message keeps alive", 5 December).
 */
import { describe, expect, it } from 'vitest';
import { applyEntry, createGame, initialState, seatsInPlay, type GameState, type LogEntry } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { viewersOf } from '../src/session/rooms.ts';
import { ViewerStreams } from '../src/session/viewer-streams.ts';
import { collected } from './collected.ts';

const scenario = shippedScenario('april-2024');

describe('ViewerStreams\' hold on states', () => {
  it('keeps only the state before the latest event and the latest, once the log is followed and acknowledged', async () => {
    const game = createGame(scenario, { scenarioId: scenario.id, seed: 'retention', optionalSeats: [] });
    const publicChannel = scenario.channels.find((c) => c.kind === 'public');
    if (!publicChannel) throw new Error('the scenario has no public channel');
    const viewers = viewersOf(seatsInPlay(scenario, game.setup));
    const rooms = viewers.map((viewer) => ({ viewer }));
    const streams = new ViewerStreams();
    const refs: WeakRef<GameState>[] = [];
    // In a function of its own, so that nothing on this test's stack holds a state but the streams.
    const follow = (count: number): GameState => {
      let state = initialState(game);
      for (let i = 0; i < count; i++) {
        const entry: LogEntry = { seq: state.version + 1, at: 1_712_000_000_000 + 61_000 * i, by: { kind: 'seat', seat: publicChannel.members[0] ?? '' }, commandId: `c-${i}`, command: { type: 'SEND_MESSAGE', channel: publicChannel.id, text: `t${i}` } };
        const r = applyEntry(game, state, entry);
        if (!r.ok) throw new Error(r.refusal.message);
        streams.followEach(game, state, r.state, entry, rooms, () => {});
        // The sender's acknowledgement asks for the state after its command.
        streams.position(game, r.state, viewers[1] ?? { kind: 'observer' });
        refs.push(new WeakRef(r.state));
        state = r.state;
      }
      return state;
    };
    const latest = follow(8);
    await collected();
    const alive = refs.map((r) => r.deref() !== undefined);
    expect(alive).toEqual([false, false, false, false, false, false, true, true]);
    expect(refs[7]?.deref()).toBe(latest);
  });
});
