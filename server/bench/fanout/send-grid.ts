/**
 * When the harness's senders send: every seat's k-th send is due at
 * origin + offset + k × interval, all read from one clock, and one timer
 * sends whatever has come due. `setInterval` (the harness's scheduler before
 * 6 December) reschedules each seat from when it last ran, so one pause of
 * the harness bunched every seat whose interval fell in it, and they then
 * fired together every interval for the rest of the window, charging the
 * contender whose window held the pause (docs/performance/fan-out-log.md,
 * "What Node 20's p99 is made of"). On the grid, the sends a pause made late
 * go once, each as soon as the harness runs again, and every seat's next
 * send is back at its own offset. Open loop: a send never waits for an
 * acknowledgement. Pure: the clock and the timer are passed in, so tests
 * drive them.
 */

export interface GridClock {
  now(): number;
  /** Calls `fn` once after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** `seat` is the index given to `start`'s offsets; `due` its send's due time on the clock. */
export type GridSend = (seat: number, due: number) => void;

export class SendGrid {
  /** Seats ordered by offset: with one interval for all, the order their sends come due in, round after round. */
  private readonly order: number[];
  private next = 0;
  private round = 0;
  private cancel: (() => void) | null = null;
  private stopped = false;

  /** `offsets[i]` (0 ≤ offset < interval) is seat i's first due time after `origin`. */
  constructor(
    private readonly clock: GridClock,
    private readonly origin: number,
    private readonly interval: number,
    private readonly offsets: readonly number[],
    private readonly send: GridSend,
  ) {
    this.order = offsets.map((_, i) => i).sort((a, b) => (offsets[a] ?? 0) - (offsets[b] ?? 0));
  }

  start(): void {
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
    this.cancel = null;
  }

  /** The due time of the send that comes next. */
  private dueNext(): number {
    return this.origin + this.round * this.interval + (this.offsets[this.order[this.next] ?? 0] ?? 0);
  }

  private arm(): void {
    if (this.stopped || this.order.length === 0) return;
    this.cancel = this.clock.after(Math.max(0, this.dueNext() - this.clock.now()), () => this.fire());
  }

  /** Every send due by now goes, in due order, each once; then the timer waits for the next. */
  private fire(): void {
    this.cancel = null;
    while (!this.stopped && this.dueNext() <= this.clock.now()) {
      const seat = this.order[this.next] ?? 0;
      const due = this.dueNext();
      if (++this.next === this.order.length) {
        this.next = 0;
        this.round++;
      }
      this.send(seat, due);
    }
    this.arm();
  }
}
