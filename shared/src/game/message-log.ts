import type { Message } from './channel-policy.ts';
import { descentsOf, firstAtLeast, indexPrefix, lastAtOrBefore, positionsOf, reindex, type SenderIndex } from './sender-index.ts';

/**
 * The backing store: the messages, their times as a packed column, and what
 * the statement cap reads to count a seat's recent statements without
 * walking the last minute (sender-index.ts): where each (channel, sender)'s
 * messages are, and where the times step back.
 */
interface Columns {
  items: Message[];
  times: number[];
  descents: number[];
  senders: SenderIndex;
}

function prefixOf(c: Columns, length: number): Columns {
  return {
    items: c.items.slice(0, length),
    times: c.times.slice(0, length),
    descents: c.descents.slice(0, firstAtLeast(c.descents, length, 0, c.descents.length)),
    senders: indexPrefix(c.senders, length),
  };
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
  static readonly empty = new MessageLog({ items: [], times: [], descents: [], senders: new Map() }, 0);

  readonly #columns: Columns;
  readonly #items: Message[];

  private constructor(
    columns: Columns,
    readonly length: number,
  ) {
    this.#columns = columns;
    this.#items = columns.items;
  }

  static from(messages: readonly Message[]): MessageLog {
    return MessageLog.empty.appendAll(messages);
  }

  append(message: Message): MessageLog {
    // Someone appended to a newer log sharing this array: fork from our prefix.
    const c = this.#items.length === this.length ? this.#columns : prefixOf(this.#columns, this.length);
    const n = this.length;
    if (n > 0 && !(message.at >= (c.times[n - 1] as number))) c.descents.push(n);
    c.items.push(message);
    c.times.push(message.at);
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
    const old = c.items[i] as Message;
    c.items[i] = message;
    c.times[i] = message.at;
    if (old.channel !== message.channel || old.from !== message.from) reindex(c.senders, i, [old.channel, old.from], [message.channel, message.from]);
    c.descents = descentsOf(c.times, this.length);
    return new MessageLog(c, this.length);
  }

  appendAll(messages: readonly Message[]): MessageLog {
    return messages.reduce<MessageLog>((log, m) => log.append(m), this);
  }

  at(i: number): Message | undefined {
    const k = i < 0 ? this.length + i : i;
    return k >= 0 && k < this.length ? this.#items[k] : undefined;
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
    return i < 0 ? undefined : this.#items[i];
  }

  #indexOf(id: string): number {
    const seq = /^m(\d{1,15})$/.test(id) ? Number(id.slice(1)) : NaN;
    if (Number.isSafeInteger(seq)) {
      let lo = 0;
      let hi = this.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const m = this.#items[mid] as Message;
        if (m.seq === seq && m.id === id) return mid;
        if (m.seq < seq) lo = mid + 1;
        else hi = mid - 1;
      }
    }
    for (let i = 0; i < this.length; i++) if ((this.#items[i] as Message).id === id) return i;
    return -1;
  }

  *[Symbol.iterator](): Iterator<Message> {
    for (let i = 0; i < this.length; i++) yield this.#items[i] as Message;
  }

  /** Messages from index `start` on (negative counts from the end), newest last. */
  slice(start = 0): Message[] {
    const from = start < 0 ? Math.max(0, this.length + start) : start;
    return this.#items.slice(from, this.length);
  }

  filter(test: (m: Message) => boolean): Message[] {
    const out: Message[] = [];
    for (let i = 0; i < this.length; i++) {
      const m = this.#items[i] as Message;
      if (test(m)) out.push(m);
    }
    return out;
  }

  map<T>(f: (m: Message, i: number) => T): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.length; i++) out.push(f(this.#items[i] as Message, i));
    return out;
  }

  find(test: (m: Message) => boolean): Message | undefined {
    for (let i = 0; i < this.length; i++) if (test(this.#items[i] as Message)) return this.#items[i];
    return undefined;
  }

  toArray(): Message[] {
    return this.#items.slice(0, this.length);
  }

  toJSON(): Message[] {
    return this.toArray();
  }
}
