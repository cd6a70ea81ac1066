import type { CommandRequest, Executed, PendingCommand } from './command-path.ts';
import { LANE_IDLE_MS, type KeyedQueue } from './keyed-queue.ts';
import { SweptMap } from '../swept-map.ts';

/** A session's commands waiting for its next batch, and whether a drain is queued. */
interface Waiting {
  commands: PendingCommand[];
  queued: boolean;
  /** performance.now() of its last command. */
  lastUsed: number;
}

/**
 * Gathers the commands that arrive for a session while its queue is busy
 * (typically while the previous batch is on its way to the store) and hands
 * them to `decide` together, in arrival order, as one task of the session's
 * queue. An idle session's command goes alone, at once; a hot one's wait
 * for at most one append, and then share the next.
 */
export class WriteBatches {
  /**
   * Per session, the commands waiting: an entry stays when it empties and
   * is reused (SweptMap), going in a sweep once idle for the queue's idle
   * time, so a session in use keeps its entry however many there are.
   */
  private readonly waiting: SweptMap<Waiting>;

  constructor(
    private readonly queue: KeyedQueue,
    private readonly decide: (sessionId: string, batch: readonly PendingCommand[]) => Promise<void>,
    /** The most commands one batch takes; the rest go in the next. */
    private readonly maxBatch: number,
    /** How long an idle session's entry stays for its next command. */
    idleMs = LANE_IDLE_MS,
  ) {
    this.waiting = new SweptMap<Waiting>((w, now) => !w.queued && w.commands.length === 0 && w.lastUsed <= now - idleMs, 64);
  }

  submit(sessionId: string, request: CommandRequest, bound: number, abandoned: () => boolean): Promise<Executed> {
    return new Promise<Executed>((resolve, reject) => {
      let waiting = this.waiting.get(sessionId);
      if (!waiting) waiting = this.waiting.add(sessionId, { commands: [], queued: false, lastUsed: 0 });
      waiting.lastUsed = performance.now();
      if (!waiting.queued) {
        waiting.queued = true;
        this.schedule(sessionId);
      }
      waiting.commands.push({ request, bound, abandoned, answered: false, resolve, reject });
    });
  }

  private schedule(sessionId: string): void {
    void this.queue.run(sessionId, () => this.drain(sessionId));
  }

  /** Takes what waits (up to maxBatch) and decides on it; what arrives from now on waits for the next task. */
  private drain(sessionId: string): Promise<void> {
    const waiting = this.waiting.get(sessionId);
    const batch = waiting ? waiting.commands.splice(0, this.maxBatch) : [];
    if (waiting && waiting.commands.length > 0) this.schedule(sessionId);
    else if (waiting) waiting.queued = false;
    // decide never throws (CommandPath.decideBatch answers every error): its promise is the task's, no async wrapper.
    return this.decide(sessionId, batch);
  }
}
