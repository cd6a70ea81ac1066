/**
 * The broadcaster's privacy rule, checked exhaustively on the real scenario:
 * for every channel and every sender who may write in it, the text of a
 * message goes to the rooms of its audience (and the facilitator, and
 * observers for public channels) and to no other room, while every room
 * still learns the new version.
 */
import { describe, expect, it } from 'vitest';
import {
  applyEntry,
  createGame,
  initialState,
  seatsInPlay,
  type Actor,
  type Command,
  type GameState,
  type LogEntry,
} from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { updatesFor } from '../src/session/broadcast.ts';
import { roomFor } from '../src/session/rooms.ts';

const scenario = shippedScenario('april-2024');
const game = createGame(scenario, { scenarioId: scenario.id, seed: 'broadcast', optionalSeats: ['hezbollah', 'jordan', 'eu'] });
const seats = seatsInPlay(scenario, game.setup);
let seq = 0;

function send(state: GameState, by: Actor, command: Command) {
  const entry: LogEntry = { seq: state.version + 1, at: 1_712_000_000_000 + ++seq, by, commandId: `m-${seq}`, command };
  const r = applyEntry(game, state, entry);
  if (!r.ok) return null;
  return { event: { sessionId: 'S', game, entry, before: state, after: r.state, appendedHere: true }, message: r.message };
}

/** The rooms whose update carries `text`. */
function roomsWith(updates: ReturnType<typeof updatesFor>, text: string): string[] {
  return updates.filter((u) => JSON.stringify(u.payload).includes(text)).map((u) => u.room).sort();
}

describe('updatesFor', () => {
  const base = initialState(game);
  const everyRoom = [...seats.map((seat) => roomFor('S', { kind: 'seat', seat })), roomFor('S', { kind: 'observer' }), roomFor('S', { kind: 'facilitator' })].sort();

  for (const channel of scenario.channels) {
    const senders: Actor[] = [...channel.members.filter((m) => seats.includes(m)).map((seat): Actor => ({ kind: 'seat', seat })), { kind: 'facilitator' }];
    for (const by of senders) {
      const who = by.kind === 'seat' ? by.seat : 'facilitator';
      it(`${who} in ${channel.id} reaches its audience only`, () => {
        const text = `secret-${channel.id}-${who}`;
        const sent = send(base, by, { type: 'SEND_MESSAGE', channel: channel.id, text });
        if (!sent) return; // e.g. a closed channel: refused, nothing to send
        const updates = updatesFor(sent.event);
        expect(updates.map((u) => u.room).sort()).toEqual(everyRoom);
        for (const u of updates) expect(u.payload.version).toBe(1);
        const audience = sent.message?.audience ?? [];
        const expected = [
          ...audience.map((seat) => roomFor('S', { kind: 'seat', seat })),
          roomFor('S', { kind: 'facilitator' }),
          ...(channel.kind === 'public' ? [roomFor('S', { kind: 'observer' })] : []),
        ].sort();
        expect(roomsWith(updates, text)).toEqual([...new Set(expected)].sort());
        // Rooms outside the audience get the version and nothing else.
        for (const u of updates.filter((x) => !expected.includes(x.room))) expect(u.payload).toEqual({ version: 1, messages: [] });
      });
    }
  }

  it('relays in the mediated channel reach only whom the relay names', () => {
    const first = send(base, { kind: 'seat', seat: 'iran' }, { type: 'SEND_MESSAGE', channel: 'iran-us-mediated', text: 'from-tehran' });
    expect(first).not.toBeNull();
    const relayed = send(first!.event.after, { kind: 'seat', seat: 'mediators' }, {
      type: 'SEND_MESSAGE',
      channel: 'iran-us-mediated',
      text: 'passed-on',
      to: 'us',
      relayOf: first!.message!.id,
    });
    expect(roomsWith(updatesFor(first!.event), 'from-tehran')).toEqual(['s:S:facilitator', 's:S:seat:iran', 's:S:seat:mediators']);
    expect(roomsWith(updatesFor(relayed!.event), 'passed-on')).toEqual(['s:S:facilitator', 's:S:seat:mediators', 's:S:seat:us']);
  });

  it('sends a view only to rooms whose view changed, and skips rooms nobody is in', () => {
    const started = send(base, { kind: 'facilitator' }, { type: 'START' });
    const all = updatesFor(started!.event);
    expect(all.every((u) => u.payload.view?.phase === 'briefing')).toBe(true);
    const some = updatesFor(started!.event, (room) => room.endsWith(':observers'));
    expect(some.map((u) => u.room)).toEqual(['s:S:observers']);
  });

  it('a rubric score reaches the white cell only: every other room learns the version and nothing else', () => {
    const started = send(base, { kind: 'facilitator' }, { type: 'START' })!;
    const scored = send(started.event.after, { kind: 'facilitator' }, { type: 'SCORE_TEAM', seat: 'iran', criterion: 'rationale-quality', score: 3, note: 'sharp-memo' });
    expect(scored).not.toBeNull();
    const updates = updatesFor(scored!.event);
    const white = roomFor('S', { kind: 'facilitator' });
    expect(updates.find((u) => u.room === white)?.payload.view?.rubric?.scores).toEqual([
      expect.objectContaining({ seat: 'iran', criterion: 'rationale-quality', score: 3, note: 'sharp-memo' }),
    ]);
    expect(roomsWith(updates, 'sharp-memo')).toEqual([white]);
    for (const u of updates.filter((x) => x.room !== white)) expect(u.payload).toEqual({ version: 2, messages: [] });
  });
});
