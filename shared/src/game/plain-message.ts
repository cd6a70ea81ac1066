import type { Message } from './channel-policy.ts';
import type { SeatId } from '../scenario/schema.ts';
import { messageId } from './message-id.ts';

/**
 * The shape newMessage (game.ts) gives every message a seat or the white cell
 * sends without a name, a recipient, a relay or a note: these keys, in this
 * order. A message of exactly this shape, whose id is `messageId(seq)`, can be
 * made again from its text, three numbers and three places, equal key for key
 * and in the same order, so JSON of it (exports, snapshots, frames) is byte
 * for byte the same; MessageLog keeps such a message as those, not as its
 * object. Anything else (a name, `to`, `relayOf`, a note, a moderation, a
 * frozen object, an imported message of another key order) is kept whole.
 */
const PLAIN_KEYS = ['id', 'seq', 'at', 'channel', 'from', 'text', 'audience', 'to', 'relayOf', 'gameVersion'] as const;

/** Bits of a place: a session has a handful of channels, seats and audiences; past 1,023 of one, messages are kept whole. */
const BITS = 10;
const MAX_PLACE = (1 << BITS) - 1;

/** The distinct channels, senders and audiences of one log's plain messages, each at its place. */
export interface PlaceLists {
  channels: string[];
  senders: (SeatId | null)[];
  /** Compared by identity: the messages of one channel sent to all its members share one frozen list (membersInPlay). */
  audiences: (readonly SeatId[])[];
}

export function newPlaceLists(): PlaceLists {
  return { channels: [], senders: [], audiences: [] };
}

/** 1 + the value's place in the list (added if new), or 0 once the list is full. */
function placeIn<T>(list: T[], value: T): number {
  // Newest first, by hand: the lists are a few entries long, and lastIndexOf's builtin call cost
  // about 400 instructions a message under callgrind (the senders alternate), more than the search.
  let i = list.length - 1;
  while (i >= 0 && list[i] !== value) i--;
  if (i < 0) {
    if (list.length === MAX_PLACE) return 0;
    i = list.push(value) - 1;
  }
  return i + 1;
}

function isPlain(m: Message): boolean {
  if (m.to !== null || m.relayOf !== null || typeof m.gameVersion !== 'number' || typeof m.text !== 'string' || Object.isFrozen(m)) return false;
  let k = 0;
  for (const key in m) if (key !== PLAIN_KEYS[k++]) return false;
  return k === PLAIN_KEYS.length && m.id === messageId(m.seq);
}

/** The message's three places packed in one small integer (each 1-based), or 0 if it is not plain or a list is full. */
export function plainPlaces(lists: PlaceLists, m: Message): number {
  if (!isPlain(m)) return 0;
  const channel = placeIn(lists.channels, m.channel);
  const sender = channel === 0 ? 0 : placeIn(lists.senders, m.from);
  const audience = sender === 0 ? 0 : placeIn(lists.audiences, m.audience);
  return audience === 0 ? 0 : channel | (sender << BITS) | (audience << (2 * BITS));
}

/** The plain message stored as these: a new object, the keys newMessage gives them, in its order. */
export function plainMessage(lists: PlaceLists, places: number, text: string, seq: number, at: number, gameVersion: number): Message {
  return {
    id: messageId(seq),
    seq,
    at,
    channel: lists.channels[(places & MAX_PLACE) - 1] as string,
    from: lists.senders[((places >> BITS) & MAX_PLACE) - 1] as SeatId | null,
    text,
    audience: lists.audiences[(places >> (2 * BITS)) - 1] as readonly SeatId[],
    to: null,
    relayOf: null,
    gameVersion,
  };
}
