/** `x` and everything it holds, frozen in place: a value shared by reference that no holder can change. */
export function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null) for (const v of Object.values(x)) deepFreeze(v);
  return Object.freeze(x);
}
