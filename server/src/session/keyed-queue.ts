import { SweptMap } from '../swept-map.ts';

/** A key's place in the queue: its last task's tail, and how many of its tasks have not finished. */
interface Lane {
  tail: Promise<unknown>;
  running: number;
  /** Counts a task finished: made once per lane, not twice per task. */
  done: () => void;
  /** performance.now() of its last task: a lane used lately survives sweeps, so a busy key's lane is not made anew. */
  lastUsed: number;
  /** A task is running in its caller's turn (runNow). */
  inTurn: boolean;
  /** Opens the gate that tasks queued during an in-turn task wait behind; made only when one is queued then. */
  openGate: (() => void) | null;
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

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const lane = this.laneOf(key);
    // Queued from inside a task running in its caller's turn (a listener of what it applied): it waits for that task,
    // whose end is not known yet, behind a gate opened when it ends.
    if (lane.inTurn && !lane.openGate) lane.tail = new Promise<void>((open) => (lane.openGate = open));
    // `task` is called with the tail's value, which it ignores (it takes no arguments).
    const result = lane.tail.then(task);
    // The tail never rejects, so a failed task does not block the ones after it.
    lane.running++;
    lane.tail = result.then(lane.done, lane.done);
    return result;
  }

  /**
   * Runs `task` at once, in the caller's turn, if the key's lane is idle
   * (nothing running or queued, no in-turn task above on the stack); false,
   * without running it, otherwise. `task` returns null when it finished
   * before returning, or the promise of its unfinished rest: the key's next
   * tasks wait for that. A command on an idle session in memory is decided
   * this way, with no promise of the lane's and no turn of the microtask queue.
   */
  runNow(key: string, task: () => Promise<unknown> | null): boolean {
    const lane = this.laneOf(key);
    if (lane.running > 0 || lane.inTurn) return false;
    lane.inTurn = true;
    let rest: Promise<unknown> | null = null;
    try {
      rest = task();
    } finally {
      lane.inTurn = false;
      const open = lane.openGate;
      lane.openGate = null;
      if (rest) {
        lane.running++;
        const finished = rest.then(lane.done, lane.done);
        // Tasks queued meanwhile are behind the gate (and the tail is theirs): the gate opens when this ends.
        if (open) void finished.then(open);
        else lane.tail = finished;
      } else open?.();
    }
    return true;
  }

  private laneOf(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      const made: Lane = { tail: Promise.resolve(), running: 0, done: () => void made.running--, lastUsed: 0, inTurn: false, openGate: null };
      lane = this.lanes.add(key, made);
    }
    lane.lastUsed = performance.now();
    return lane;
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
