/**
 * `xs.map(f)` for lists that hot code reads in many places (choices, messages, channels).
 *
 * V8 gives an empty array from `Array.prototype.map` or an untouched `[]` the "small integers"
 * elements kind and a list of objects another, so code compiled while it saw only one of them
 * is thrown away ("wrong map" deopts) the first time the other arrives, and recompiled on V8's
 * helper threads: once per worker isolate in `rubicon simulate`. An array literal remembers the
 * kind its arrays grew into (its allocation site), so after its first use every list built here
 * has the objects' kind, empty or not.
 */
export function mapList<T, U>(xs: readonly T[], f: (x: T) => U): U[] {
  const out: U[] = [];
  for (let i = 0; i < xs.length; i++) out.push(f(xs[i] as T));
  return out;
}
