import type { Message } from './channel-policy.ts';

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
 */
export class MessageLog implements Iterable<Message> {
  static readonly empty = new MessageLog([], new Map(), 0);

  readonly #items: Message[];
  /** Message id → its index in #items, shared like the array. */
  readonly #index: Map<string, number>;

  private constructor(
    items: Message[],
    index: Map<string, number>,
    readonly length: number,
  ) {
    this.#items = items;
    this.#index = index;
  }

  static from(messages: readonly Message[]): MessageLog {
    return MessageLog.empty.appendAll(messages);
  }

  append(message: Message): MessageLog {
    let items = this.#items;
    let index = this.#index;
    if (items.length !== this.length) {
      // Someone appended to a newer log sharing this array: fork from our prefix.
      items = items.slice(0, this.length);
      index = new Map([...index].filter(([, i]) => i < this.length));
    }
    items.push(message);
    index.set(message.id, this.length);
    return new MessageLog(items, index, this.length + 1);
  }

  /**
   * The log with the message of this id replaced (moderation). This copies,
   * O(N): it happens a few times a session, appends thousands of times.
   */
  replace(id: string, message: Message): MessageLog {
    const i = this.#index.get(id);
    if (i === undefined || i >= this.length) return this;
    const items = this.#items.slice(0, this.length);
    items[i] = message;
    const index = new Map([...this.#index].filter(([, k]) => k < this.length));
    index.delete(id);
    index.set(message.id, i);
    return new MessageLog(items, index, this.length);
  }

  appendAll(messages: readonly Message[]): MessageLog {
    return messages.reduce<MessageLog>((log, m) => log.append(m), this);
  }

  at(i: number): Message | undefined {
    const k = i < 0 ? this.length + i : i;
    return k >= 0 && k < this.length ? this.#items[k] : undefined;
  }

  /** The message with this id, in O(1). */
  byId(id: string): Message | undefined {
    const i = this.#index.get(id);
    return i !== undefined && i < this.length ? this.#items[i] : undefined;
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
