import type { GameState } from '@rubicon/shared';
import type { Logger } from '../logger.ts';
import type { Scheduler, SessionStore } from '../store/types.ts';
import type { SessionCache } from './session-cache.ts';
import { isOutage } from './service-error.ts';

export interface BeatDeadlinesOptions {
  store: SessionStore;
  scheduler: Scheduler;
  cache: SessionCache;
  logger: Logger;
  /** How many times to write again when other processes keep appending meanwhile. */
  maxRounds: number;
}

/**
 * Keeps the scheduler holding the running beat deadline of each session's
 * log head. Runs in the session's queue, like everything that touches the
 * cached copy.
 */
export class BeatDeadlines {
  private readonly store: SessionStore;
  private readonly scheduler: Scheduler;
  private readonly cache: SessionCache;
  private readonly log: Logger;
  private readonly maxRounds: number;

  constructor(options: BeatDeadlinesOptions) {
    this.store = options.store;
    this.scheduler = options.scheduler;
    this.cache = options.cache;
    this.log = options.logger;
    this.maxRounds = options.maxRounds;
  }

  /** Whether the running deadline moved between two states (a new timer, or one set again or cleared): after an append, schedule again only then. */
  changed(before: GameState, after: GameState): boolean {
    const t0 = before.turn.context.timer;
    const t1 = after.turn.context.timer;
    return t0?.deadline !== t1?.deadline || t0?.setAtVersion !== t1?.setAtVersion;
  }

  /**
   * Makes the scheduler hold the deadline of the log's head. The scheduler
   * keeps whatever was written last, and another process may append and
   * schedule at the same time; so after writing, look at the head again: if
   * nobody appended meanwhile, any later append (and its scheduling) comes
   * after ours and wins rightly; if somebody did, catch up and write again.
   */
  async scheduleLatest(sessionId: string): Promise<void> {
    const cached = this.cache.peek(sessionId);
    if (!cached) return;
    for (let round = 0; round < this.maxRounds; round++) {
      await this.scheduleFor(sessionId, cached.state);
      if ((await this.store.head(sessionId)) <= cached.state.version) return;
      await this.cache.catchUp(sessionId, cached);
    }
  }

  private async scheduleFor(sessionId: string, state: GameState): Promise<void> {
    const timer = state.turn.context.timer;
    try {
      if (timer && timer.deadline !== null && !state.turn.context.paused)
        await this.scheduler.schedule({ sessionId, timerVersion: timer.setAtVersion, at: timer.deadline });
      else await this.scheduler.cancel(sessionId);
    } catch (err) {
      // During an outage the store logs once; the next append or takeover schedules again.
      if (!isOutage(err)) this.log.error({ err, sessionId }, 'could not schedule the beat deadline');
    }
  }
}
