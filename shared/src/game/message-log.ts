import type { Message } from './channel-policy.ts';
import { messageId } from './message-id.ts';
import { newPlaceLists, plainMessage, plainPlaces, type PlaceLists } from './plain-message.ts';
import { descentsOf, firstAtLeast, indexPrefix, lastAtOrBefore, positionsOf, reindex, type SenderIndex } from './sender-index.ts';

/**
 * The backing store: the messages, their times as a packed column, and what
 * the statement cap reads to count a seat's recent statements without
 * walking the last minute (sender-index.ts): where each (channel, sender)'s
 * messages are, and where the times step back.
 *
 * A plain message (plain-message.ts: the command path's own shape, no `to`,
 * no relay) is not kept as its object: `items` holds its text, and its seq,
 * game version and the places of its channel, sender and audience in short
 * lists are numbers in columns; a read makes the object again, equal key for
 * key and in the same order. Every other message is kept whole in `items`.
 * The message object (104 B) and its time's box (16 B) were kept for the
 * life of the session, marked by every mark-compact (docs/performance.md,
 * "CPU per delivery over a minute at 5 msg/s").
 */
interface Columns {
  items: (Message | string)[];
  times: number[];
  /** Every message's seq: `byId`'s binary search reads it without making a message. */
  seqs: number[];
  /** A plain message's game version (0 for a message kept whole). */
  versions: number[];
  /** A plain message's places (plain-message.ts's `packPlaces`; 0 for a message kept whole). */
  places: number[];
  /** The lists the places point into: append-only, so forks share them. */
  lists: PlaceLists;
  /** The newest item's message when it is plain: the viewer streams read it once per viewer, and it is handed out as made. */
  newest: Message | null;
  descents: number[];
  senders: SenderIndex;
}

function emptyColumns(): Columns {
  return { items: [], times: [], seqs: [], versions: [], places: [], lists: newPlaceLists(), newest: null, descents: [], senders: new Map() };
}

function prefixOf(c: Columns, length: number): Columns {
  return {
    items: c.items.slice(0, length),
    times: c.times.slice(0, length),
    seqs: c.seqs.slice(0, length),
    versions: c.versions.slice(0, length),
    places: c.places.slice(0, length),
    lists: c.lists,
    newest: length === c.items.length ? c.newest : null,
    descents: c.descents.slice(0, firstAtLeast(c.descents, length, 0, c.descents.length)),
    senders: indexPrefix(c.senders, length),
  };
}

/** Stores `message` at index i: the end (an assignment at an array's length appends, packed), or a replaced place of a private copy. */
function put(c: Columns, i: number, message: Message): void {
  const places = plainPlaces(c.lists, message);
  c.items[i] = places === 0 ? message : message.text;
  c.times[i] = message.at;
  c.seqs[i] = message.seq;
  c.versions[i] = places === 0 ? 0 : (message.gameVersion as number);
  c.places[i] = places;
  if (i === c.items.length - 1) c.newest = places === 0 ? null : message;
}

/** The message at index i, made again when it is plain. */
function messageAt(c: Columns, i: number): Message {
  const stored = c.items[i] as Message | string;
  if (typeof stored !== 'string') return stored;
  if (i === c.items.length - 1 && c.newest !== null) return c.newest;
  return plainMessage(c.lists, c.places[i] as number, stored, c.seqs[i] as number, c.times[i] as number, c.versions[i] as number);
}

/** The id at index i, without making a plain message. */
function idAt(c: Columns, i: number): string {
  const stored = c.items[i] as Message | string;
  return typeof stored === 'string' ? messageId(c.seqs[i] as number) : stored.id;
}

/** Messages of one sender in one channel, counted newest first (`senderCount`). */
export interface SenderCount {
  count: number;
  /** The time of the last one counted (the oldest), or undefined if none. */
  oldest: number | undefined;
}

/**
 * A session's messages, as an immutable value that costs O(1) to extend.
 *
 * States are values: an older state must keep showing the messages it had.
 * Copying the list on every message made a log of N messages cost O(N²) to
 * replay. Instead, every log made by appending shares one backing array and
 * knows only its own length; appending to the newest log pushes onto the
 * shared array, and appending to an older one (a fork: a command checked
 * against a state that was then left behind) copies its prefix first. Readers
 * only ever see the first `length` items, so no reader can tell the two apart.
 *
 * There is no index by id to copy with a fork: a server forks on every lost
 * race for the log's head (its copy catches up under the batch it had
 * planned), and rebuilding a map of every message there was 4 % of the
 * contention bench's server CPU. A message's id is `m<seq>` and messages are
 * in seq order, so `byId` finds it by binary search; an id of another form,
 * or a log not in that order (nothing the engine makes), is found by a scan.
 * The statement cap's index (sender-index.ts) does fork, but as a slice of
 * each (channel, sender)'s positions: copies like the columns', no hashing.
 */
export class MessageLog implements Iterable<Message> {
  static readonly empty = new MessageLog(emptyColumns(), 0);

  readonly #columns: Columns;

  private constructor(
    columns: Columns,
    readonly length: number,
  ) {
    this.#columns = columns;
  }

  static from(messages: readonly Message[]): MessageLog {
    return MessageLog.empty.appendAll(messages);
  }

  append(message: Message): MessageLog {
    // Someone appended to a newer log sharing these columns: fork from our prefix. The empty log always
    // forks, so that no session's messages hang from the static `empty` for the life of the process.
    const n = this.length;
    const c = n > 0 && this.#columns.items.length === n ? this.#columns : prefixOf(this.#columns, n);
    if (n > 0 && !(message.at >= (c.times[n - 1] as number))) c.descents.push(n);
    put(c, n, message);
    positionsOf(c.senders, message.channel, message.from).push(n);
    return new MessageLog(c, n + 1);
  }

  /**
   * The log with the message of this id replaced (moderation). This copies,
   * O(N): it happens a few times a session, appends thousands of times.
   */
  replace(id: string, message: Message): MessageLog {
    const i = this.#indexOf(id);
    if (i < 0) return this;
    const c = prefixOf(this.#columns, this.length);
    const old = messageAt(c, i);
    put(c, i, message);
    if (old.channel !== message.channel || old.from !== message.from) reindex(c.senders, i, [old.channel, old.from], [message.channel, message.from]);
    c.descents = descentsOf(c.times, this.length);
    return new MessageLog(c, this.length);
  }

  appendAll(messages: readonly Message[]): MessageLog {
    return messages.reduce<MessageLog>((log, m) => log.append(m), this);
  }

  at(i: number): Message | undefined {
    const k = i < 0 ? this.length + i : i;
    return k >= 0 && k < this.length ? messageAt(this.#columns, k) : undefined;
  }

  /**
   * The messages from `from` in `channel`, newest first, among those after
   * the newest message (of anyone) stamped at or before `since`, counted up
   * to `cap`.
   */
  senderCount(channel: string, from: string | null, since: number, cap: number): SenderCount {
    const list = this.#columns.senders.get(channel)?.get(from);
    const end = list === undefined || !(cap > 0) ? 0 : firstAtLeast(list, this.length, 0, list.length);
    if (list === undefined || end === 0) return { count: 0, oldest: undefined };
    const { times, descents } = this.#columns;
    const start = firstAtLeast(list, lastAtOrBefore(times, descents, this.length, since) + 1, 0, end);
    // The scan this replaced counted while `count < cap`: a fractional cap lets its ceiling through.
    const count = Math.min(end - start, Math.ceil(cap));
    return count === 0 ? { count, oldest: undefined } : { count, oldest: times[list[end - count] as number] };
  }

  /** The message with this id: O(log N) for the engine's ids (`m<seq>`). */
  byId(id: string): Message | undefined {
    const i = this.#indexOf(id);
    return i < 0 ? undefined : messageAt(this.#columns, i);
  }

  #indexOf(id: string): number {
    const c = this.#columns;
    const seq = /^m(\d{1,15})$/.test(id) ? Number(id.slice(1)) : NaN;
    if (Number.isSafeInteger(seq)) {
      let lo = 0;
      let hi = this.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const at = c.seqs[mid] as number;
        if (at === seq && idAt(c, mid) === id) return mid;
        if (at < seq) lo = mid + 1;
        else hi = mid - 1;
      }
    }
    for (let i = 0; i < this.length; i++) if (idAt(c, i) === id) return i;
    return -1;
  }

  *[Symbol.iterator](): Iterator<Message> {
    for (let i = 0; i < this.length; i++) yield messageAt(this.#columns, i);
  }

  /** Messages from index `start` on (negative counts from the end), newest last. */
  slice(start = 0): Message[] {
    // Array.slice's reading of `start`: truncated, NaN as 0.
    const rel = Math.trunc(start) || 0;
    const from = rel < 0 ? Math.max(0, this.length + rel) : rel;
    const out: Message[] = [];
    for (let i = from; i < this.length; i++) out.push(messageAt(this.#columns, i));
    return out;
  }

  filter(test: (m: Message) => boolean): Message[] {
    const out: Message[] = [];
    for (let i = 0; i < this.length; i++) {
      const m = messageAt(this.#columns, i);
      if (test(m)) out.push(m);
    }
    return out;
  }

  map<T>(f: (m: Message, i: number) => T): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.length; i++) out.push(f(messageAt(this.#columns, i), i));
    return out;
  }

  find(test: (m: Message) => boolean): Message | undefined {
    for (let i = 0; i < this.length; i++) {
      const m = messageAt(this.#columns, i);
      if (test(m)) return m;
    }
    return undefined;
  }

  toArray(): Message[] {
    return this.slice(0);
  }

  toJSON(): Message[] {
    return this.toArray();
  }
}
