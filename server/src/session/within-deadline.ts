import { unavailable } from './service-error.ts';

/**
 * Rejects with `unavailable` at `deadline` (performance.now() time) unless `work` settled first; `onLate` marks the work abandoned.
 * One promise and one timer per call, settled by whichever comes first (every command passes through here, so no race/finally chain).
 */
export function withinDeadline<T>(work: Promise<T>, deadline: number, onLate: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        onLate();
        // Not "unreachable": the wait may have been the session's queue on a busy process as much as the store.
        reject(unavailable('This was not done within the time bound; try again with the same command id.'));
      },
      Math.max(0, deadline - performance.now()),
    );
    // Whatever the work ends with after the deadline, nobody is waiting for it: the promise has settled already.
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
