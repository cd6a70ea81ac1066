/** What readiness asks of the store: one bounded round trip, true if it answered. */
export interface Pingable {
  ping(): Promise<boolean>;
}

export interface ReadinessOptions {
  /** How often the store is probed in the background. */
  everyMs?: number;
  /**
   * A probe unanswered for this long means the store is not answering (a stopped Redis keeps its socket
   * open). The PING's own timeout (RedisStore's pingTimeoutMs), so that readiness turns down when that
   * PING fails and rubicon_redis_down turns 1, not before (a warning; an outage once commands would fail).
   */
  overdueMs?: number;
  /**
   * How long an answer waits, at most, for a probe it would otherwise call
   * overdue or that has not answered once: long enough for one turn of the
   * event loop to read a reply already waiting on the socket after a stall.
   */
  graceMs?: number;
}

/**
 * Whether the store answers, for /healthz/ready, without making the request
 * wait for a round trip of its own. A probe asked per request waited up to
 * its whole timeout (400 ms) whenever Redis was stopped, plus any delay of
 * the event loop under load: a loaded run answered in 568 ms, past the
 * 500 ms promised. Here one probe at a time runs in the background every
 * `everyMs`, and a request is answered from the last one, at once, unless
 * the one in flight is overdue (the store is not answering now, whatever the
 * last said) or none has answered yet; then it waits at most `graceMs` for
 * it, so that a reply that sat unread behind a stalled event loop still
 * counts, and a Redis that is really stopped is reported down.
 */
export class Readiness {
  private last: boolean | null = null;
  private inFlightSince: number | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Waiting answers, woken when a probe settles. */
  private readonly waiters = new Set<() => void>();
  private readonly everyMs: number;
  private readonly overdueMs: number;
  private readonly graceMs: number;

  constructor(
    private readonly store: Pingable,
    options: ReadinessOptions = {},
  ) {
    this.everyMs = options.everyMs ?? 100;
    this.overdueMs = options.overdueMs ?? 400;
    this.graceMs = options.graceMs ?? 50;
  }

  /** Starts the background probes (the first one now). */
  start(): void {
    if (this.timer) return;
    this.probe();
    this.timer = setInterval(() => this.probe(), this.everyMs);
    // The probes never keep a process alive on their own.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** True when the store answered its last probe and the one in flight, if any, is not overdue. */
  async ready(): Promise<boolean> {
    if (!this.timer) {
      // Not started (the memory store) or stopped: a probe of this request's own, waited for as briefly.
      this.probe();
    } else if (this.last !== null && !this.overdue(performance.now())) {
      return this.last;
    }
    await this.settledOrGrace();
    return this.last === true && !this.overdue(performance.now());
  }

  private overdue(now: number): boolean {
    return this.inFlightSince !== null && now - this.inFlightSince >= this.overdueMs;
  }

  private probe(): void {
    if (this.inFlightSince !== null) return;
    this.inFlightSince = performance.now();
    void this.store
      .ping()
      .catch(() => false)
      .then((ok) => {
        this.last = ok;
        this.inFlightSince = null;
        for (const wake of this.waiters) wake();
        this.waiters.clear();
      });
  }

  private settledOrGrace(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.graceMs);
      const waiters = this.waiters;
      function done(): void {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
      waiters.add(done);
    });
  }
}
