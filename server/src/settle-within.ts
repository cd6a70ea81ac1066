/**
 * A bound's timer that fires this much past its due time was held up by the
 * event loop (a long synchronous task, a GC pause, a starved process), not
 * by the store: about the resolution of the event-loop delay monitors, and
 * more than a timer's usual jitter.
 */
export const STALL_MS = 10;

/**
 * `pending`'s outcome if it settles within `ms`; otherwise what `late()`
 * gives (a value to go on with) or throws (the refusal). Every bound on a
 * round trip to the store is this one race. After the bound nobody waits for
 * `pending`; the race's own handler on it keeps a late rejection from being
 * unhandled (which would end the process).
 *
 * When the timer fires more than STALL_MS late, the event loop was blocked,
 * and a reply that arrived meanwhile still sits unread in its socket: timers
 * run before the loop reads its sockets. Such a timer gives I/O one more turn
 * (whenDue: a setImmediate runs after the loop's poll phase) before it calls
 * the call late, so that a stalled process does not report an outage of a
 * store that answered in time. A store that does not answer is still given up
 * on, one turn of the loop later; a timer that fires on time decides at once.
 */
export async function settleWithin<T, L = never>(pending: Promise<T>, ms: number, late: () => L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  let turn: NodeJS.Immediate | undefined;
  const bound = new Promise<L>((resolve, reject) => {
    const due = performance.now() + Math.max(0, ms);
    timer = setTimeout(() => {
      turn = whenDue(due, () => {
        try {
          resolve(late());
        } catch (error) {
          reject(error);
        }
      });
    }, Math.max(0, ms));
  });
  try {
    return await Promise.race([pending, bound]);
  } finally {
    clearTimeout(timer);
    clearImmediate(turn);
  }
}

/**
 * What a bound's timer does when it fires for `due` (performance.now() time):
 * `expire` at once if the timer is on time; if it is more than STALL_MS late,
 * after one more turn of I/O, and then the Immediate to clear is returned.
 */
export function whenDue(due: number, expire: () => void): NodeJS.Immediate | undefined {
  if (performance.now() - due > STALL_MS) return setImmediate(expire);
  expire();
  return undefined;
}
