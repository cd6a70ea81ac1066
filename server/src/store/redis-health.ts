import type { Logger } from '../logger.ts';
import type { RedisGate } from './redis-availability.ts';

/**
 * Whether Redis is reachable, and since when it is not: the outage log every
 * command reports to (through the RedisGate), and the readiness probe's PING.
 */

/**
 * What the outage log tells its listener: `slow` when only the readiness PING went unanswered (not ready, nothing
 * refused yet), `down` when an outage starts that refuses commands (one error line), `up` when Redis answers again.
 */
export type OutageEvent = 'slow' | 'down' | 'up';

/**
 * One log line when Redis becomes unreachable, one when it is back; nothing per failed command. A readiness
 * PING past its own short timeout, under load, is not yet an outage of the commands (theirs is longer): it is
 * a warning, and an error only once a command is refused or the PINGs have gone unanswered for as long as a
 * command may wait. Either way one error line at most per outage.
 */
export class OutageLog {
  private downSince: number | null = null;
  private failures = 0;
  /** Whether this outage's error line was written (not only a slow PING's warning). */
  private refusing = false;
  /** Told when commands start being refused (untilRefusing). */
  private waiting: (() => void)[] = [];

  constructor(
    private readonly log: Logger | undefined,
    /** Told as the lines are written (the metrics). */
    private readonly onChange?: (event: OutageEvent) => void,
  ) {}

  get down(): boolean {
    return this.downSince !== null;
  }

  /** True while commands are refused: a command failed, not only a readiness PING was slow. */
  get refusingCommands(): boolean {
    return this.refusing;
  }

  /**
   * Resolves once commands are refused (at once while they are): what a shutdown stops waiting on Redis at,
   * since every command it would still send could only wait out its bound.
   */
  untilRefusing(): Promise<void> {
    if (this.refusing) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** A command refused, timed out or lost, or the connection failed: an outage of the commands. */
  failure(error: unknown): void {
    this.failures++;
    if (this.refusing) return;
    this.downSince ??= Date.now();
    this.refusing = true;
    this.log?.error({ err: error }, 'Redis is unreachable: commands are refused as unavailable until it is back');
    this.onChange?.('down');
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }

  /**
   * The readiness PING had no answer within its timeout. `longAsACommand`: the PINGs have gone unanswered for as
   * long as a command waits, so a command would have been refused: the outage is logged as one.
   */
  slowPing(error: unknown, longAsACommand: boolean): void {
    if (longAsACommand) return this.failure(error);
    this.failures++;
    if (this.downSince !== null) return;
    this.downSince = Date.now();
    this.log?.warn({ err: error }, 'Redis did not answer a readiness PING in time: not ready until it answers (no command refused yet)');
    this.onChange?.('slow');
  }

  success(): void {
    if (this.downSince === null) return;
    const fields = { outageMs: Date.now() - this.downSince, failures: this.failures };
    if (this.refusing) this.log?.warn(fields, 'Redis is reachable again');
    else this.log?.warn(fields, 'Redis answered its readiness PING again: it was slow, no command was refused');
    this.downSince = null;
    this.failures = 0;
    this.refusing = false;
    this.onChange?.('up');
  }
}

/** Answers readiness checks: a PING through the gate, bounded by its own timeout. */
export class RedisProbe {
  /** One probe at a time, so that health checks against a stopped Redis do not pile up PINGs. */
  private probing: Promise<boolean> | null = null;
  /** When the first of the PINGs unanswered in a row was sent; null once one is answered. */
  private unansweredSince: number | null = null;

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
    this.probing ??= this.pingOnce().finally(() => (this.probing = null));
    return this.probing;
  }

  private async pingOnce(): Promise<boolean> {
    const sentAt = performance.now();
    const timedOut = (error: unknown) => {
      this.unansweredSince ??= sentAt;
      this.gate.outages.slowPing(error, performance.now() - this.unansweredSince >= this.gate.timeoutMs);
    };
    try {
      const reply = await this.gate.run((c) => c.ping(), this.timeoutMs, timedOut);
      this.unansweredSince = null;
      return reply === 'PONG';
    } catch {
      return false;
    }
  }
}
