import { stdSerializers } from 'pino';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH } from '@rubicon/shared/limits';
import { normalizeCode } from './session/secrets.ts';

/**
 * What the app's logger writes passes through here (logger.ts), so that no token, join code or
 * other credential reaches a log line at any depth: pino's own `redact` paths name fixed depths
 * (`*.token` is one level), and an error's message, cause or enumerable fields carry whatever the
 * code that threw put there (body-parser's `body`, a request path with a code in it).
 *
 * Two nets, because either alone misses something:
 * - by field name, at any depth: a secret-named field loses its value wherever it sits;
 * - by shape, in every string (messages, stacks, paths): a token (40-128 characters of nanoid's
 *   alphabet, as newToken and OwnBots make them, but not a SHA-256's 64 lower-case hex), a join code (JOIN_CODE_LENGTH characters of its
 *   alphabet, in upper case with or without the dash people type), anything after `/join/` (the
 *   client's link for a code, typed in any case) and the credentials in a URL.
 */

export const REDACTED = '[redacted]';

/** Beyond this depth a value is not walked but replaced: a log line has no business that deep. */
const MAX_DEPTH = 12;

/** Field names compared without case, `-` or `_` ("x-rubicon-own-bot" is "xrubiconownbot"). */
const SECRET_NAMES = new Set([
  ...['authorization', 'cookie', 'setcookie', 'xrubiconownbot', 'joincode', 'facilitatorcode', 'accesscode', 'password'],
  // Whole payloads (body-parser puts the raw body on its errors): whatever a client sent, codes and tokens included.
  ...['body', 'rawbody', 'payload'],
]);
/** A field ending in one of these holds a credential (facilitatorToken, metricsToken, apiKey, llmApiKey...). */
const SECRET_SUFFIXES = ['token', 'tokens', 'secret', 'secrets', 'apikey', 'password'];

const half = Math.floor(JOIN_CODE_LENGTH / 2);
const codeChar = `[${JOIN_CODE_ALPHABET}]`;
const JOIN_CODE_SHAPE = new RegExp(`^${codeChar}{${JOIN_CODE_LENGTH}}$`);
const TEXT_PATTERNS: readonly [RegExp, string][] = [
  [/\/join\/[^/?#\s"'`]+/gi, `/join/${REDACTED}`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, `$1${REDACTED}@`],
  // A SHA-256 in hex (a token's stored hash, an export's digest that `rubicon verify` prints) is left:
  // every token the server makes is 43 characters, and one of them all lower-case hex has odds of 2^-86.
  [/(?<![A-Za-z0-9_-])(?![0-9a-f]{64}(?![A-Za-z0-9_-]))[A-Za-z0-9_-]{40,128}(?![A-Za-z0-9_-])/g, REDACTED],
  // An upper-case word of the codes' letters ("STRATEGY") is scrubbed too: about one real code in
  // eleven has no digit ((23/31)^8), so telling words from codes would leak those.
  [new RegExp(`(?<![A-Za-z0-9])${codeChar}{${half}}-?${codeChar}{${JOIN_CODE_LENGTH - half}}(?![A-Za-z0-9])`, 'g'), REDACTED],
];

/** `text` with every secret-shaped part replaced. */
export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TEXT_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

function isSecretName(key: string): boolean {
  const name = key.replace(/[-_]/g, '').toLowerCase();
  return SECRET_NAMES.has(name) || SECRET_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

/**
 * `code` is an error's code ('stale', 'ECONNRESET') as often as a join code: kept unless its value,
 * as people type it, has a join code's shape.
 */
function isJoinCodeValue(key: string, value: unknown): boolean {
  return key === 'code' && typeof value === 'string' && JOIN_CODE_SHAPE.test(normalizeCode(value));
}

function isErrorLike(value: object): value is Error {
  return value instanceof Error || ('message' in value && typeof value.message === 'string' && 'stack' in value);
}

/** A copy of `value` that is safe to log: plain data, secrets replaced, errors serialized (message, stack with causes, fields). */
export function scrubValue(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item: unknown) => scrubValue(item, depth + 1, seen));
    if (isErrorLike(value)) return scrubFields(stdSerializers.err(value), depth, seen);
    if ('toJSON' in value && typeof value.toJSON === 'function') return scrubValue(value.toJSON(), depth + 1, seen);
    return scrubFields(value, depth, seen);
  } finally {
    seen.delete(value);
  }
}

function scrubFields(value: object, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = isSecretName(key) || isJoinCodeValue(key, field) ? REDACTED : scrubValue(field, depth + 1, seen);
  }
  return out;
}

/** A copy of a log line's merging object (or a child's bindings) that is safe to log. */
export function scrubRecord(value: object): Record<string, unknown> {
  return scrubFields(value, 0, new WeakSet());
}

function errorIn(first: object): Error | null {
  const err: unknown = first instanceof Error ? first : 'err' in first ? first.err : undefined;
  return typeof err === 'object' && err !== null && isErrorLike(err) ? err : null;
}

/**
 * A log method's arguments (pino's logMethod hook) with the message and its interpolated values
 * made safe; the merging object is left to scrubRecord (pino's formatters.log). Where a line has
 * no message and an error, pino takes the error's message unscrubbed: this gives it the scrubbed one.
 */
export function scrubLogArguments(args: readonly unknown[]): unknown[] {
  const [first, ...rest] = args;
  if (typeof first !== 'object' || first === null) return args.map((arg) => scrubValue(arg));
  const [message, ...params] = rest;
  const err = message === undefined && !('msg' in first) ? errorIn(first) : null;
  return [first, err ? scrubText(err.message) : scrubValue(message), ...params.map((param) => scrubValue(param))];
}
