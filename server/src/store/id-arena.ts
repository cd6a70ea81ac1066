import { doubled } from './doubled.ts';

/**
 * The command ids of one session's log, as bytes in one growable buffer with
 * each id's end in an Int32Array (its start is the previous id's end), not as
 * one heap string each.
 *
 * A command id (32 B on the V8 heap for the wire's 8-64 characters) was one of
 * the objects every message kept for the life of its session: a scavenge
 * copied it within the young generation and again into the old one, and every
 * mark-compact marked it. A buffer's backing store is outside the V8 heap, so
 * no collection copies or marks it. An id is made a string again only when a
 * log is read (a catch-up, an export, a conflict's reply); the command index
 * compares ids against the bytes where they lie.
 *
 * The wire's ids are ASCII ([A-Za-z0-9_-], protocol.ts); the schema of a stored
 * entry allows any string, so an id with any other character (an imported log)
 * is kept as its string, by index, and its bytes are left empty.
 */
const FIRST_IDS = 16;
const FIRST_BYTES = 256;
const ASCII_END = 0x80;

export class IdArena {
  #bytes: Buffer<ArrayBuffer> = Buffer.allocUnsafeSlow(FIRST_BYTES);
  #ends = new Int32Array(FIRST_IDS);
  #length = 0;
  /** Ids with a character outside ASCII, by index: their bytes are empty. */
  readonly #others = new Map<number, string>();

  get length(): number {
    return this.#length;
  }

  push(id: string): void {
    const i = this.#length;
    if (i === this.#ends.length) this.#ends = doubled(this.#ends, Int32Array);
    const start = i === 0 ? 0 : (this.#ends[i - 1] as number);
    const end = isAscii(id) ? start + id.length : start;
    if (end === start) this.#others.set(i, id);
    else {
      if (end > this.#bytes.length) this.#bytes = grownBytes(this.#bytes, end);
      const bytes = this.#bytes;
      // A loop, not Buffer#write: a C++ call's setup costs more than the 8-64 units of a wire id.
      for (let k = 0; k < id.length; k++) bytes[start + k] = id.charCodeAt(k);
    }
    this.#ends[i] = end;
    this.#length = i + 1;
  }

  /** The id at index `i`, made anew (or undefined past the end). */
  at(i: number): string | undefined {
    if (!(i >= 0 && i < this.#length)) return undefined;
    const start = i === 0 ? 0 : (this.#ends[i - 1] as number);
    const end = this.#ends[i] as number;
    return end === start ? this.#others.get(i) : this.#bytes.toString('latin1', start, end);
  }

  /** Whether the id at index `i` is `id`, read in place: no string is made. */
  equals(i: number, id: string): boolean {
    if (!(i >= 0 && i < this.#length)) return false;
    const start = i === 0 ? 0 : (this.#ends[i - 1] as number);
    const end = this.#ends[i] as number;
    if (end === start) return this.#others.get(i) === id;
    if (end - start !== id.length) return false;
    const bytes = this.#bytes;
    for (let k = 0; k < id.length; k++) if (bytes[start + k] !== id.charCodeAt(k)) return false;
    return true;
  }
}

/** Non-empty and every unit below 0x80 (an empty id has no bytes to tell it from a non-ASCII one). */
function isAscii(id: string): boolean {
  if (id.length === 0) return false;
  for (let k = 0; k < id.length; k++) if (id.charCodeAt(k) >= ASCII_END) return false;
  return true;
}

function grownBytes(old: Buffer, atLeast: number): Buffer<ArrayBuffer> {
  let size = 2 * old.length;
  while (size < atLeast) size *= 2;
  // Slow: a buffer of its own, not a slice of Node's shared pool, which a small allocation would keep alive.
  const next = Buffer.allocUnsafeSlow(size);
  old.copy(next);
  return next;
}
