import { messageAsSeenBy, type Message, type Viewer } from './channel-policy.ts';
import { UNSEEN_MESSAGE } from './viewer-stream.ts';

/**
 * A channel's and a sender's part of an update's JSON, `,"channel":…,"from":…,"text":`, written once for each
 * pair met (a game has a handful of channels and seats): two JSON.stringify calls and three concatenations fewer
 * per message. Keyed by the strings themselves, so nothing is built to look one up. Module-wide, so bounded:
 * channels come from scenario files, and a process that loads many (imports) must not keep every name.
 */
const channelFrom = new Map<string, Map<string | null, string>>();
const MAX_CHANNELS = 256;

function channelFromText(channel: string, from: string | null): string {
  let byFrom = channelFrom.get(channel);
  if (!byFrom) {
    if (channelFrom.size >= MAX_CHANNELS) channelFrom.clear();
    byFrom = new Map();
    channelFrom.set(channel, byFrom);
  }
  let text = byFrom.get(from);
  if (text === undefined) {
    text = `,"channel":${JSON.stringify(channel)},"from":${JSON.stringify(from)},"text":`;
    byFrom.set(from, text);
  }
  return text;
}

/**
 * What makes JSON.stringify write a string otherwise than between two quotes: a quote, a backslash, a control
 * character, a lone surrogate (any surrogate here: a pair goes the longer way too, and comes out the same).
 * A pattern, not a loop over charCodeAt: V8 compiles it to a native scan, and the loop counted about three times
 * its instructions a message under callgrind on both Nodes (docs/performance/fan-out-log.md, 7 December, "The
 * JSON escape test").
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const ESCAPED = /[\u0000-\u001f"\\\ud800-\udfff]/;

/**
 * JSON.stringify(s). A text with nothing to escape (nearly every message) is put between quotes as it is, two
 * cons strings, where JSON.stringify copied it through a builder that grows by doubling (about 430 B a message
 * more on Node 20 and 140 B on Node 24 for a 230-character text, in a micro-benchmark).
 */
function jsonString(s: string): string {
  return ESCAPED.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

/** The largest small integer (Smi) V8 keeps unboxed on a 64-bit build with pointer compression: 2^31 - 1. */
const SMI_MAX = 0x7fffffff;
const BILLION = 1e9;
const ZEROS = '000000000';

/**
 * JSON.stringify's text for a number (`null` when it is not finite). A message's `at`, milliseconds since 1970
 * (about 1.8e12), is past the small integers, and String() of such a double runs V8's general double-to-text
 * conversion: about 430-550 ns a call on Node 24 in a micro-benchmark, and 22 of the update JSON's 27 busy
 * samples in a fan-out profile (docs/performance/fan-out-log.md, 6 December, "A message's time as text"). A
 * safe integer past 2^31 is written as its two halves around the ninth digit, each a small integer, in about
 * 170-250 ns: the same digits, since JSON.stringify writes every integer below 1e21 in plain decimal.
 */
export function jsonNumber(x: number): string {
  if (x > SMI_MAX && x <= Number.MAX_SAFE_INTEGER && Number.isInteger(x)) {
    // Exact: `%` of doubles is exact, and (x - low) is a multiple of 1e9 whose quotient is a safe integer.
    const low = x % BILLION;
    const lowText = String(low);
    return String((x - low) / BILLION) + ZEROS.slice(lowText.length) + lowText;
  }
  return Number.isFinite(x) ? String(x) : 'null';
}

/**
 * What JSON.stringify writes for `{ version, messages: [wireMessage(viewer, message, n, null)] }`, a new
 * message's update (broadcast.ts), written from the log's message without that object, its list and the update
 * around it, and without JSON.stringify's walk of them (docs/performance/fan-out-log.md, 6 December, "A public
 * message's update written from the message"). The keys are wireMessage's, in its order; strings are escaped
 * by JSON.stringify of the string alone, or quoted as they are when they have nothing to escape. Meant for a
 * message relaying nothing (wireMessageVariant not null): a relay names another message in each reader's own
 * numbering, written here as unseen (as wireMessage's `relayed` null).
 */
export function newMessageUpdateJson(viewer: Viewer, message: Message, version: number, n: number): string {
  const seen = messageAsSeenBy(viewer, message);
  // Few pieces, the longest last: each `+` of a long string is a cons string (CommandAnswer.ackJson).
  let out = '{"version":' + jsonNumber(version) + ',"messages":[{"id":"n' + String(n) + '","seq":' + jsonNumber(n) + ',"at":' + jsonNumber(seen.at);
  out += channelFromText(seen.channel, seen.from) + jsonString(seen.text);
  if (seen.fromName !== undefined) out += ',"fromName":' + JSON.stringify(seen.fromName);
  if (seen.to !== null && seen.to !== undefined) out += ',"to":' + JSON.stringify(seen.to);
  if (seen.relayOf !== null) out += ',"relayOf":' + JSON.stringify(UNSEEN_MESSAGE);
  if (seen.toWhiteCell) out += ',"toWhiteCell":true';
  if (seen.hidden !== undefined) out += ',"hidden":' + JSON.stringify(seen.hidden);
  return out + '}]}';
}
