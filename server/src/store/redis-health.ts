import type { Logger } from '../logger.ts';
import type { RedisGate } from './redis-availability.ts';

/**
 * Whether Redis is reachable, and since when it is not: the outage log every
 * command reports to (through the RedisGate), and the readiness probe's PING.
 */

/** One log line when Redis becomes unreachable, one when it is back; nothing per failed command. */
export class OutageLog {
  private downSince: number | null = null;
  private failures = 0;

  constructor(
    private readonly log: Logger | undefined,
    /** Told as the lines are written: true when an outage starts, false when it ends (the metrics). */
    private readonly onChange?: (down: boolean) => void,
  ) {}

  get down(): boolean {
    return this.downSince !== null;
  }

  failure(error: unknown): void {
    this.failures++;
    if (this.downSince !== null) return;
    this.downSince = Date.now();
    this.log?.error({ err: error }, 'Redis is unreachable: commands are refused as unavailable until it is back');
    this.onChange?.(true);
  }

  success(): void {
    if (this.downSince === null) return;
    this.log?.warn({ outageMs: Date.now() - this.downSince, failures: this.failures }, 'Redis is reachable again');
    this.downSince = null;
    this.failures = 0;
    this.onChange?.(false);
  }
}

/** Answers readiness checks: a PING through the gate, bounded by its own timeout. */
export class RedisProbe {
  /** One probe at a time, so that health checks against a stopped Redis do not pile up PINGs. */
  private probing: Promise<boolean> | null = null;

  constructor(
    private readonly gate: RedisGate,
    /** How long the PING waits for PONG before answering false. */
    private readonly timeoutMs: number,
  ) {}

  /** True while an outage the OutageLog reported has not ended. */
  get unreachable(): boolean {
    return this.gate.outages.down;
  }

  async ping(): Promise<boolean> {
    if (!this.gate.client.isReady) return false;
    this.probing ??= this.gate
      .run((c) => c.ping(), this.timeoutMs)
      .then(
        (reply) => reply === 'PONG',
        () => false,
      )
      .finally(() => (this.probing = null));
    return this.probing;
  }
}
