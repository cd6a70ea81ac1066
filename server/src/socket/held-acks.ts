/**
 * Acknowledgements held to the end of the event loop's iteration, then sent
 * together in the order they were answered.
 *
 * Why: the packets read in one poll phase are handled one after another, each
 * to its end before the next is parsed. In memory a command is decided,
 * appended and broadcast synchronously, so without a hold the Nth command of
 * a burst fans out only after N-1 acknowledgements were encoded and written;
 * the slowest deliveries are those waiting behind such bursts
 * (docs/performance.md, "The memory-mode tail"). An acknowledgement only tells
 * the sender what its own update already told it, so it is the work that can
 * wait. One flush per iteration (setImmediate runs after the poll phase that
 * read the packets, before the next one), so nothing is held longer than the
 * iteration that answered it.
 *
 * Order per socket: once a socket has an answer held, every later answer of
 * that socket (a refusal, a sync's or a hello's answer) is held behind it, so
 * answers leave in the order they were made. The process dying before a flush
 * loses the held acks as it would lose them on the wire: the client retries
 * with the same command id and gets `duplicate: true`. A socket closed before
 * the flush gets nothing (Socket.IO drops a packet for a closed connection).
 */
export class HeldAcks {
  /**
   * The answers waiting, and beside each the socket it goes to, in slots up to `count`. Reused, not made per
   * flush (an array grown by push takes room for 17, and one cut to length 0 gives its room back).
   */
  private sends: ((() => void) | null)[] = [];
  private owners: unknown[] = [];
  private count = 0;
  /** Those being sent, swapped in at a flush and emptied after it. */
  private sending: ((() => void) | null)[] = [];
  private sendingOwners: unknown[] = [];
  private scheduled = false;

  constructor(private readonly defer: (flush: () => void) => void = (flush) => void setImmediate(flush)) {}

  /**
   * Whether `owner` has an answer waiting for the flush: its next answers must wait too. A scan, not a set: an
   * iteration holds a few answers (the packets it read), and a set emptied per flush makes its table anew.
   */
  holds(owner: unknown): boolean {
    for (let i = 0; i < this.count; i++) if (this.owners[i] === owner) return true;
    return false;
  }

  /** Queues `send` for the end of this loop iteration. `send` must not throw (it answers its own failures). */
  hold(owner: unknown, send: () => void): void {
    this.sends[this.count] = send;
    this.owners[this.count] = owner;
    this.count++;
    if (!this.scheduled) {
      this.scheduled = true;
      this.defer(this.flush);
    }
  }

  private readonly flush = (): void => {
    const sends = this.sends;
    const owners = this.owners;
    const count = this.count;
    // Swapped before sending: an answer held while these go out waits for the next flush, after them.
    this.sends = this.sending;
    this.owners = this.sendingOwners;
    this.count = 0;
    this.scheduled = false;
    for (let i = 0; i < count; i++) {
      const send = sends[i];
      // Emptied as sent, so that a socket and its answer are not kept alive until the slot is reused.
      sends[i] = null;
      owners[i] = null;
      send?.();
    }
    this.sending = sends;
    this.sendingOwners = owners;
  };
}
