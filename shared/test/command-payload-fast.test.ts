/**
 * The command payload's fast path (command-payload-fast.ts) must give the
 * schema's verdict and the schema's output on every payload: it may only
 * accept what CommandPayload accepts, returning exactly what CommandPayload
 * returns (key order included, as the log is written from it), and leaves
 * everything else to zod.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { CommandPayload } from '../src/protocol.ts';
import { parseCommandPayload, plainSendMessage } from '../src/command-payload-fast.ts';
import { MAX_MESSAGE } from '../src/limits.ts';

/** Strings near each check's edges: lengths, characters a slug or an id may not hold, whitespace that trim() removes. */
const edgeChars = ['a', 'z', 'A', '0', '9', '-', '_', ' ', '\t', '\n', '\u00a0', '\u2028', '\ufeff', 'é', 'Z', '.', '$', '\u0000'];
const edgy = (maxLength: number) => fc.array(fc.constantFrom(...edgeChars), { maxLength }).map((cs) => cs.join(''));
const validSlug = fc.stringMatching(/^[a-z][a-z0-9-]{0,70}$/);
const slugish = fc.oneof({ weight: 6, arbitrary: validSlug }, fc.constantFrom('public', 'iran-us', 'us', 'a', 'a'.repeat(64), 'a'.repeat(65), '', 'Public', '9lives', 'a_b', 'a-'), edgy(6), fc.string({ maxLength: 8 }));
const commandId = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{6,66}$/) },
  fc.constantFrom('x'.repeat(7), 'x'.repeat(8), 'x'.repeat(64), 'x'.repeat(65), 'abc def12', 'abcdefgh\n', 'abcdéfgh'),
  edgy(10),
);
const padding = fc.constantFrom('', ' ', '  \n', '\u00a0', '\u2028', '\ufeff', '\t');
const text = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(padding, fc.string({ maxLength: 30 }), padding).map(([a, t, b]) => a + t + b) },
  fc.tuple(padding, fc.integer({ min: MAX_MESSAGE - 2, max: MAX_MESSAGE + 2 }), padding).map(([a, n, b]) => a + 'x'.repeat(n) + b),
  edgy(4),
);
const version = fc.oneof({ weight: 6, arbitrary: fc.nat() }, fc.integer({ min: -3, max: -1 }), fc.constantFrom(0.5, Number.NaN, Infinity, 2 ** 53, Number.MAX_SAFE_INTEGER, -0, '3', null, undefined));

/** Now and then a key the fast path does not take (or the schema does not know), or one it takes twice over. */
const extra = fc.oneof(
  { weight: 8, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('extra', 'relayOf', 'toWhiteCell', 'constructor', 'command', 'to'), fc.jsonValue(), { minKeys: 1, maxKeys: 1 }) },
);

const command = fc
  .record(
    {
      type: fc.oneof({ weight: 8, arbitrary: fc.constant('SEND_MESSAGE') }, fc.constantFrom('HIDE_MESSAGE', 'START', 'send_message')),
      channel: slugish,
      text,
      to: fc.oneof({ weight: 3, arbitrary: slugish }, fc.constant(null), fc.constant(undefined)),
    },
    { requiredKeys: ['type', 'channel', 'text'] },
  )
  .chain((c) => extra.map((e) => ({ ...c, ...e })));

const payload = fc
  .record({ commandId, expectedGameVersion: version, command: fc.oneof({ weight: 9, arbitrary: command }, { weight: 1, arbitrary: fc.anything() }) }, { requiredKeys: ['commandId', 'command'] })
  .chain((p) => extra.map((e) => ({ ...p, ...e })));

const anything = fc.oneof({ weight: 9, arbitrary: payload }, { weight: 1, arbitrary: fc.anything() });

describe('the command payload fast path', () => {
  it('accepts only what the schema accepts, with the schema output, and its verdict is the schema verdict everywhere', () => {
    let fast = 0;
    let accepted = 0;
    fc.assert(
      fc.property(anything, (input) => {
        const schema = CommandPayload.safeParse(input);
        const taken = plainSendMessage(input);
        if (taken) {
          fast++;
          expect(schema.success).toBe(true);
          expect(JSON.stringify(taken)).toBe(JSON.stringify(schema.data));
          expect(taken).toStrictEqual(schema.data);
        }
        const ours = parseCommandPayload(input);
        expect(ours.success).toBe(schema.success);
        if (schema.success) accepted++;
        if (ours.success) expect(JSON.stringify(ours.data)).toBe(JSON.stringify(schema.data));
        else expect(ours.error.issues).toEqual(schema.error?.issues);
      }),
      { numRuns: 20_000, seed: 20261204 },
    );
    // The generator reaches both sides of the fast path's checks.
    expect(fast).toBeGreaterThan(1_000);
    expect(accepted).toBeGreaterThan(fast);
  });

  it('takes the hot shapes: a public message, with and without a game version and an addressee', () => {
    const inputs = [
      { commandId: 'abcdefgh', command: { type: 'SEND_MESSAGE', channel: 'public', text: '  hello \u2028' } },
      { commandId: 'abcdefgh-_12', expectedGameVersion: 4, command: { type: 'SEND_MESSAGE', channel: 'iran-us-mediated', text: 'x', to: 'us' } },
    ];
    for (const input of inputs) {
      expect(plainSendMessage(input)).toStrictEqual(CommandPayload.parse(input));
    }
  });

  it('leaves a relay, a note to the white cell and every other command to the schema', () => {
    const send = { type: 'SEND_MESSAGE', channel: 'public', text: 'hi' };
    for (const command of [{ ...send, relayOf: 'n1' }, { ...send, toWhiteCell: true }, { type: 'START' }, { type: 'HIDE_MESSAGE', message: 'n1', from: 'display' }]) {
      expect(plainSendMessage({ commandId: 'abcdefgh', expectedGameVersion: 1, command })).toBeNull();
      expect(parseCommandPayload({ commandId: 'abcdefgh', expectedGameVersion: 1, command }).success).toBe(true);
    }
  });

  it('takes a public message without RegExp#test or Array#includes, builtins V8 calls out of line', () => {
    const input = { commandId: 'message-12345', command: { type: 'SEND_MESSAGE', channel: 'iran-us', text: ' hello ', to: 'us' } };
    const test = vi.spyOn(RegExp.prototype, 'test');
    const includes = vi.spyOn(Array.prototype, 'includes');
    try {
      const taken = plainSendMessage(input);
      // Counted before the schema's parse, whose calls are zod's.
      expect(test.mock.calls.length + includes.mock.calls.length).toBe(0);
      expect(taken).toStrictEqual(CommandPayload.parse(input));
    } finally {
      test.mockRestore();
      includes.mockRestore();
    }
  });
});
