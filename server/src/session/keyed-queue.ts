import { SweptMap } from '../swept-map.ts';

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
 * A key's lane stays when its tasks are done and is reused by its next task
 * (SweptMap); lanes with nothing running for `idleMs` go in a sweep.
 * (Dropping every lane idle at that moment made a server holding more
 * sessions than the mark, 64, make most of its commands' lanes anew.)
 */
export class KeyedQueue {
  private readonly lanes: SweptMap<Lane>;

  constructor(idleMs = LANE_IDLE_MS) {
    this.lanes = new SweptMap<Lane>((lane, now) => lane.running === 0 && lane.lastUsed <= now - idleMs, 64);
  }

  /**
   * A task that finishes in its own call may return its value rather than a promise of it: its lane moves on two
   * microtask turns sooner, with no job to adopt a settled promise (a batch decided at once, write-batches.ts).
   */
  run<T>(key: string, task: () => Promise<T> | T): Promise<T> {
    let lane = this.lanes.get(key);
    if (!lane) {
      const made: Lane = { tail: Promise.resolve(), running: 0, done: () => void made.running--, lastUsed: 0 };
      lane = this.lanes.add(key, made);
    }
    lane.lastUsed = performance.now();
    // `task` is called with the tail's value, which it ignores (it takes no arguments).
    const result = lane.tail.then(task);
    // The tail never rejects, so a failed task does not block the ones after it.
    lane.running++;
    lane.tail = result.then(lane.done, lane.done);
    return result;
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
