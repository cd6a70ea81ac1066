import { nextFloat, seedFrom } from '../prng.ts';

/**
 * A bot's random numbers, seeded from what identifies its decision (the
 * session, the seat, the view's version), so a decision is a pure function of
 * what the bot saw and a re-run decides the same.
 */
export function seededRandom(...parts: (string | number)[]): () => number {
  let state = seedFrom(parts.join(':'));
  return () => {
    const [value, next] = nextFloat(state);
    state = next;
    return value;
  };
}
