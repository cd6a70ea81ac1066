/**
 * A new message's update written as JSON straight from the log's message
 * (newMessageUpdateJson) must be, byte for byte, what JSON.stringify writes
 * for the update object it replaces: every key, in wireMessage's order, every
 * string escaped alike, for every kind of viewer and every optional field.
 */
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import type { Message, Viewer } from '../src/game/channel-policy.ts';
import { jsonNumber, newMessageUpdateJson } from '../src/game/update-json.ts';
import { wireMessage } from '../src/game/viewer-stream.ts';
import { messageVisibleTo } from '../src/game/channel-policy.ts';

/** The update as eventUpdates built it before: the object JSON.stringify walked. */
const asObject = (viewer: Viewer, message: Message, version: number, n: number) => JSON.stringify({ version, messages: [wireMessage(viewer, message, n, null)] });

/** Any UTF-16 code unit, lone surrogates and control characters included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const edgy = fc.constantFrom('', '"', '\\', '\u0000', '\n\r\t\b\f', '\u001f', '\u007f', '\u2028\u2029', '\ud800', '\udfff', '😀', 'ü', '</script>', '{"x":1}');
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: codeUnit, maxLength: 40 }),
  fc.array(edgy, { maxLength: 8 }).map((parts) => parts.join('')),
  fc.string({ unit: 'grapheme', minLength: 500, maxLength: 3000 }),
);
const id = fc.oneof(fc.constantFrom('iran', 'us', 'israel', 'mediators', 'public', 'iran-us-mediated'), text);
const viewer: fc.Arbitrary<Viewer> = fc.oneof(
  fc.constant<Viewer>({ kind: 'facilitator' }),
  fc.constant<Viewer>({ kind: 'observer' }),
  id.map((seat): Viewer => ({ kind: 'seat', seat })),
);
const integer = fc.oneof(fc.nat(), fc.constantFrom(0, 1, 9, 10, 99, 2 ** 31, Number.MAX_SAFE_INTEGER));
const number = fc.oneof(integer, fc.double(), fc.constantFrom(-0, Number.NaN, Infinity, -Infinity, 1_765_000_000_000, 1e21, 1.5e-7));
const message: fc.Arbitrary<Message> = fc
  .record(
    {
      seq: integer,
      at: number,
      channel: id,
      from: fc.option(id),
      text,
      to: fc.option(id),
      relayOf: fc.option(fc.constant('m1'), { freq: 5 }),
      fromName: text,
      toWhiteCell: fc.constant<true>(true),
      hidden: fc.constantFrom<'display' | 'everyone'>('display', 'everyone'),
      hiddenAt: integer,
    },
    { requiredKeys: ['seq', 'at', 'channel', 'from', 'text', 'to', 'relayOf'] },
  )
  .map((m): Message => ({ ...m, id: `m${m.seq}`, audience: [] }));

describe('newMessageUpdateJson', () => {
  it('writes what JSON.stringify writes for the update object, for any message, viewer, version and number', () => {
    fc.assert(
      fc.property(viewer, message, integer, integer, (v, m, version, n) => {
        expect(newMessageUpdateJson(v, m, version, n)).toBe(asObject(v, m, version, n));
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps every optional field, in its place, and the text of a message hidden from the viewer out', () => {
    const full: Message = {
      id: 'm7', seq: 7, at: 1_765_000_000_123, channel: 'iran-us', from: 'iran', text: 'a "quoted"\n\u2028 ü 😀 \ud800',
      audience: ['iran', 'us'], to: 'us', relayOf: 'm3', fromName: 'Ana "A"', toWhiteCell: true, hidden: 'display',
    };
    const json = newMessageUpdateJson({ kind: 'seat', seat: 'us' }, full, 12, 5);
    expect(json).toBe(asObject({ kind: 'seat', seat: 'us' }, full, 12, 5));
    expect(Object.keys((JSON.parse(json) as { messages: object[] }).messages[0] ?? {})).toEqual(['id', 'seq', 'at', 'channel', 'from', 'text', 'fromName', 'to', 'relayOf', 'toWhiteCell', 'hidden']);
    expect(newMessageUpdateJson({ kind: 'observer' }, full, 3, 2)).toBe(asObject({ kind: 'observer' }, full, 3, 2));
    expect(newMessageUpdateJson({ kind: 'observer' }, full, 3, 2)).not.toContain('quoted');
  });

  it('writes the same bytes for a channel and sender met again, and for another pair after them', () => {
    const base: Message = { id: 'm1', seq: 1, at: 5, channel: 'public', from: 'iran', text: 't', audience: [], to: null, relayOf: null };
    const others: Message[] = [base, { ...base, from: 'us' }, { ...base, channel: 'c"h' }, { ...base, from: null }, base];
    for (const m of others) expect(newMessageUpdateJson({ kind: 'facilitator' }, m, 2, 1)).toBe(asObject({ kind: 'facilitator' }, m, 2, 1));
  });
});

describe('the text\'s escape test at every boundary', () => {
  /** Each code unit either side of every range JSON escapes: controls, '"', '\\', the surrogates. */
  const boundaries = [0x00, 0x01, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7e, 0x7f, 0x80, 0xd7ff, 0xd800, 0xd801, 0xdbff, 0xdc00, 0xdffe, 0xdfff, 0xe000, 0xfffe, 0xffff];
  const base: Message = { id: 'm1', seq: 1, at: 5, channel: 'public', from: 'iran', text: '', audience: [], to: null, relayOf: null };
  const same = (t: string) => {
    const m = { ...base, text: t };
    expect(newMessageUpdateJson({ kind: 'facilitator' }, m, 2, 1)).toBe(asObject({ kind: 'facilitator' }, m, 2, 1));
  };

  it('writes what JSON.stringify writes for each boundary code unit alone, first, last and amid plain text', () => {
    for (const c of boundaries) {
      const u = String.fromCharCode(c);
      for (const t of [u, u + 'abc', 'abc' + u, 'ab' + u + 'cd', u + u]) same(t);
    }
  });

  it('writes paired surrogates, lone ones in either order, and long texts with one escape anywhere', () => {
    for (const t of ['😀', '\ud83d\ude00x', 'x\ud800\udc00', '\udc00\ud800', '\ud800\ud800', '\udfff\udfff', 'a\ud83d', '\ude00a']) same(t);
    const long = 'plain text, nothing to escape. '.repeat(200);
    same(long);
    for (const at of [0, 1, 3000, long.length - 1, long.length]) {
      for (const c of ['"', '\\', '\u001f', '\u0000', '\ud800', '\udfff', '😀']) same(long.slice(0, at) + c + long.slice(at));
    }
  });

  it('reads a seat\'s audience without Array#includes, a builtin V8 calls out of line, with the same answers', () => {
    const m: Message = { ...base, text: 'plain', audience: ['iran', 'us', 'israel'] };
    const seats = ['iran', 'us', 'israel', 'mediators', '', 'US'];
    const includes = vi.spyOn(Array.prototype, 'includes');
    let reads: boolean[];
    try {
      // The seat's read check the viewer streams make per seat viewer and message (inAudience, as viewer-stream.ts's `reads`).
      reads = seats.map((seat) => messageVisibleTo({ kind: 'seat', seat }, m, undefined));
      expect(includes.mock.calls.length).toBe(0);
    } finally {
      includes.mockRestore();
    }
    expect(reads).toEqual(seats.map((seat) => m.audience.includes(seat)));
  });
});

describe('jsonNumber', () => {
  it('writes what JSON.stringify writes for any number, the halves of a large integer at every boundary included', () => {
    const edges = [0, -0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2_999_999_999, 3_000_000_000, 3_000_000_001, 1_765_000_000_000,
      1_765_000_000_001, 1_765_000_999_999, 1_765_999_999_999, 9_000_000_000_000_000, Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER + 1, 2 ** 60, 1e21, -(2 ** 31), -1_765_000_000_000, 1_765_000_000_000.5, 1.5e-7, Number.NaN, Infinity, -Infinity];
    for (const x of edges) expect(jsonNumber(x)).toBe(JSON.stringify(x));
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.maxSafeInteger(), fc.integer({ min: 2 ** 31, max: 2 ** 45 })), (x) => {
        expect(jsonNumber(x)).toBe(JSON.stringify(x));
      }),
      { numRuns: 20000 },
    );
  });
});
