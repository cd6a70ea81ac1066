/**
 * The seq each command id of one session's log was appended at, as an
 * open-addressing hash table of seqs in an Int32Array whose keys are
 * compared against the log's own command-id column in place (the bytes the
 * log keeps anyway, id-arena.ts).
 *
 * It replaces a `Map<string, number>`, whose table holds three words an
 * entry at up to twice the entries' number (about 36 B a message over a
 * session's life, on the V8 heap, and every doubling left the old table as
 * old-generation garbage). This table is 4-8 B a message, outside the V8 heap
 * (a typed array's backing store), so neither the collector's marking nor the
 * old generation's growth sees it.
 *
 * Each slot keeps its id's hash beside its seq (a second Int32Array): growing
 * the table is then a copy by the kept hashes, where rehashing every id's
 * characters at each doubling was about 560 instructions a message in a
 * callgrind window that held one, well under a hundred over a session's life
 * (docs/performance/fan-out-log.md, "Rubicon's own path again: the command
 * index grown by kept hashes…"); a probe compares the kept hash before it
 * reads the id back from the log.
 */
const EMPTY = 0;
const FIRST_CAPACITY = 64;

/** FNV-1a over the UTF-16 units, then a final mix: ids like `retained-s-123` differ only in their last characters. */
function hashOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x45d9f3b);
  return h ^ (h >>> 16);
}

export class CommandIndex {
  /** Slot values are seqs (1-based); EMPTY marks a free slot. Kept at most half full. */
  #slots = new Int32Array(FIRST_CAPACITY);
  /** The hash of the id at the same slot of #slots (meaningless where that slot is EMPTY). */
  #hashes = new Int32Array(FIRST_CAPACITY);
  #size = 0;

  /** @param idIs whether the entry at this seq has this command id (read from the log's column in place). */
  constructor(private readonly idIs: (seq: number, commandId: string) => boolean) {}

  get(commandId: string): number | undefined {
    const slot = this.#find(commandId, hashOf(commandId));
    const seq = this.#slots[slot] ?? EMPTY;
    return seq === EMPTY ? undefined : seq;
  }

  /** Points `commandId` at `seq`, whose entry the log must already hold; a later seq for an id wins, as Map.set's did. */
  set(commandId: string, seq: number): void {
    if (2 * (this.#size + 1) > this.#slots.length) this.#grow();
    const hash = hashOf(commandId);
    const slot = this.#find(commandId, hash);
    if (this.#slots[slot] === EMPTY) this.#size++;
    this.#slots[slot] = seq;
    this.#hashes[slot] = hash;
  }

  /** The slot holding `commandId`'s seq, or the free slot where it would go (linear probing). */
  #find(commandId: string, hash: number): number {
    const slots = this.#slots;
    const hashes = this.#hashes;
    const mask = slots.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const seq = slots[i] ?? EMPTY;
      if (seq === EMPTY || (hashes[i] === hash && this.idIs(seq, commandId))) return i;
    }
  }

  /** Each seq moved to the first free slot from its kept hash: no id is read back or hashed again. */
  #grow(): void {
    const oldSlots = this.#slots;
    const oldHashes = this.#hashes;
    const slots = new Int32Array(oldSlots.length * 2);
    const hashes = new Int32Array(slots.length);
    const mask = slots.length - 1;
    for (let j = 0; j < oldSlots.length; j++) {
      const seq = oldSlots[j] ?? EMPTY;
      if (seq === EMPTY) continue;
      const hash = oldHashes[j] ?? 0;
      let i = hash & mask;
      while (slots[i] !== EMPTY) i = (i + 1) & mask;
      slots[i] = seq;
      hashes[i] = hash;
    }
    this.#slots = slots;
    this.#hashes = hashes;
  }
}
