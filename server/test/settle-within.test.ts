import { describe, expect, it } from 'vitest';
import { settleWithin } from '../src/settle-within.ts';

const after = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));

describe('settleWithin', () => {
  it('gives the outcome of what settles within the bound', async () => {
    await expect(settleWithin(after(5, 'in time'), 200, () => 'late')).resolves.toBe('in time');
    await expect(settleWithin(Promise.reject(new Error('refused')), 200, () => 'late')).rejects.toThrow('refused');
  });

  it('gives what late() returns or throws once the bound passes', async () => {
    await expect(settleWithin(after(200, 'slow'), 10, () => 'late')).resolves.toBe('late');
    await expect(
      settleWithin(after(200, 'slow'), 10, () => {
        throw new Error('out of time');
      }),
    ).rejects.toThrow('out of time');
  });

  it('leaves no unhandled rejection when what it waited for fails after the bound', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const failsLate = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('too late')), 20));
      await expect(settleWithin(failsLate, 5, () => 'late')).resolves.toBe('late');
      await after(60, null);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
