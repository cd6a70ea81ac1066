import type { Clock, DueTimer, Scheduler } from './types.ts';
import { PollLoop } from './poll-loop.ts';

/** `timer` is absent when the failure was the scheduler's own (e.g. Redis unreachable). */
export type SchedulerErrorHandler = (error: unknown, timer?: DueTimer) => void;

export interface MemorySchedulerOptions {
  clock: Clock;
  pollMs: number;
  /** Told about every error thrown by `onDue`; the scheduler itself carries on. */
  onError?: SchedulerErrorHandler;
}

/** Beat deadlines for a single process. Polling, not one setTimeout per timer, so a fake clock drives it in tests. */
export class MemoryScheduler implements Scheduler {
  private readonly clock: Clock;
  private readonly loop: PollLoop;
  private readonly onError: SchedulerErrorHandler;
  /** One pending deadline per session. */
  private readonly pending = new Map<string, DueTimer>();

  constructor(options: MemorySchedulerOptions) {
    this.clock = options.clock;
    this.loop = new PollLoop(options.pollMs);
    this.onError = options.onError ?? (() => {});
  }

  async schedule(timer: DueTimer): Promise<void> {
    this.pending.set(timer.sessionId, { ...timer });
  }

  async cancel(sessionId: string): Promise<void> {
    this.pending.delete(sessionId);
  }

  start(onDue: (timer: DueTimer) => Promise<void>): void {
    this.loop.start(() => this.poll(onDue));
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async poll(onDue: (timer: DueTimer) => Promise<void>): Promise<void> {
    const now = this.clock.now();
    const due = [...this.pending.values()].filter((t) => t.at <= now);
    // Removed before delivery: a handler that schedules the next deadline for
    // the same session must not have it deleted afterwards.
    for (const timer of due) this.pending.delete(timer.sessionId);
    await Promise.all(due.map((timer) => deliver(onDue, timer, this.onError)));
  }
}

/** Calls `onDue`, routing both thrown and rejected errors to `onError`, which may not throw either. */
export async function deliver(
  onDue: (timer: DueTimer) => Promise<void>,
  timer: DueTimer,
  onError: SchedulerErrorHandler,
): Promise<void> {
  try {
    await onDue(timer);
  } catch (error) {
    report(onError, error, timer);
  }
}

export function report(onError: SchedulerErrorHandler, error: unknown, timer?: DueTimer): void {
  try {
    onError(error, timer);
  } catch {
    // Nowhere left to report to; the scheduler must keep running.
  }
}
