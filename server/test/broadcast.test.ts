/**
 * The broadcaster's privacy rules, checked on the real scenario:
 * - for every channel and every sender who may write in it, a message goes
 *   to the rooms of its readers (its audience, the facilitator, observers for
 *   public channels) and no other room gets anything at all;
 * - each room's updates are numbered 1, 2, 3… in its own stream, and the
 *   stream a room gets is exactly the same whether or not others talked
 *   privately (or the white cell moderated what they said) in between.
 */
import { describe, expect, it } from 'vitest';
import {
  applyEntry,
  createGame,
  initialState,
  runHeadless,
  seatsInPlay,
  streamPosition,
  type Actor,
  type Chooser,
  type Command,
  type GameState,
  type LogEntry,
  type UpdatePayload,
  type Viewer,
} from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { eventUpdates } from '../src/session/broadcast.ts';
import { updatesFor } from './room-updates.ts';
import { roomFor, viewersOf } from '../src/session/rooms.ts';
import { ViewerStreams } from '../src/session/viewer-streams.ts';

const scenario = shippedScenario('april-2024');
const game = createGame(scenario, { scenarioId: scenario.id, seed: 'broadcast', optionalSeats: ['hezbollah', 'jordan', 'eu'] });
const seats = seatsInPlay(scenario, game.setup);
const fac = roomFor('S', { kind: 'facilitator' });
const observers = roomFor('S', { kind: 'observer' });
let seq = 0;

function send(state: GameState, by: Actor, command: Command, streams = new ViewerStreams()) {
  const entry: LogEntry = { seq: state.version + 1, at: 1_712_000_000_000 + ++seq, by, commandId: `m-${seq}`, command };
  const r = applyEntry(game, state, entry);
  if (!r.ok) return null;
  const event = { sessionId: 'S', game, entry, before: state, after: r.state, appendedHere: true };
  return { event, message: r.message, updates: updatesFor(event, streams) };
}

/** The one payload every role room gets (eventUpdates), or null when it hands a list. */
function sessionWide(event: Parameters<typeof eventUpdates>[0], streams: ViewerStreams, wanted?: (room: string) => boolean): UpdatePayload | null {
  const updates = eventUpdates(event, streams, wanted);
  return Array.isArray(updates) ? null : updates.payload();
}

/** The rooms whose update carries `text`. */
function roomsWith(updates: { room: string; payload: UpdatePayload }[], text: string): string[] {
  return updates.filter((u) => JSON.stringify(u.payload).includes(text)).map((u) => u.room).sort();
}

describe('updatesFor', () => {
  const base = initialState(game);

  for (const channel of scenario.channels) {
    const senders: Actor[] = [...channel.members.filter((m) => seats.includes(m)).map((seat): Actor => ({ kind: 'seat', seat })), { kind: 'facilitator' }];
    for (const by of senders) {
      const who = by.kind === 'seat' ? by.seat : 'facilitator';
      it(`${who} in ${channel.id} reaches its readers and no one else, not even with an empty frame`, () => {
        const text = `secret-${channel.id}-${who}`;
        const sent = send(base, by, { type: 'SEND_MESSAGE', channel: channel.id, text });
        if (!sent) return; // e.g. a closed channel: refused, nothing to send
        const audience = sent.message?.audience ?? [];
        const readers = [...new Set([...audience.map((seat) => roomFor('S', { kind: 'seat', seat })), fac, ...(channel.kind === 'public' ? [observers] : [])])].sort();
        expect(sent.updates.map((u) => u.room).sort()).toEqual(readers);
        expect(roomsWith(sent.updates, text)).toEqual(readers);
        // Each reader's first update, carrying its first message, numbered in its own stream.
        for (const u of sent.updates) expect(u.payload).toMatchObject({ version: 1, messages: [{ id: 'n1', seq: 1, text }] });
      });
    }
  }

  it('numbers a relay in each reader own stream: the US cannot read the original, so it is "unseen"', () => {
    const first = send(base, { kind: 'seat', seat: 'iran' }, { type: 'SEND_MESSAGE', channel: 'iran-us-mediated', text: 'from-tehran' });
    expect(first).not.toBeNull();
    const relayed = send(first!.event.after, { kind: 'seat', seat: 'mediators' }, {
      type: 'SEND_MESSAGE',
      channel: 'iran-us-mediated',
      text: 'passed-on',
      to: 'us',
      relayOf: first!.message!.id,
    });
    expect(roomsWith(first!.updates, 'from-tehran')).toEqual(['s:S:facilitator', 's:S:seat:iran', 's:S:seat:mediators']);
    expect(roomsWith(relayed!.updates, 'passed-on')).toEqual(['s:S:facilitator', 's:S:seat:mediators', 's:S:seat:us']);
    const relayOf = Object.fromEntries(relayed!.updates.map((u) => [u.room, u.payload.messages[0]?.relayOf]));
    expect(relayOf).toEqual({ 's:S:facilitator': 'n1', 's:S:seat:mediators': 'n1', 's:S:seat:us': 'unseen' });
  });

  it('sends a session-wide update only when every role room gets the same payload', () => {
    const publicChannel = scenario.channels.find((c) => c.kind === 'public');
    const privateChannel = scenario.channels.find((c) => c.kind !== 'public' && c.members.length >= 2 && c.members.every((m) => seats.includes(m)));
    if (!publicChannel || !privateChannel) throw new Error('the scenario has no public or no private channel');
    const streams = new ViewerStreams();
    const said = send(base, { kind: 'seat', seat: 'iran' }, { type: 'SEND_MESSAGE', channel: publicChannel.id, text: 'to-all' }, streams)!;
    // Every role room, one payload: the session's room may carry it, even with rooms nobody is in.
    expect(said.updates).toHaveLength(seats.length + 2);
    expect(sessionWide(said.event, streams)).toEqual(said.updates[0]?.payload);
    expect(sessionWide(said.event, new ViewerStreams(), (room) => room === fac)).not.toBeNull();
    // A private message reaches some rooms only: never session-wide.
    const whispered = send(said.event.after, { kind: 'seat', seat: privateChannel.members[0] ?? '' }, { type: 'SEND_MESSAGE', channel: privateChannel.id, text: 'psst' }, streams)!;
    expect(sessionWide(whispered.event, streams)).toBeNull();
    // After it, a public message is numbered apart in the readers' streams: several payloads, not session-wide.
    const after = send(whispered.event.after, { kind: 'seat', seat: 'iran' }, { type: 'SEND_MESSAGE', channel: publicChannel.id, text: 'again' }, streams)!;
    expect(new Set(after.updates.map((u) => u.payload)).size).toBeGreaterThan(1);
    expect(sessionWide(after.event, streams)).toBeNull();
    // A game command's views are each viewer's own.
    const started = send(base, { kind: 'facilitator' }, { type: 'START' })!;
    expect(sessionWide(started.event, new ViewerStreams())).toBeNull();
  });

  it('lists the rooms in their order with their own copies when a payload is not shared by all (the list made when the rooms part)', () => {
    const publicChannel = scenario.channels.find((c) => c.kind === 'public');
    const privates = scenario.channels.filter((c) => c.kind !== 'public' && c.members.length >= 2 && c.members.every((m) => seats.includes(m)));
    if (!publicChannel || privates.length === 0) throw new Error('the scenario has no public or no private channel');
    const order = viewersOf(seats).map((v) => roomFor('S', v));
    // Each private channel in turn: its readers' rooms (wherever they stand in the order) part from the others'.
    let checked = 0;
    for (const privateChannel of privates) {
      const streams = new ViewerStreams();
      const said = send(base, { kind: 'seat', seat: 'iran' }, { type: 'SEND_MESSAGE', channel: publicChannel.id, text: 'to-all' }, streams)!;
      const whispered = send(said.event.after, { kind: 'seat', seat: privateChannel.members[0] ?? '' }, { type: 'SEND_MESSAGE', channel: privateChannel.id, text: 'psst' }, streams);
      // A channel its first member may not write in yet (the scenario's rules): nothing to part.
      if (!whispered) continue;
      checked++;
      const readers = new Set(whispered.updates.map((u) => u.room));
      expect(whispered.updates.map((u) => u.room)).toEqual(order.filter((room) => readers.has(room)));
      const after = send(whispered.event.after, { kind: 'seat', seat: 'iran' }, { type: 'SEND_MESSAGE', channel: publicChannel.id, text: 'again' }, streams)!;
      expect(after.updates.map((u) => [u.room, u.payload.messages[0]?.id])).toEqual(order.map((room) => [room, readers.has(room) ? 'n3' : 'n2']));
    }
    expect(checked).toBeGreaterThan(1);
  });

  it('sends every room its view after a game command, and skips rooms nobody is in', () => {
    const started = send(base, { kind: 'facilitator' }, { type: 'START' });
    expect(started!.updates).toHaveLength(seats.length + 2);
    expect(started!.updates.every((u) => u.payload.view?.phase === 'briefing' && u.payload.version === 1)).toBe(true);
    const some = updatesFor(started!.event, new ViewerStreams(), (room) => room.endsWith(':observers'));
    expect(some.map((u) => u.room)).toEqual(['s:S:observers']);
  });

  it('a rubric score reaches the white cell only: no other room gets anything', () => {
    const streams = new ViewerStreams();
    const started = send(base, { kind: 'facilitator' }, { type: 'START' }, streams)!;
    const scored = send(started.event.after, { kind: 'facilitator' }, { type: 'SCORE_TEAM', seat: 'iran', criterion: 'rationale-quality', score: 3, note: 'sharp-memo' }, streams);
    expect(scored).not.toBeNull();
    const updates = scored!.updates;
    const white = roomFor('S', { kind: 'facilitator' });
    expect(updates.map((u) => u.room)).toEqual([white]);
    expect(updates[0]?.payload.version).toBe(2);
    expect(updates[0]?.payload.view?.rubric?.scores).toEqual([expect.objectContaining({ seat: 'iran', criterion: 'rationale-quality', score: 3, note: 'sharp-memo' })]);
  });
});

/** A chooser that also makes public statements, so streams mix messages and moves. */
const talkative: Chooser = (ctx) => {
  const menu = ctx.view().menu;
  const move = menu ? ctx.rng.pick(menu.moves).id : null;
  return { move, rationale: 'r', messages: [{ channel: 'public', text: `${ctx.seat} on ${ctx.beat}` }] };
};

/** A log with private traffic between Israel and the US (the white cell hiding some of it, and scoring) woven in. */
function withPrivateTraffic(log: readonly LogEntry[]): LogEntry[] {
  const out: LogEntry[] = [];
  const add = (e: Omit<LogEntry, 'seq'>) => out.push({ ...e, seq: out.length + 1 });
  for (const [i, e] of log.entries()) {
    if (i % 3 === 1) {
      add({ at: e.at, by: { kind: 'seat', seat: 'israel' }, commandId: `p${i}`, command: { type: 'SEND_MESSAGE', channel: 'israel-us', text: `private ${i}` } });
      add({ at: e.at, by: { kind: 'seat', seat: 'us' }, commandId: `q${i}`, command: { type: 'SEND_MESSAGE', channel: 'israel-us', text: `reply ${i}` } });
      if (i % 2 === 1) add({ at: e.at, by: { kind: 'facilitator' }, commandId: `h${i}`, command: { type: 'HIDE_MESSAGE', message: `m${out.length}`, from: 'everyone' } });
    }
    // The white cell's own records (a rubric score) are nobody else's business either.
    if (i % 5 === 2) add({ at: e.at, by: { kind: 'facilitator' }, commandId: `s${i}`, command: { type: 'SCORE_TEAM', seat: 'iran', criterion: 'rationale-quality', score: 1 + (i % 4) } });
    add({ at: e.at, by: e.by, commandId: e.commandId, command: e.command });
  }
  return out;
}

/** A log where Israel saves `drafts` drafts before each of its lock-ins (the first one everyone sees: Israel has a move in). */
function withDrafts(log: readonly LogEntry[], drafts: number): LogEntry[] {
  const out: LogEntry[] = [];
  const add = (e: Omit<LogEntry, 'seq'>) => out.push({ ...e, seq: out.length + 1 });
  for (const [i, e] of log.entries()) {
    const c = e.command;
    if (c.type === 'SUBMIT_MOVE' && e.by.kind === 'seat' && e.by.seat === 'israel')
      for (let k = 0; k < drafts; k++) add({ at: e.at, by: e.by, commandId: `d${i}-${k}`, command: { ...c, rationale: `draft ${k}`, lock: false } });
    add({ at: e.at, by: e.by, commandId: e.commandId, command: e.command });
  }
  return out;
}

/** Every room's updates for a whole log, checking on the way that counting from scratch agrees with following. */
function frames(log: readonly LogEntry[]): Map<string, UpdatePayload[]> {
  const streams = new ViewerStreams();
  const viewers: Viewer[] = viewersOf(seats);
  const out = new Map<string, UpdatePayload[]>();
  let state = initialState(game);
  for (const entry of log) {
    const r = applyEntry(game, state, entry);
    if (!r.ok) throw new Error(`entry ${entry.seq}: ${r.refusal.message}`);
    for (const u of updatesFor({ sessionId: 'S', game, entry, before: state, after: r.state, appendedHere: true }, streams)) {
      out.set(u.room, [...(out.get(u.room) ?? []), u.payload]);
    }
    state = r.state;
    if (entry.seq % 7 === 0) for (const v of viewers) expect(streams.position(game, state, v)).toEqual(streamPosition(game, state, v));
  }
  return out;
}

describe('each room own stream', () => {
  const played = runHeadless(game, { choose: talkative, startAt: 1_712_000_000_000 });
  const quiet = frames(played.log);
  const busy = frames(withPrivateTraffic(played.log));

  it('is numbered 1, 2, 3… with nothing missing', () => {
    for (const [room, payloads] of busy) expect(payloads.map((p) => p.version), room).toEqual(payloads.map((_, i) => i + 1));
  });

  it("is the same, frame for frame, for every room but Israel's and the white cell's, however often Israel saved its draft again", () => {
    const once = frames(withDrafts(played.log, 1));
    const often = frames(withDrafts(played.log, 4));
    const others = [...viewersOf(seats)].filter((v) => !(v.kind === 'facilitator' || (v.kind === 'seat' && v.seat === 'israel')));
    expect(others.map((v) => v.kind)).toContain('observer');
    for (const v of others) {
      const room = roomFor('S', v);
      expect(often.get(room)?.length, room).toBeGreaterThan(10);
      // No frame for a draft saved again, and no jump after one: not in the stream's version, the game version a move is
      // made on, nor any version the game records (a ledger change's, a resolution's, a timer's).
      expect(often.get(room), room).toEqual(once.get(room));
    }
    const israel = roomFor('S', { kind: 'seat', seat: 'israel' });
    for (const room of [israel, fac]) {
      expect(often.get(room)!.length, room).toBeGreaterThan(once.get(room)!.length);
      expect(often.get(room)!.map((p) => p.version), room).toEqual(often.get(room)!.map((_, i) => i + 1));
    }
  });

  it('is the same, frame for frame, for every room outside a private channel, whatever was said in it', () => {
    const outside = [...viewersOf(seats)].filter((v) => !(v.kind === 'facilitator' || (v.kind === 'seat' && ['israel', 'us'].includes(v.seat))));
    expect(outside.length).toBeGreaterThan(3);
    for (const v of outside) {
      const room = roomFor('S', v);
      expect(busy.get(room)?.length, room).toBeGreaterThan(10);
      expect(busy.get(room), room).toEqual(quiet.get(room));
    }
    // The private channel's members (and the white cell) did get more: the comparison can fail.
    for (const room of [roomFor('S', { kind: 'seat', seat: 'israel' }), fac]) expect(busy.get(room)!.length).toBeGreaterThan(quiet.get(room)!.length);
  });
});
