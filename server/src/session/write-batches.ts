import type { CommandRequest, Executed, PendingCommand } from './command-path.ts';
import type { KeyedQueue } from './keyed-queue.ts';

/**
 * Gathers the commands that arrive for a session while its queue is busy
 * (typically while the previous batch is on its way to the store) and hands
 * them to `decide` together, in arrival order, as one task of the session's
 * queue. An idle session's command goes alone, at once; a hot one's wait
 * for at most one append, and then share the next.
 */
export class WriteBatches {
  private readonly waiting = new Map<string, PendingCommand[]>();

  constructor(
    private readonly queue: KeyedQueue,
    private readonly decide: (sessionId: string, batch: readonly PendingCommand[]) => Promise<void>,
    /** The most commands one batch takes; the rest go in the next. */
    private readonly maxBatch: number,
  ) {}

  submit(sessionId: string, request: CommandRequest, bound: number, abandoned: () => boolean): Promise<Executed> {
    return new Promise<Executed>((resolve, reject) => {
      let waiting = this.waiting.get(sessionId);
      if (!waiting) {
        waiting = [];
        this.waiting.set(sessionId, waiting);
        this.schedule(sessionId);
      }
      waiting.push({ request, bound, abandoned, resolve, reject });
    });
  }

  private schedule(sessionId: string): void {
    void this.queue.run(sessionId, () => this.drain(sessionId));
  }

  /** Takes what waits (up to maxBatch) and decides on it; what arrives from now on waits for the next task. */
  private async drain(sessionId: string): Promise<void> {
    const waiting = this.waiting.get(sessionId) ?? [];
    const batch = waiting.splice(0, this.maxBatch);
    if (waiting.length === 0) this.waiting.delete(sessionId);
    else this.schedule(sessionId);
    await this.decide(sessionId, batch);
  }
}
