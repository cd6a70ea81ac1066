/** A key's place in the queue: its last task's tail, and how many of its tasks have not finished. */
interface Lane {
  tail: Promise<unknown>;
  running: number;
  /** Counts a task finished: made once per lane, not twice per task. */
  done: () => void;
  /** performance.now() of its last task: a lane used lately survives sweeps, so a busy key's lane is not made anew. */
  lastUsed: number;
}

/** How long a lane with nothing running stays for its key's next task. */
export const LANE_IDLE_MS = 10_000;

/**
 * Runs tasks one at a time per key, in the order they were queued. The
 * service uses it per session so that this process applies and broadcasts a
 * session's events strictly in log order, and so that its own commands do not
 * race each other into append conflicts.
 *
 * A key's lane stays in the map when its tasks are done and is reused by its
 * next task; lanes idle for `idleMs` are dropped in bulk once the map has
 * doubled since the last sweep. (Dropping every lane idle at that moment
 * made a server holding more sessions than the mark, 64, make most of its
 * commands' lanes anew.) Adding and deleting a key for every task made V8 reallocate the
 * long-lived map's table directly in the old generation (about 50 bytes per
 * operation), which only a full collection reclaims.
 */
export class KeyedQueue {
  private readonly lanes = new Map<string, Lane>();
  private sweepAt = 64;

  constructor(private readonly idleMs = LANE_IDLE_MS) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(key);
    if (!lane) {
      if (this.lanes.size >= this.sweepAt) this.sweep();
      const made: Lane = { tail: Promise.resolve(), running: 0, done: () => void made.running--, lastUsed: 0 };
      lane = made;
      this.lanes.set(key, lane);
    }
    lane.lastUsed = performance.now();
    // `task` is called with the tail's value, which it ignores (it takes no arguments).
    const result = lane.tail.then(task);
    // The tail never rejects, so a failed task does not block the ones after it.
    lane.running++;
    lane.tail = result.then(lane.done, lane.done);
    return result;
  }

  /** Drops the lanes with nothing running for `idleMs`; the next sweep waits until the map has doubled again. */
  private sweep(): void {
    const idleSince = performance.now() - this.idleMs;
    for (const [key, lane] of this.lanes) if (lane.running === 0 && lane.lastUsed <= idleSince) this.lanes.delete(key);
    this.sweepAt = Math.max(64, 2 * this.lanes.size);
  }

  /** Lanes held, idle ones included until a sweep. */
  get size(): number {
    return this.lanes.size;
  }

  /** Resolves when everything queued so far has finished. */
  async drain(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((lane) => lane.tail));
  }
}
