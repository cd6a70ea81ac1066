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

const COMMAND_ID = /^[A-Za-z0-9_-]+$/;
const SLUG = /^[a-z][a-z0-9-]*$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function isSlug(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= 64 && SLUG.test(value);
}

/** Own enumerable keys, each one of `allowed` (the schema is strict: any other key is refused). */
function keysWithin(value: Record<string, unknown>, allowed: readonly string[]): boolean {
  for (const key in value) {
    if (!Object.hasOwn(value, key) || !allowed.includes(key)) return false;
  }
  return true;
}

const PAYLOAD_KEYS = ['commandId', 'expectedGameVersion', 'command'] as const;
const COMMAND_KEYS = ['type', 'channel', 'text', 'to'] as const;

/** The payload as CommandPayload would return it, if it is a plain SEND_MESSAGE the schema surely accepts; null otherwise (ask zod). */
export function plainSendMessage(input: unknown): CommandPayload | null {
  if (!isPlainObject(input) || !keysWithin(input, PAYLOAD_KEYS)) return null;
  const { commandId, expectedGameVersion, command } = input;
  if (typeof commandId !== 'string' || commandId.length < 8 || commandId.length > 64 || !COMMAND_ID.test(commandId)) return null;
  const withVersion = Object.hasOwn(input, 'expectedGameVersion');
  if (withVersion && !(typeof expectedGameVersion === 'number' && Number.isSafeInteger(expectedGameVersion) && expectedGameVersion >= 0)) return null;
  if (!isPlainObject(command) || !keysWithin(command, COMMAND_KEYS) || command.type !== 'SEND_MESSAGE') return null;
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
