import type { Logger } from './logger.ts';

/**
 * How a shutdown waits on a step that needs the store (the scheduler's last poll, giving socket places and bot
 * leases back, the snapshots, closing the client): until the step is done, or until the store is known to be
 * down (`untilDown`: Redis refusing commands), whichever comes first. Against a Redis that cannot answer, each
 * such step would only wait out its commands' bound (STORE_TIMEOUT_MS) in turn, several bounds in all, or the
 * whole SHUTDOWN_GRACE_MS with a long bound. Nothing acknowledged is lost by not waiting: a command is
 * acknowledged only once its entry is in the log. What is left undone is kept elsewhere or lapses: a snapshot
 * (the next process replays the log from the last one), socket places and bot leases (they expire with their
 * lease). A healthy store gets every step in full.
 */
export function storeSteps(untilDown: Promise<void>, log: Logger): <T>(step: Promise<T>) => Promise<T | undefined> {
  let said = false;
  return async <T>(step: Promise<T>) => {
    // Undefined: the store went down first (the step's own end, even a failure, is then nobody's concern).
    const done = await Promise.race([step.then((value) => ({ value })), untilDown.then(() => undefined)]);
    if (done) return done.value;
    if (!said)
      log.warn('Redis is unreachable: the shutdown stops waiting on it (no snapshots stored; socket places and bot leases lapse with their lease; acknowledged commands are in the log already)');
    said = true;
    return undefined;
  };
}
