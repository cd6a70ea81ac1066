import { whenDue } from '../settle-within.ts';
import { lateRefusal, type ServiceError } from './service-error.ts';
import { performance } from '../clock.ts';

/**
 * Work bounded by a deadline, as the queue holds it: linked into the queue's
 * list ordered by deadline while it waits. A command waiting for its batch
 * is one of these itself (write-batches.ts), so bounding it costs no promise
 * or closure of its own.
 */
export abstract class Bounded {
  prev: Bounded | null = null;
  next: Bounded | null = null;
  queued = false;
  constructor(readonly deadline: number) {}
  /** The deadline passed while it was still queued; called at most once, after it has left the queue, with the refusal to give. */
  abstract late(refusal: ServiceError): void;
}

/** A promise's work bounded by `within`. */
class Within extends Bounded {
  constructor(
    deadline: number,
    private readonly onLate: () => void,
    private readonly reject: (err: unknown) => void,
  ) {
    super(deadline);
  }

  late(refusal: ServiceError): void {
    this.onLate();
    this.reject(refusal);
  }
}

/**
 * Bounds work by deadlines (performance.now() time) with one timer for them all.
 * Every command passes through here; a setTimeout and its clearing per command cost
 * a Timeout object, a timer-list entry and its removal each time. Here a command costs
 * an entry in a list ordered by deadline (deadlines come in arrival order, so it goes
 * in at the tail) and its unlinking when the work settles. The one timer is armed for
 * the earliest deadline and is not moved when that entry leaves early: it fires, finds
 * nothing due, and arms for the new head, so there is about one timer per bound's length.
 * It is unref'd: the work it bounds keeps the process alive, not the bound.
 */
export class DeadlineQueue {
  private head: Bounded | null = null;
  private tail: Bounded | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The turn of I/O a late timer gives replies already received before it refuses anything (whenDue). */
  private turn: NodeJS.Immediate | undefined;
  /** When the timer fires (performance.now() time); meaningful only while `timer` is set. */
  private armedFor = 0;

  /** `storeDown`: whether this process knows its store is unreachable, read only when something is refused. */
  constructor(private readonly storeDown: () => boolean = () => false) {}

  /**
   * The refusal of work whose deadline passed now. Not "unreachable" unless the store is known to be: the wait may
   * have been the session's queue on a busy process as much as the store.
   */
  refusal(): ServiceError {
    return lateRefusal(this.storeDown());
  }

  /** Rejects with `unavailable` at `deadline` unless `work` settled first; `onLate` marks the work abandoned. */
  within<T>(work: Promise<T>, deadline: number, onLate: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiting = new Within(deadline, onLate, reject);
      this.add(waiting);
      // Whatever the work ends with after the deadline, nobody is waiting for it: the promise has settled already.
      work.then(
        (value) => {
          this.remove(waiting);
          resolve(value);
        },
        (err: unknown) => {
          this.remove(waiting);
          reject(err);
        },
      );
    });
  }

  /** How many pieces of work are waiting (for tests). */
  get size(): number {
    let n = 0;
    for (let w = this.head; w; w = w.next) n++;
    return n;
  }

  /** Queues `waiting` until it is removed or its deadline passes (then its `late` is called). */
  add(waiting: Bounded): void {
    let after = this.tail;
    while (after && after.deadline > waiting.deadline) after = after.prev;
    waiting.queued = true;
    waiting.prev = after;
    waiting.next = after ? after.next : this.head;
    if (waiting.next) waiting.next.prev = waiting;
    else this.tail = waiting;
    if (after) after.next = waiting;
    else this.head = waiting;
    if (this.timer === null || waiting.deadline < this.armedFor) this.arm(waiting.deadline);
  }

  /** Takes `waiting` out of the queue (its work settled in time); nothing if it is not queued. */
  remove(waiting: Bounded): void {
    if (!waiting.queued) return;
    waiting.queued = false;
    if (waiting.prev) waiting.prev.next = waiting.next;
    else this.head = waiting.next;
    if (waiting.next) waiting.next.prev = waiting.prev;
    else this.tail = waiting.prev;
    waiting.prev = waiting.next = null;
  }

  private arm(deadline: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    clearImmediate(this.turn);
    this.armedFor = deadline;
    this.timer = setTimeout(() => (this.turn = whenDue(deadline, this.expire)), Math.max(0, deadline - performance.now()));
    this.timer.unref();
  }

  /** The timer fired: everything due is refused, and the timer follows the earliest left. */
  private readonly expire = (): void => {
    this.timer = null;
    this.turn = undefined;
    const now = performance.now();
    for (let w = this.head; w && w.deadline <= now; w = this.head) {
      this.remove(w);
      w.late(this.refusal());
    }
    // A timer may fire a little before performance.now() reaches its deadline; then it is armed again for the rest.
    if (this.head) this.arm(this.head.deadline);
  };
}
