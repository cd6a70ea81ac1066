import { describe, expect, it } from 'vitest';
import { shippedScenarios } from '../node/scenario-files.ts';
import { entryOrder } from '../src/game/entry-order.ts';
import { applyEntry, initialState, type GameState } from '../src/game/game.ts';
import type { Command, LogEntry } from '../src/game/commands.ts';
import { playedGame } from './played-game.ts';

const scenario = () => {
  const s = shippedScenarios().get('april-2024');
  if (!s) throw new Error('april-2024 scenario missing');
  return s;
};

/**
 * Messages other seats could send at any moment of the game, of which those entryOrder calls free are
 * the ones a free or moving entry may be placed after: so a public statement (its cap reads the seat's
 * earlier ones) made free by mistake would be among them, and would refuse the played game's statements.
 */
const chatter: { seat: string; command: Command }[] = [
  { seat: 'iran', command: { type: 'SEND_MESSAGE', channel: 'team-iran', text: 'overtaking note' } },
  { seat: 'israel', command: { type: 'SEND_MESSAGE', channel: 'israel-us', text: 'overtaking line' } },
  { seat: 'us', command: { type: 'SEND_MESSAGE', channel: 'team-us', text: 'overtaking', toWhiteCell: true } },
  ...Array.from({ length: 8 }, () => ({ seat: 'us', command: { type: 'SEND_MESSAGE', channel: 'public', text: 'overtaking statement' } as const })),
];

describe('entryOrder', () => {
  it('makes plain messages outside public channels free, game commands moving, and the rest strict', () => {
    const s = scenario();
    expect(entryOrder(s, { type: 'SEND_MESSAGE', channel: 'team-iran', text: 'x' })).toBe('free');
    expect(entryOrder(s, { type: 'SEND_MESSAGE', channel: 'iran-us-direct', text: 'x' })).toBe('free');
    expect(entryOrder(s, { type: 'SEND_MESSAGE', channel: 'public', text: 'x' })).toBe('strict');
    expect(entryOrder(s, { type: 'SEND_MESSAGE', channel: 'nowhere', text: 'x' })).toBe('strict');
    expect(entryOrder(s, { type: 'SEND_MESSAGE', channel: 'via-swiss', text: 'x', relayOf: 'm3' })).toBe('strict');
    expect(entryOrder(s, { type: 'HIDE_MESSAGE', message: 'm3', from: 'everyone' })).toBe('strict');
    expect(entryOrder(s, { type: 'SUBMIT_MOVE', move: 'x', rationale: '', lock: true })).toBe('moving');
    expect(entryOrder(s, { type: 'PAUSE' })).toBe('moving');
  });

  // The claim the store's placement rests on: a free or moving entry of a whole game, decided on the state before it,
  // is decided the same way with plain messages put in before it, and does the same (but for its own seq).
  it('decides and applies each free or moving entry of a played game the same after plain messages put before it', () => {
    const d = playedGame('entry-order');
    const s = d.game.scenario;
    let state: GameState = initialState(d.game);
    let checked = 0;
    for (const entry of d.log) {
      const order = entryOrder(s, entry.command);
      const here = applyEntry(d.game, state, entry);
      if (order !== 'strict') {
        let moved = state;
        for (const [i, c] of chatter.entries()) {
          if (entryOrder(s, c.command) !== 'free') continue;
          const other: LogEntry = { seq: moved.version + 1, at: entry.at, by: { kind: 'seat', seat: c.seat }, commandId: `other-${i}`, command: c.command };
          const r = applyEntry(d.game, moved, other);
          if (r.ok) moved = r.state;
        }
        const later = applyEntry(d.game, moved, { ...entry, seq: moved.version + 1 });
        expect(later.ok, `entry ${entry.seq}`).toBe(here.ok);
        if (here.ok && later.ok) {
          expect(later.state.gameVersion - moved.gameVersion).toBe(here.state.gameVersion - state.gameVersion);
          expect(later.state.turn.context).toEqual(here.state.turn.context);
          if (here.message) expect({ ...later.message, id: '', seq: 0 }).toEqual({ ...here.message, id: '', seq: 0 });
        }
        checked++;
      }
      if (!here.ok) throw new Error(`the played log does not apply at ${entry.seq}`);
      state = here.state;
    }
    expect(checked).toBeGreaterThan(40);
  });
});
