import { deepFreeze, type Actor, type Command, type LogEntry } from '@rubicon/shared';
import { CommandIndex } from './command-index.ts';

const FIRST_CAPACITY = 16;

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
 */
export class CompactLog {
  #times = new Float64Array(FIRST_CAPACITY);
  readonly #actors: Actor[] = [];
  readonly #commandIds: string[] = [];
  readonly #commands: Command[] = [];
  /** The seq of each command id in the log. */
  readonly index = new CommandIndex((seq) => this.#commandIds[seq - 1]);
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
      const times = new Float64Array(2 * i);
      times.set(this.#times);
      this.#times = times;
      const frozenAt = new Uint8Array(2 * i);
      frozenAt.set(this.#frozenAt);
      this.#frozenAt = frozenAt;
    }
    this.#times[i] = entry.at;
    this.#actors.push(entry.by);
    this.#commandIds.push(entry.commandId);
    this.#commands.push(entry.command);
    this.index.set(entry.commandId, entry.seq);
  }

  /** Entries from index `start` on (seq start + 1 on), made anew; their actors and commands are the stored objects, frozen. */
  slice(start: number): LogEntry[] {
    const out: LogEntry[] = [];
    // `start > 0`, not Math.max: a NaN start reads from the beginning, as Array.slice's did.
    const from = start > 0 ? start : 0;
    this.#freezeFrom(from);
    for (let i = from; i < this.length; i++) {
      out.push({ seq: i + 1, at: this.#times[i] as number, by: this.#actors[i] as Actor, commandId: this.#commandIds[i] as string, command: this.#commands[i] as Command });
    }
    return out;
  }

  /** Freezes the actors and commands from index `from` on that no read has frozen yet. */
  #freezeFrom(from: number): void {
    for (let i = Math.max(from, this.#frozen); i < this.length; i++) {
      if (this.#frozenAt[i] === 1) continue;
      deepFreeze(this.#actors[i]);
      deepFreeze(this.#commands[i]);
      this.#frozenAt[i] = 1;
    }
    if (from <= this.#frozen) this.#frozen = this.length;
  }
}
