/**
 * MessageLog keeps a plain message (newMessage's own shape: no name, `to`,
 * relay or note) as its text and numbers in columns, not as its object, and
 * makes it again on every read (shared/src/game/plain-message.ts;
 * docs/performance.md, "CPU per delivery over a minute at 5 msg/s"). Every
 * reader must see what was appended, key for key and in the same order, so
 * JSON of the log (snapshots, exports) is byte for byte the same; and the
 * message object and its time's box must not stay on the heap, which only a
 * heap snapshot can count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { applyEntry, createGame, initialState, MessageLog, persistGame, restoreGame, type GameState, type LogEntry, type Message } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { messageId } from '../../shared/src/game/message-id.ts';
import { diffHeaps, readHeap } from '../bench/survivors/heap-diff.ts';

const PUBLIC: readonly string[] = Object.freeze(['iran', 'israel', 'us']);
const TEAM: readonly string[] = Object.freeze(['iran']);

/** As newMessage makes a public message: a fresh literal in its key order, a time past the small integers. */
function plain(seq: number, text: string, from: string | null = 'iran'): Message {
  return { id: messageId(seq), seq, at: 1_764_900_000_000 + 250 * seq, channel: 'public', from, text, audience: PUBLIC, to: null, relayOf: null, gameVersion: 3 + (seq >> 4) };
}

/** Messages the log must keep whole, one of each way a message can differ from the plain shape. */
function unusual(seq: number): Message[] {
  const base = plain(seq, `unusual ${seq}`);
  const { gameVersion: _v, ...noVersion } = base;
  return [
    { id: base.id, seq, at: base.at, channel: 'public', from: 'iran', fromName: 'Ana', text: base.text, audience: PUBLIC, to: null, relayOf: null, gameVersion: 4 },
    { ...base, seq: seq + 1, id: messageId(seq + 1), to: 'israel' },
    { ...base, seq: seq + 2, id: messageId(seq + 2), relayOf: 'm1' },
    { ...base, seq: seq + 3, id: messageId(seq + 3), channel: 'team', audience: TEAM, toWhiteCell: true },
    { ...base, seq: seq + 4, id: messageId(seq + 4), hidden: 'display', hiddenAt: 9 },
    Object.freeze({ ...base, seq: seq + 5, id: messageId(seq + 5) }),
    { ...noVersion, seq: seq + 6, id: messageId(seq + 6) },
    { seq: seq + 7, id: messageId(seq + 7), at: base.at, channel: 'public', from: 'iran', text: base.text, audience: PUBLIC, to: null, relayOf: null, gameVersion: 4 },
    { ...base, seq: seq + 8, id: `x${seq + 8}` },
    { ...base, seq: seq + 9, id: `m0${seq + 9}` },
    { ...base, seq: seq + 10, id: messageId(seq + 10), from: null, audience: [...PUBLIC], at: -0 },
  ];
}

const json = (xs: Iterable<Message>) => [...xs].map((m) => JSON.stringify(m));

function expectReadsOf(log: MessageLog, want: readonly Message[]): void {
  const wanted = want.map((m) => JSON.stringify(m));
  expect(log.length).toBe(want.length);
  expect(json(log)).toEqual(wanted);
  expect(JSON.stringify(log)).toBe(JSON.stringify(want));
  expect(json(log.toArray())).toEqual(wanted);
  expect(json(log.slice(-3))).toEqual(wanted.slice(-3));
  expect(json(log.slice(Number.NaN))).toEqual(wanted);
  expect(json(log.slice(2.7))).toEqual(wanted.slice(2));
  expect(log.map((m, i) => `${i}:${JSON.stringify(m)}`)).toEqual(wanted.map((m, i) => `${i}:${m}`));
  expect(json(log.filter((m) => m.seq % 3 === 0))).toEqual(json(want.filter((m) => m.seq % 3 === 0)));
  want.forEach((m, i) => {
    expect(JSON.stringify(log.at(i))).toBe(wanted[i]);
    expect(JSON.stringify(log.at(i - want.length))).toBe(wanted[i]);
    expect(JSON.stringify(log.byId(m.id))).toBe(JSON.stringify(want.find((w) => w.id === m.id)));
    expect(JSON.stringify(log.find((x) => x.id === m.id))).toBe(JSON.stringify(want.find((w) => w.id === m.id)));
    // The audience is the very list appended: views compare and share it.
    expect(log.at(i)?.audience).toBe(m.audience);
    expect(Object.is(log.at(i)?.at, m.at)).toBe(true);
  });
  expect(log.at(want.length)).toBeUndefined();
  expect(log.byId('m999999')).toBeUndefined();
}

describe('MessageLog\'s plain messages', () => {
  it('reads back every message, plain or kept whole, key for key, through forks and replacements', () => {
    const messages: Message[] = [];
    for (let seq = 1; messages.length < 200; seq += 12) messages.push(plain(seq, `message ${seq}`, seq % 5 === 0 ? null : 'iran'), ...unusual(seq + 1));
    const log = MessageLog.from(messages);
    expectReadsOf(log, messages);
    expect(JSON.stringify(MessageLog.from(log.toArray()))).toBe(JSON.stringify(messages));
    // A fork from an older log, then the newer one appended to again: both keep their own messages.
    const older = MessageLog.from(messages.slice(0, 100));
    const fork = older.append(plain(5000, 'fork'));
    const main = MessageLog.from(messages).append(plain(5001, 'main'));
    expectReadsOf(fork, [...messages.slice(0, 100), plain(5000, 'fork')]);
    expectReadsOf(main, [...messages, plain(5001, 'main')]);
    // A moderation replaces a plain message with one kept whole, and back.
    const target = messages[24] as Message;
    const hidden = { ...target, hidden: 'everyone' as const, hiddenAt: 77 };
    const replaced = log.replace(target.id, hidden);
    expectReadsOf(replaced, messages.map((m) => (m.id === target.id ? hidden : m)));
    expectReadsOf(replaced.replace(target.id, target), messages);
    expectReadsOf(log, messages);
  });

  it('keeps a plain message as its text alone: no message object and no box for its time', () => {
    const COUNT = 3000;
    // The texts stay alive beside the log, as the store's log keeps them: only what the log adds is counted.
    const texts: string[] = [];
    const text = (seq: number) => {
      const t = ['text of message', seq].join(' ');
      texts.push(t);
      return t;
    };
    let log = MessageLog.empty;
    for (let seq = 1; seq <= COUNT; seq++) log = log.append(plain(seq, text(seq)));
    const dir = mkdtempSync(join(tmpdir(), 'message-log-'));
    try {
      const a = writeHeapSnapshot(join(dir, 'a.heapsnapshot'));
      for (let seq = COUNT + 1; seq <= 2 * COUNT; seq++) log = log.append(plain(seq, text(seq)));
      const b = writeHeapSnapshot(join(dir, 'b.heapsnapshot'));
      const diff = diffHeaps(readHeap(a), readHeap(b));
      const messageObjects = diff.byKind.filter((g) => g.key.startsWith('{id,')).reduce((n, g) => n + g.count, 0);
      const numbers = diff.byKind.filter((g) => g.key.startsWith('number')).reduce((n, g) => n + g.count, 0);
      const strings = diff.byKind.filter((g) => g.key.startsWith('string')).reduce((n, g) => n + g.count, 0);
      const objects = diff.byKind.reduce((n, g) => n + g.count, 0) - strings;
      expect(messageObjects, JSON.stringify(diff.byKind.slice(0, 8))).toBeLessThan(5);
      expect(numbers).toBeLessThan(COUNT / 10);
      expect(objects / COUNT, JSON.stringify(diff.byKind.slice(0, 8))).toBeLessThan(0.1);
      expect(log.length).toBe(2 * COUNT);
      expect(log.at(-1)?.text).toBe(texts[texts.length - 1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a snapshot of a log of plain messages', () => {
  it('leaves a snapshot\'s JSON and its clone as they were: the messages in their place, made when read', () => {
    const scenario = shippedScenario('april-2024');
    const game = createGame(scenario, { scenarioId: scenario.id, seed: 'persist', optionalSeats: [] });
    const channel = scenario.channels.find((c) => c.kind === 'public');
    if (!channel) throw new Error('the scenario has no public channel');
    let state: GameState = initialState(game);
    for (let i = 0; i < 40; i++) {
      const seat = channel.members[i % channel.members.length] ?? '';
      const entry: LogEntry = { seq: state.version + 1, at: 1_712_000_000_000 + 61_000 * i, by: { kind: 'seat', seat, ...(i % 7 === 3 ? { name: 'Ana' } : {}) }, commandId: `c${i}`, command: { type: 'SEND_MESSAGE', channel: channel.id, text: `message ${i}` } };
      const r = applyEntry(game, state, entry);
      if (!r.ok) throw new Error(`message ${i} was refused`);
      state = r.state;
    }
    const persisted = persistGame(game, state);
    const messages = state.messages.toArray();
    expect(messages).toHaveLength(40);
    const { messages: _made, ...rest } = persisted;
    const keys = Object.keys(persisted);
    // The JSON an array in the same place among the keys would give, byte for byte.
    const asArray = Object.fromEntries(keys.map((k) => [k, k === 'messages' ? messages : rest[k as keyof typeof rest]]));
    expect(JSON.stringify(persisted)).toBe(JSON.stringify(asArray));
    expect(JSON.stringify(structuredClone(persisted))).toBe(JSON.stringify(asArray));
    expect(JSON.stringify(restoreGame(game, persisted).messages)).toBe(JSON.stringify(messages));
    expect(JSON.stringify(restoreGame(game, JSON.parse(JSON.stringify(persisted))).messages)).toBe(JSON.stringify(messages));
  });
});
