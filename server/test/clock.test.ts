import { describe, expect, it } from 'vitest';
import { performance } from '../src/clock.ts';

describe('clock', () => {
  it('is the global performance object, so times read through it and through the global compare', () => {
    expect(performance).toBe(globalThis.performance);
    const before = globalThis.performance.now();
    expect(performance.now()).toBeGreaterThanOrEqual(before);
    expect(performance.timeOrigin).toBe(globalThis.performance.timeOrigin);
  });
});
