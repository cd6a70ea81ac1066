/**
 * Updates go out pre-encoded, one packet for the rooms whose update is the
 * same: each room must get exactly its own bytes, for every kind of update
 * (views, messages read alike and read differently: hidden from some,
 * relays numbered per reader), and the packet must be what Socket.IO's own
 * encoder writes.
 */
import { describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { z } from 'zod';
import { Encoder, PacketType } from 'socket.io-parser';
import { applyEntry, createGame, initialState, runHeadless, streamPosition, streamStep, wireMessageFor, type Actor, type Chooser, type Command, type GameState, type LogEntry, type UpdatePayload } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { updatesFor } from './room-updates.ts';
import { eventUpdates } from '../src/session/broadcast.ts';
import { roomFor, viewersOf } from '../src/session/rooms.ts';
import { ViewerStreams } from '../src/session/viewer-streams.ts';
import { EncodedJson, encodedUpdates, sessionTargets, spliceParser } from '../src/socket/update-encoding.ts';
import { ackHandler } from '../src/socket/ack-handler.ts';
import { CommandAnswer } from '../src/socket/command-answer.ts';
import { createMetrics } from '../src/metrics.ts';

const scenario = shippedScenario('april-2024');
const game = createGame(scenario, { scenarioId: scenario.id, seed: 'encoding', optionalSeats: ['hezbollah', 'jordan', 'eu'] });

const talkative: Chooser = (ctx) => {
  const menu = ctx.view().menu;
  return { move: menu ? ctx.rng.pick(menu.moves).id : null, rationale: 'r', messages: [{ channel: 'public', text: `${ctx.seat} on "${ctx.beat}" \u2028 ü` }] };
};

/** The played log with private traffic, relays and the white cell's moderation woven in. */
function busyLog(): LogEntry[] {
  const played = runHeadless(game, { choose: talkative, startAt: 1_712_000_000_000 });
  const out: LogEntry[] = [];
  const add = (by: Actor, commandId: string, command: Command, at: number) => out.push({ seq: out.length + 1, at, by, commandId, command });
  let lastPublic: string | null = null;
  for (const [i, e] of played.log.entries()) {
    add(e.by, e.commandId, e.command, e.at);
    if (e.command.type === 'SEND_MESSAGE' && e.command.channel === 'public') lastPublic = `m${out.length}`;
    if (i % 4 !== 1) continue;
    add({ kind: 'seat', seat: 'iran' }, `i${i}`, { type: 'SEND_MESSAGE', channel: 'iran-us-mediated', text: `from tehran ${i}` }, e.at);
    add({ kind: 'seat', seat: 'mediators' }, `r${i}`, { type: 'SEND_MESSAGE', channel: 'iran-us-mediated', text: `passed on ${i}`, to: 'us', relayOf: `m${out.length}` }, e.at);
    // Hidden from the shared display (observers get it blank, seats as it was), or from everyone.
    const hide = i % 8 === 1 ? { message: lastPublic, from: 'display' as const } : { message: `m${out.length}`, from: 'everyone' as const };
    if (hide.message) add({ kind: 'facilitator' }, `h${i}`, { type: 'HIDE_MESSAGE', ...hide, message: hide.message }, e.at);
  }
  return out;
}

describe('encodedUpdates', () => {
  it('groups rooms by identical bytes only: each room gets exactly its own update, once', () => {
    const streams = new ViewerStreams();
    let state: GameState = initialState(game);
    let shared = 0;
    for (const entry of busyLog()) {
      const r = applyEntry(game, state, entry);
      if (!r.ok) throw new Error(`entry ${entry.seq}: ${r.refusal.message}`);
      const updates = updatesFor({ sessionId: 'S', game, entry, before: state, after: r.state, appendedHere: true }, streams);
      const own = new Map(updates.map((u) => [u.room, JSON.stringify(u.payload)]));
      const packets = encodedUpdates(updates);
      const sent = [...packets].flatMap(([text, rooms]) => rooms.map((room) => [room, text] as const));
      expect(sent.map(([room]) => room).sort()).toEqual([...own.keys()].sort());
      for (const [room, text] of sent) expect(text, room).toBe(own.get(room));
      shared += sent.length - packets.size;
      state = r.state;
    }
    // Readers whose streams stand alike (the seats and observers before private talk) do share a packet.
    expect(shared).toBeGreaterThan(0);
  });
});

describe('one packet for a public message', () => {
  it('goes to every room of a public-only table, the white cell included, as one encoded update', () => {
    // The white cell's stream is the log; a seat's counts the game's versions and what it reads. At a table
    // where everything said is public they stand alike, so the white cell shares the seats' packet (one
    // encode and one frame per message, as a bare room broadcast), and nothing private is there to leak.
    const streams = new ViewerStreams();
    let state: GameState = initialState(game);
    const seat = state.turn.context.options.seatsInPlay[0] ?? 'iran';
    const entries: [Actor, Command][] = [
      [{ kind: 'facilitator' }, { type: 'START' }],
      [{ kind: 'facilitator' }, { type: 'ADVANCE' }],
      [{ kind: 'seat', seat }, { type: 'SEND_MESSAGE', channel: 'public', text: 'first' }],
      [{ kind: 'seat', seat }, { type: 'SEND_MESSAGE', channel: 'public', text: 'second' }],
    ];
    let last: Map<string, string[]> = new Map();
    for (const [i, [by, command]] of entries.entries()) {
      const entry: LogEntry = { seq: i + 1, at: 1_712_000_000_000 + i, by, commandId: `c${i}`, command };
      const r = applyEntry(game, state, entry);
      if (!r.ok) throw new Error(r.refusal.message);
      last = encodedUpdates(updatesFor({ sessionId: 'S', game, entry, before: state, after: r.state, appendedHere: true }, streams));
      state = r.state;
    }
    const rooms = viewersOf(state.turn.context.options.seatsInPlay).map((v) => roomFor('S', v));
    expect([...last.values()]).toEqual([rooms]);
  });
});

describe("a public message's update sent session-wide", () => {
  it('is written as the bytes of the update object each room would get, its own copy built from scratch', () => {
    const streams = new ViewerStreams();
    let state: GameState = initialState(game);
    const seat = state.turn.context.options.seatsInPlay[0] ?? 'iran';
    const texts = ['plain', 'a "quoted" \\ text', '\u0000\u001f\n\u2028 ü 😀 \ud800', 'long '.repeat(400)];
    const entries: [Actor, Command][] = [
      [{ kind: 'facilitator' }, { type: 'START' }],
      [{ kind: 'facilitator' }, { type: 'ADVANCE' }],
      ...texts.map((text): [Actor, Command] => [{ kind: 'seat', seat }, { type: 'SEND_MESSAGE', channel: 'public', text }]),
    ];
    let wide = 0;
    for (const [i, [by, command]] of entries.entries()) {
      const entry: LogEntry = { seq: i + 1, at: 1_712_000_000_000 + i, by, commandId: `c${i}`, command };
      const r = applyEntry(game, state, entry);
      if (!r.ok) throw new Error(r.refusal.message);
      const updates = eventUpdates({ sessionId: 'S', game, entry, before: state, after: r.state, appendedHere: true }, streams);
      if (!Array.isArray(updates)) {
        wide++;
        for (const viewer of viewersOf(r.state.turn.context.options.seatsInPlay)) {
          const step = streamStep(game, state, r.state, entry, viewer);
          if (step.kind !== 'message') throw new Error('a session-wide update for a viewer it shows no message');
          const { version, messages } = streamPosition(game, r.state, viewer);
          expect(updates.json()).toBe(JSON.stringify({ version, messages: [wireMessageFor(game, r.state, viewer, step.message, messages)] }));
        }
        expect(updates.json()).toBe(JSON.stringify(updates.payload()));
      }
      state = r.state;
    }
    expect(wide).toBe(texts.length);
  });
});

describe('updatesFor', () => {
  it("gives every room of a message's readers the update built for its viewer alone, sharing one object only among identical ones", () => {
    const streams = new ViewerStreams();
    let state: GameState = initialState(game);
    let shared = 0;
    let relays = 0;
    for (const entry of busyLog()) {
      const r = applyEntry(game, state, entry);
      if (!r.ok) throw new Error(`entry ${entry.seq}: ${r.refusal.message}`);
      const updates = updatesFor({ sessionId: 'S', game, entry, before: state, after: r.state, appendedHere: true }, streams);
      const byRoom = new Map(updates.map((u) => [u.room, u.payload]));
      for (const viewer of viewersOf(r.state.turn.context.options.seatsInPlay)) {
        const step = streamStep(game, state, r.state, entry, viewer);
        if (step.kind !== 'message' && step.kind !== 'moderation') continue;
        // Built from scratch for this viewer: its own position, its own copy of the message.
        const { version, messages } = streamPosition(game, r.state, viewer);
        const own = { version, messages: [wireMessageFor(game, r.state, viewer, step.message, step.kind === 'message' ? messages : undefined)] };
        expect(byRoom.get(roomFor('S', viewer)), `${entry.seq} ${roomFor('S', viewer)}`).toEqual(own);
        if (step.message.relayOf !== null) relays++;
      }
      shared += updates.length - new Set(updates.map((u) => u.payload)).size;
      state = r.state;
    }
    expect(shared).toBeGreaterThan(0);
    expect(relays).toBeGreaterThan(0);
  });
});

describe('the splicing encoder', () => {
  const payload: UpdatePayload = { version: 3, messages: [{ id: 'n2', seq: 2, at: 1, channel: 'public', from: 'iran', text: 'a "quoted" \u2028 text' }] };
  const spliced = new spliceParser.Encoder();
  const plain = new Encoder();

  it('writes what the default encoder writes for the same value', () => {
    const packets = [
      { type: PacketType.EVENT, nsp: '/', data: ['update', payload] },
      // A recovery offset appended after it, another namespace, an acknowledgement id.
      { type: PacketType.EVENT, nsp: '/', data: ['update', payload, 'offset-1'] },
      { type: PacketType.EVENT, nsp: '/admin', id: 7, data: ['update', payload] },
      { type: PacketType.EVENT, nsp: '/', id: 0, data: ['update', payload] },
      { type: PacketType.EVENT, nsp: '', data: ['update', payload] },
      { type: PacketType.EVENT, nsp: '/', data: ['update'] },
      { type: PacketType.EVENT, nsp: '/', data: ['updates', payload] },
      { type: PacketType.EVENT, nsp: '/', data: ['other', payload, 'update'] },
    ];
    for (const p of packets) {
      const pre = { ...p, data: p.data.map((d) => (typeof d === 'string' ? d : new EncodedJson(JSON.stringify(d)))) };
      expect(spliced.encode(pre)).toEqual(plain.encode(p));
    }
  });

  it('leaves every other packet to the default encoder', () => {
    const event = { type: PacketType.EVENT, nsp: '/', data: ['presence', { observers: 1 }] };
    const binary = { type: PacketType.EVENT, nsp: '/', data: ['blob', Buffer.from([1, 2])] };
    for (const p of [event, binary]) expect(spliced.encode(p)).toEqual(plain.encode(p));
  });

  it("writes an acknowledgement's bytes as the default encoder does, reading the answer once, not searching it for binary first", () => {
    const answer = { ok: true, data: { version: 12, duplicate: false, gameVersion: 3, text: 'a "quoted" \u2028 ü' } };
    const acks = [
      { type: PacketType.ACK, nsp: '/', id: 4, data: [answer] },
      { type: PacketType.ACK, nsp: '/admin', id: 0, data: [answer] },
      { type: PacketType.ACK, nsp: '/', id: 7, data: [] },
    ];
    for (const p of acks) expect(spliced.encode(p)).toEqual(plain.encode(p));
    // hasBinary calls an object's toJSON before JSON.stringify does: the default encoder reads the answer twice.
    let reads = 0;
    const counted = { toJSON: () => (reads++, answer) };
    expect(spliced.encode({ type: PacketType.ACK, nsp: '/', id: 5, data: [counted] })).toEqual([`35[${JSON.stringify(answer)}]`]);
    expect(reads).toBe(1);
  });
});

describe("a command's acknowledgement", () => {
  /** The Ack the command handler's wrapper (ack-handler.ts) answers for `answer`, as the encoder gets it. */
  async function ackOf(answer: CommandAnswer): Promise<unknown> {
    const handler = ackHandler<z.ZodUnknown, CommandAnswer, object>(
      { log: pino({ level: 'silent' }), metrics: createMetrics() },
      { event: 'command', schema: z.unknown(), run: (_p, _on, to) => to.ok(answer) },
    );
    return new Promise((resolve) => handler.call({}, {}, resolve));
  }
  const answers = [
    new CommandAnswer(12, false, 3),
    new CommandAnswer(0, true, 0),
    new CommandAnswer(9_007_199_254_740_991, false, 1e15),
    // Not versions, but written as JSON.stringify writes them all the same.
    new CommandAnswer(-0, false, 2.5),
    new CommandAnswer(Number.NaN, true, Infinity),
  ];

  it('is written byte for byte as the default encoder writes the object literal the answer used to be', async () => {
    const spliced = new spliceParser.Encoder();
    const plain = new Encoder();
    for (const answer of answers) {
      const { version, duplicate, gameVersion } = answer;
      const literal = { ok: true, data: { version, duplicate, gameVersion } };
      for (const [nsp, id] of [['/', 4], ['/admin', 0]] as const) {
        const expected = plain.encode({ type: PacketType.ACK, nsp, id, data: [literal] });
        expect(spliced.encode({ type: PacketType.ACK, nsp, id, data: [await ackOf(answer)] })).toEqual(expected);
      }
    }
  });

  it('is written without JSON.stringify when its numbers are integers', async () => {
    const spliced = new spliceParser.Encoder();
    const packet = { type: PacketType.ACK, nsp: '/', id: 4, data: [await ackOf(new CommandAnswer(12, false, 3))] };
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      expect(spliced.encode(packet)).toEqual(['34[{"ok":true,"data":{"version":12,"duplicate":false,"gameVersion":3}}]']);
      expect(stringify).not.toHaveBeenCalled();
    } finally {
      stringify.mockRestore();
    }
  });
});

describe('sessionTargets', () => {
  it('makes each session room target once per session and game, and never hands one session another session\'s room', () => {
    const target = sessionTargets();
    const other = createGame(scenario, { scenarioId: scenario.id, seed: 'encoding-other', optionalSeats: [] });
    const s = target('S', game);
    expect(target('S', game)).toBe(s);
    expect([...s.rooms]).toEqual(['v:S']);
    expect(s.flags).toEqual({ local: true });
    expect([...target('S', other).rooms]).toEqual(['v:S']);
    // The same engine object met under another session id (nothing the service does, but a cache must not assume it).
    expect([...target('T', game).rooms]).toEqual(['v:T']);
    expect([...target('T', game).rooms]).toEqual(['v:T']);
  });
});
