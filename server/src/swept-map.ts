/**
 * A long-lived map of per-key records (a session's lane, its waiting
 * commands, a limit key's window) that are reused while their key is in use
 * and dropped in bulk once idle. Adding and deleting a key for every use made
 * V8 reallocate such a map's table directly in the old generation (about 50
 * bytes per operation), which only a full collection reclaims; so a record
 * stays when its use ends, and idle records go in one sweep once the map has
 * doubled since the last, never below `floor` entries.
 */
export class SweptMap<V> {
  private readonly entries = new Map<string, V>();
  private sweepAt: number;

  constructor(
    /** Whether a record may go now; asked only in a sweep. */
    private readonly idle: (value: V, now: number) => boolean,
    private readonly floor: number,
  ) {
    this.sweepAt = floor;
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Holds a new record for `key`, sweeping the idle ones first (idle as of `now`) if the map has doubled. */
  add(key: string, value: V, now = performance.now()): V {
    if (this.entries.size >= this.sweepAt) this.sweep(now);
    this.entries.set(key, value);
    return value;
  }

  /** Records held, idle ones included until a sweep. */
  get size(): number {
    return this.entries.size;
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }

  private sweep(now: number): void {
    for (const [key, value] of this.entries) if (this.idle(value, now)) this.entries.delete(key);
    this.sweepAt = Math.max(this.floor, 2 * this.entries.size);
  }
}
