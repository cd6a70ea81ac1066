/**
 * A small seeded PRNG (mulberry32). Its whole state is one uint32 kept in the
 * game context, so a persisted snapshot carries the generator with it and a
 * replay draws exactly the same numbers.
 */
export type PrngState = number;

export function seedFrom(seed: string | number): PrngState {
  if (typeof seed === 'number' && Number.isInteger(seed)) return seed >>> 0;
  // FNV-1a over the text form: every seed string maps to a stable uint32.
  let h = 0x811c9dc5;
  for (const ch of String(seed)) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Returns a float in [0, 1) and the next state. */
export function nextFloat(state: PrngState): [value: number, next: PrngState] {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  const value = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  return [value, next];
}

/** Picks an index with probability proportional to its weight. Weights must not all be zero. */
export function pickWeighted(state: PrngState, weights: readonly number[]): [index: number, roll: number, next: PrngState] {
  const total = weights.reduce((a, w) => a + Math.max(0, w), 0);
  const [value, next] = nextFloat(state);
  if (total <= 0) return [0, value, next];
  let target = value * total;
  for (let i = 0; i < weights.length; i++) {
    const w = Math.max(0, weights[i] ?? 0);
    if (target < w) return [i, value, next];
    target -= w;
  }
  return [weights.length - 1, value, next];
}
