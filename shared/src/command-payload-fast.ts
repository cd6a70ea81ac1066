import type { z } from 'zod';
import { MAX_MESSAGE } from './limits.ts';
import { CommandPayload } from './protocol.ts';
import type { SendMessage } from './game/commands.ts';

/**
 * The `command` payload's parse with a fast path for its hottest shape: a
 * seat's plain SEND_MESSAGE (no relay, no note to the white cell). The fast
 * path only ever says yes: it accepts a payload it can prove the schema
 * accepts, and returns what the schema would (the same keys in the same
 * order, the text trimmed); anything else, every refusal included, goes to
 * zod, so the verdicts and the refusals' wording are the schema's
 * (command-payload-fast.test.ts checks this against CommandPayload on
 * generated payloads). zod's parse of this shape cost about a microsecond
 * per command in the fan-out bench's profile, most of it its generic
 * object walk.
 */
export function parseCommandPayload(input: unknown): z.ZodSafeParseResult<CommandPayload> {
  const data = plainSendMessage(input);
  return data ? { success: true, data } : CommandPayload.safeParse(input);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/*
 * The schema's two patterns, checked by character code rather than with RegExp#test and the keys by `===` rather
 * than Array#includes: each of those calls a builtin V8 does not inline, and under callgrind (Node 24) they were
 * about 1,550 of the fast path's 3,310 instructions a message (docs/performance/fan-out-log.md, "The ingress's
 * own code under callgrind…").
 */

/** /^[A-Za-z0-9_-]+$/ (protocol.ts, CommandId) on a string already known not to be empty. */
function idChars(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // a-z, A-Z, 0-9, '_', '-'
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45)) return false;
  }
  return true;
}

/** Slug (scenario/schema.ts): 1-64 characters of /^[a-z][a-z0-9-]*$/. */
function isSlug(value: unknown): value is string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 64) return false;
  const first = value.charCodeAt(0);
  if (first < 97 || first > 122) return false;
  for (let i = 1; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45)) return false;
  }
  return true;
}

/** CommandPayload's keys. */
const payloadKey = (key: string) => key === 'commandId' || key === 'expectedGameVersion' || key === 'command';
/** SEND_MESSAGE's keys that the fast path takes (not relayOf nor toWhiteCell). */
const commandKey = (key: string) => key === 'type' || key === 'channel' || key === 'text' || key === 'to';

/** Own enumerable keys, each one `allowed` (the schema is strict: any other key is refused). */
function keysWithin(value: Record<string, unknown>, allowed: (key: string) => boolean): boolean {
  for (const key in value) {
    if (!Object.hasOwn(value, key) || !allowed(key)) return false;
  }
  return true;
}

/** The payload as CommandPayload would return it, if it is a plain SEND_MESSAGE the schema surely accepts; null otherwise (ask zod). */
export function plainSendMessage(input: unknown): CommandPayload | null {
  if (!isPlainObject(input) || !keysWithin(input, payloadKey)) return null;
  const { commandId, expectedGameVersion, command } = input;
  if (typeof commandId !== 'string' || commandId.length < 8 || commandId.length > 64 || !idChars(commandId)) return null;
  const withVersion = Object.hasOwn(input, 'expectedGameVersion');
  if (withVersion && !(typeof expectedGameVersion === 'number' && Number.isSafeInteger(expectedGameVersion) && expectedGameVersion >= 0)) return null;
  if (!isPlainObject(command) || !keysWithin(command, commandKey) || command.type !== 'SEND_MESSAGE') return null;
  const { channel, text, to } = command;
  if (!isSlug(channel) || typeof text !== 'string') return null;
  // The schema trims first, then bounds the trimmed text.
  const trimmed = text.trim();
  if (trimmed.length < 1 || trimmed.length > MAX_MESSAGE) return null;
  const withTo = Object.hasOwn(command, 'to');
  if (withTo && !isSlug(to)) return null;
  // Keys in the schema's order, as zod builds its output.
  const parsed: SendMessage = withTo ? { type: 'SEND_MESSAGE', channel, text: trimmed, to: to as string } : { type: 'SEND_MESSAGE', channel, text: trimmed };
  return withVersion ? { commandId, expectedGameVersion: expectedGameVersion as number, command: parsed } : { commandId, command: parsed };
}
