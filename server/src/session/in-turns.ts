import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Runs a sliced computation (shared's `*Slices` generators) on the event loop, giving the loop a turn at each
 * of its pauses: other sessions' commands and `/healthz` wait one slice, not the whole computation.
 */
export async function inTurns<T>(slices: Generator<void, T, void>): Promise<T> {
  for (;;) {
    const step = slices.next();
    if (step.done) return step.value;
    await nextTurn();
  }
}
