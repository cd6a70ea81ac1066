import type { CommandRequest, Executed, PendingCommand } from './command-path.ts';
import { LANE_IDLE_MS, type KeyedQueue } from './keyed-queue.ts';

/**
 * Gathers the commands that arrive for a session while its queue is busy
 * (typically while the previous batch is on its way to the store) and hands
 * them to `decide` together, in arrival order, as one task of the session's
 * queue. An idle session's command goes alone, at once; a hot one's wait
 * for at most one append, and then share the next.
 */
export class WriteBatches {
  /**
   * Per session, the commands waiting and whether a drain is queued. A
   * session's entry stays when it empties and is reused (those idle for
   * the queue's idle time are dropped in bulk once the map has doubled since
   * the last sweep, so a session in use keeps its entry however many there
   * are): a key added and deleted per command made V8 reallocate this
   * long-lived map's table in the old generation every time.
   */
  private readonly waiting = new Map<string, { commands: PendingCommand[]; queued: boolean; lastUsed: number }>();
  private sweepAt = 64;

  constructor(
    private readonly queue: KeyedQueue,
    private readonly decide: (sessionId: string, batch: readonly PendingCommand[]) => Promise<void>,
    /** The most commands one batch takes; the rest go in the next. */
    private readonly maxBatch: number,
    /** How long an idle session's entry stays for its next command. */
    private readonly idleMs = LANE_IDLE_MS,
  ) {}

  submit(sessionId: string, request: CommandRequest, bound: number, abandoned: () => boolean): Promise<Executed> {
    return new Promise<Executed>((resolve, reject) => {
      let waiting = this.waiting.get(sessionId);
      if (!waiting) {
        if (this.waiting.size >= this.sweepAt) this.sweep();
        waiting = { commands: [], queued: false, lastUsed: 0 };
        this.waiting.set(sessionId, waiting);
      }
      waiting.lastUsed = performance.now();
      if (!waiting.queued) {
        waiting.queued = true;
        this.schedule(sessionId);
      }
      waiting.commands.push({ request, bound, abandoned, answered: false, resolve, reject });
    });
  }

  private sweep(): void {
    const idleSince = performance.now() - this.idleMs;
    for (const [sessionId, w] of this.waiting) if (!w.queued && w.commands.length === 0 && w.lastUsed <= idleSince) this.waiting.delete(sessionId);
    this.sweepAt = Math.max(64, 2 * this.waiting.size);
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
