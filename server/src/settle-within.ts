/**
 * `pending`'s outcome if it settles within `ms`; otherwise what `late()`
 * gives (a value to go on with) or throws (the refusal). Every bound on a
 * round trip to the store is this one race. After the bound nobody waits for
 * `pending`; the race's own handler on it keeps a late rejection from being
 * unhandled (which would end the process).
 */
export async function settleWithin<T, L = never>(pending: Promise<T>, ms: number, late: () => L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<L>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (error) {
        reject(error);
      }
    }, Math.max(0, ms));
  });
  try {
    return await Promise.race([pending, bound]);
  } finally {
    clearTimeout(timer);
  }
}
