/**
 * Calls `poll` every `intervalMs`, never two at once (a slow poll delays the
 * next instead of overlapping it); `stop` waits for the one in flight. The
 * timer is unref'd: a pending deadline must not keep the process alive.
 */
export class PollLoop {
  private interval: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;

  constructor(private readonly intervalMs: number) {}

  start(poll: () => Promise<void>): void {
    if (this.interval) throw new Error('scheduler already started');
    this.interval = setInterval(() => {
      if (!this.polling) this.polling = poll().finally(() => (this.polling = null));
    }, this.intervalMs);
    this.interval.unref();
  }

  async stop(): Promise<void> {
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
    await this.polling;
  }
}
