import type { ErrorCode } from '@rubicon/shared';
import type { Logger } from './logger.ts';
import { ServiceError, isOutage } from './session/service-error.ts';
import type { SessionService } from './session/session-service.ts';
import type { DueTimer } from './store/types.ts';

/** Refusals that mean the deadline no longer stands (the beat moved on, a pause, an extension). */
const SUPERSEDED = new Set<ErrorCode>(['stale_timer', 'paused', 'wrong_phase', 'game_over']);

/**
 * The scheduler's onDue: closes a beat whose deadline passed by appending a
 * TIMER_EXPIRED from the server's clock. The command id names the deadline,
 * so if two processes (or a retry) fire the same one, it is applied once.
 */
export function createTimerHandler(service: SessionService, logger: Logger): (timer: DueTimer) => Promise<void> {
  const log = logger.child({ module: 'timers' });
  return async (timer) => {
    const { sessionId, timerVersion } = timer;
    try {
      const r = await service.execute(
        sessionId,
        { kind: 'system' },
        `timer-${timerVersion}`,
        null,
        { type: 'TIMER_EXPIRED', timerVersion },
        // The scheduler decided the deadline passed; a process whose clock lags a little must not disagree.
        { atLeast: timer.at },
      );
      log.info({ sessionId, timerVersion, version: r.version, duplicate: r.duplicate }, 'beat deadline passed');
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'not_found') return;
      if (err instanceof ServiceError && SUPERSEDED.has(err.code)) {
        // This deadline was replaced; make sure the one that stands is the one scheduled.
        log.debug({ sessionId, timerVersion, code: err.code }, 'ignoring a superseded deadline');
        await service.reconcileTimer(sessionId).catch((e: unknown) => {
          if (!isOutage(e)) log.error({ err: e, sessionId }, 'could not reschedule');
        });
        return;
      }
      // The scheduler tries again shortly when the store was out of reach.
      if (isOutage(err)) throw err;
      log.error({ err, sessionId, timerVersion }, 'closing the beat at its deadline failed');
    }
  };
}
