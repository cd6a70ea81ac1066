import type { Answer } from './answer.ts';
import type { CommandRequest, Executed, PendingCommand } from './command-path.ts';
import { Bounded, type DeadlineQueue } from './deadline-queue.ts';
import { LANE_IDLE_MS, type KeyedQueue } from './keyed-queue.ts';
import { SweptMap } from '../swept-map.ts';
import type { ServiceError } from './service-error.ts';
import { performance } from '../clock.ts';

/**
 * A command waiting for its batch, bounded by its caller's deadline in the
 * deadline queue itself: at the deadline its caller is answered
 * `unavailable` and it is abandoned (answered, so no later round of its batch
 * takes it to the store). It leaves the queue when answered in time. One
 * object per command, which calls its caller's Answer: no promise, no
 * resolving functions, no reactions between the decision and the caller.
 */
class Pending extends Bounded implements PendingCommand {
  answered = false;
  abandoned = false;
  /**
   * Whom to answer; null once answered, so nothing answers twice (a duplicate's or a refusal's lookup that ends
   * after the deadline refused the command, say: a promise ignored the second settling, an Answer must be spared it).
   */
  private to: Answer<Executed> | null;

  constructor(
    readonly request: CommandRequest,
    readonly bound: number,
    deadline: number,
    private readonly bounds: DeadlineQueue | null,
    to: Answer<Executed>,
  ) {
    super(deadline);
    this.to = to;
  }

  resolve(executed: Executed): void {
    this.take()?.ok(executed);
  }

  reject(err: unknown): void {
    this.take()?.fail(err);
  }

  late(refusal: ServiceError): void {
    this.abandoned = true;
    this.answered = true;
    this.take()?.fail(refusal);
  }

  /** Its caller's Answer, taken once: out of the deadline queue, and never given again. */
  private take(): Answer<Executed> | null {
    this.bounds?.remove(this);
    const to = this.to;
    this.to = null;
    return to;
  }
}

/** A session's commands waiting for its next batch, and whether a drain is queued. */
interface Waiting {
  commands: PendingCommand[];
  /**
   * The array the session's last batch was handed in, free again once that decision settles (the
   * session's queue runs one at a time, and a decision keeps no hold on its batch): the next commands
   * wait in it. A batch taken whole is the waiting array itself, so a command costs no array of its own
   * (splice made one per batch, and the emptied array grew again at the next push: about 190 B a message).
   */
  spare: PendingCommand[];
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
    /** Where commands with a deadline wait for it. */
    private readonly bounds: DeadlineQueue,
    /** Undefined when the batch was decided within the call (CommandPath.decideBatch). */
    private readonly decide: (sessionId: string, batch: readonly PendingCommand[]) => Promise<void> | undefined,
    /** The most commands one batch takes; the rest go in the next. */
    private readonly maxBatch: number,
    /** How long an idle session's entry stays for its next command. */
    idleMs = LANE_IDLE_MS,
  ) {
    this.waiting = new SweptMap<Waiting>((w, now) => !w.queued && w.commands.length === 0 && w.lastUsed <= now - idleMs, 64);
  }

  /**
   * Queues a command for its session's next batch; its outcome goes to `answer`, called in the batch's decision (or
   * at its deadline). With a `deadline`, its caller is answered `unavailable` when that passes, and the command, if
   * it has not reached the store yet, never does.
   */
  submit(sessionId: string, request: CommandRequest, bound: number, deadline: number | undefined, answer: Answer<Executed>): void {
    let waiting = this.waiting.get(sessionId);
    if (!waiting) waiting = this.waiting.add(sessionId, { commands: [], spare: [], queued: false, lastUsed: 0 });
    waiting.lastUsed = performance.now();
    if (!waiting.queued) {
      waiting.queued = true;
      this.schedule(sessionId);
    }
    const pending = new Pending(request, bound, deadline ?? Infinity, deadline === undefined ? null : this.bounds, answer);
    if (deadline !== undefined) this.bounds.add(pending);
    waiting.commands.push(pending);
  }

  private schedule(sessionId: string): void {
    void this.queue.run(sessionId, () => this.drain(sessionId));
  }

  /** Up to maxBatch of the waiting commands, in arrival order; the rest stay waiting. */
  private take(waiting: Waiting): PendingCommand[] {
    if (waiting.commands.length > this.maxBatch) return waiting.commands.splice(0, this.maxBatch);
    const batch = waiting.commands;
    const free = waiting.spare;
    free.length = 0;
    waiting.commands = free;
    waiting.spare = batch;
    return batch;
  }

  /** Takes what waits (up to maxBatch) and decides on it; what arrives from now on waits for the next task. */
  private drain(sessionId: string): Promise<void> | undefined {
    const waiting = this.waiting.get(sessionId);
    const batch = waiting ? this.take(waiting) : [];
    if (waiting && waiting.commands.length > 0) this.schedule(sessionId);
    else if (waiting) waiting.queued = false;
    // decide never throws (CommandPath.decideBatch answers every error): its promise, or its undefined for a batch
    // decided at once, is the task's, with no async wrapper.
    const deciding = this.decide(sessionId, batch);
    // A batch decided at once lets its commands go now, not at the session's next batch: kept as the spare, they
    // outlived a scavenge or two at the fan-out's rate, each command's Pending and request copied for nothing.
    if (deciding === undefined) batch.length = 0;
    return deciding;
  }
}
