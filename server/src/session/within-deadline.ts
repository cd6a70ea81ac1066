import { unavailable } from './service-error.ts';

/** Rejects with `unavailable` at `deadline` (performance.now() time) unless `work` settled first; `onLate` marks the work abandoned. */
export function withinDeadline<T>(work: Promise<T>, deadline: number, onLate: () => void): Promise<T> {
  const wait = deadline - performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onLate();
      reject(unavailable());
    }, Math.max(0, wait));
  });
  // Whatever the work ends with after the deadline, nobody is waiting for it.
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
