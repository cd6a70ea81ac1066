import { deepFreeze, type Actor, type Command, type LogEntry } from '@rubicon/shared';
import { CommandIndex } from './command-index.ts';
import { doubled } from './doubled.ts';
import { IdArena } from './id-arena.ts';

const FIRST_CAPACITY = 16;
/** A plain message's channel is kept as its place in the log's list of channels, in a Uint16Array (0: not a plain message). */
const MAX_CHANNELS = 0xffff;
type PlainMessage = { type: 'SEND_MESSAGE'; channel: string; text: string };
const PLAIN_KEYS = ['type', 'channel', 'text'] as const;

/** A SEND_MESSAGE of exactly `{type, channel, text}`, keys in that order: one the log can make again from its channel and text. */
function isPlainMessage(command: Command): command is PlainMessage {
  if (command.type !== 'SEND_MESSAGE') return false;
  let k = 0;
  for (const key in command) if (key !== PLAIN_KEYS[k++]) return false;
  return k === 3 && typeof command.channel === 'string' && typeof command.text === 'string';
}

/**
 * One session's log in the memory store, kept as columns, not as the entry
 * objects handed in: an entry's seq is its place (seq n at index n - 1, which
 * the store's checks already hold), its time a slot of a Float64Array, and
 * its actor, command id and command the objects the entry pointed to.
 *
 * An entry object (64 B) and its time's heap number (16 B) were two of the
 * objects every message kept for the life of a session, on the V8 heap,
 * where they grow the old generation towards its next mark-compact and are
 * marked by each one. The entries are made again, with the same keys in the
 * same order, only when read (a reconnect's catch-up, a conflict's reply, an
 * export).
 *
 * A read hands out new entry objects whose actors and commands are the
 * stored ones, frozen (deep) the first time they are read: no reader can
 * change what is stored, and none pays for a copy (a structuredClone of an
 * 8,000-entry log held the serving thread 15-31 ms in every export).
 *
 * The command ids are bytes outside the V8 heap (IdArena), and a plain public
 * message's command (`{type, channel, text}`, 48 B) is not kept: its text is
 * (the very string the game's message holds), its channel a place in a short
 * list, and a read makes the command again, frozen, with the same keys in the
 * same order. Each was copied by two scavenges and marked by every
 * mark-compact for the life of the session (docs/performance/fan-out-log.md,
 * "Command ids and plain commands off the young generation's path").
 */
export class CompactLog {
  #times = new Float64Array(FIRST_CAPACITY);
  readonly #actors: Actor[] = [];
  readonly #commandIds = new IdArena();
  /** A command, or a plain message's text (its channel is then in #channelOf). */
  readonly #commands: (Command | string)[] = [];
  /** For a plain message, 1 + its channel's place in #channels; 0 for a command kept whole. */
  #channelOf = new Uint16Array(FIRST_CAPACITY);
  readonly #channels: string[] = [];
  /** The place in #channels the last plain message's channel was found at: a session's public messages are most of them. */
  #lastChannel = 0;
  /** The seq of each command id in the log. */
  readonly index = new CommandIndex((seq, id) => this.#commandIds.equals(seq - 1, id));
  /**
   * 1 for each entry a read has frozen, so that a later read of it freezes nothing again. A byte each, not a
   * frozen prefix alone: a read that starts past the prefix (a reconnect's catch-up) freezes a tail the
   * prefix does not cover, and a second read of that tail must not walk it again.
   */
  #frozenAt = new Uint8Array(FIRST_CAPACITY);
  /** Every entry below this index is frozen: reads that start inside the prefix skip it without looking. */
  #frozen = 0;

  get length(): number {
    return this.#commandIds.length;
  }

  push(entry: LogEntry): void {
    const i = this.#commandIds.length;
    if (entry.seq !== i + 1) throw new Error(`entry ${entry.seq} cannot follow ${i}`);
    if (i === this.#times.length) {
      this.#times = doubled(this.#times, Float64Array);
      this.#frozenAt = doubled(this.#frozenAt, Uint8Array);
      this.#channelOf = doubled(this.#channelOf, Uint16Array);
    }
    this.#times[i] = entry.at;
    this.#actors.push(entry.by);
    this.#commandIds.push(entry.commandId);
    const command = entry.command;
    const plain = isPlainMessage(command) ? command : undefined;
    const channel = plain === undefined ? 0 : this.#channelPlace(plain.channel);
    this.#channelOf[i] = channel;
    this.#commands.push(plain !== undefined && channel !== 0 ? plain.text : command);
    this.index.set(entry.commandId, entry.seq);
  }

  /** 1 + the channel's place in the list (added if new), or 0 if the list is full. */
  #channelPlace(channel: string): number {
    const channels = this.#channels;
    if (channels[this.#lastChannel] === channel) return this.#lastChannel + 1;
    let c = channels.indexOf(channel);
    if (c < 0) {
      if (channels.length === MAX_CHANNELS) return 0;
      c = channels.push(channel) - 1;
    }
    this.#lastChannel = c;
    return c + 1;
  }

  /** The command at index `i`: the stored one, or a plain message's made again (a new object, frozen). */
  #commandAt(i: number): Command {
    const stored = this.#commands[i] as Command | string;
    if (typeof stored !== 'string') return stored;
    const command: PlainMessage = { type: 'SEND_MESSAGE', channel: this.#channels[(this.#channelOf[i] as number) - 1] as string, text: stored };
    return Object.freeze(command);
  }

  /** Entries from index `start` on (seq start + 1 on), made anew; their actors and commands are the stored objects, frozen (a plain message's command made again, frozen). */
  slice(start: number): LogEntry[] {
    const out: LogEntry[] = [];
    // `start > 0`, not Math.max: a NaN start reads from the beginning, as Array.slice's did.
    const from = start > 0 ? start : 0;
    this.#freezeFrom(from);
    for (let i = from; i < this.length; i++) {
      out.push({ seq: i + 1, at: this.#times[i] as number, by: this.#actors[i] as Actor, commandId: this.#commandIds.at(i) as string, command: this.#commandAt(i) });
    }
    return out;
  }

  /** Freezes the actors and commands from index `from` on that no read has frozen yet. */
  #freezeFrom(from: number): void {
    for (let i = Math.max(from, this.#frozen); i < this.length; i++) {
      if (this.#frozenAt[i] === 1) continue;
      deepFreeze(this.#actors[i]);
      const command = this.#commands[i];
      if (typeof command !== 'string') deepFreeze(command);
      this.#frozenAt[i] = 1;
    }
    if (from <= this.#frozen) this.#frozen = this.length;
  }
}
