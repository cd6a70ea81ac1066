import { unavailable } from './service-error.ts';

/** Rejects with `unavailable` at `deadline` (performance.now() time) unless `work` settled first; `onLate` marks the work abandoned. */
export function withinDeadline<T>(work: Promise<T>, deadline: number, onLate: () => void): Promise<T> {
  const wait = deadline - performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onLate();
      // Not "unreachable": the wait may have been the session's queue on a busy process as much as the store.
      reject(unavailable('This was not done within the time bound; try again with the same command id.'));
    }, Math.max(0, wait));
  });
  // Whatever the work ends with after the deadline, nobody is waiting for it.
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
