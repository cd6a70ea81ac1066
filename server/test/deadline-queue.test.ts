import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeadlineQueue } from '../src/session/deadline-queue.ts';
import { ServiceError } from '../src/session/service-error.ts';
import { blockLoop, socketPair } from './stalled-loop.ts';

/** A promise settled by hand, for work that has not finished yet. */
function pending<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('DeadlineQueue', () => {
  afterEach(() => vi.restoreAllMocks());

  answerOrRefuseCases();
  orderAndTimerCases();
});

/** The work in time, the deadline passed, and a reply received just before a late timer. */
function answerOrRefuseCases(): void {
  it('answers with the work when it settles in time, and the work leaves the queue at once', async () => {
    const queue = new DeadlineQueue();
    const onLate = vi.fn();
    await expect(queue.within(Promise.resolve(7), performance.now() + 1000, onLate)).resolves.toBe(7);
    await expect(queue.within(Promise.reject(new Error('refused')), performance.now() + 1000, onLate)).rejects.toThrow('refused');
    expect(queue.size).toBe(0);
    expect(onLate).not.toHaveBeenCalled();
  });

  it('refuses unavailable at the deadline, marks the work late, and ignores how it ends later', async () => {
    const queue = new DeadlineQueue();
    const work = pending<number>();
    const onLate = vi.fn();
    const answer = queue.within(work.promise, performance.now() + 20, onLate);
    const err = await answer.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).code).toBe('unavailable');
    expect(onLate).toHaveBeenCalledTimes(1);
    expect(queue.size).toBe(0);
    work.resolve(1);
    await sleep(0);
    expect(onLate).toHaveBeenCalledTimes(1);
  });

  it('gives a reply already received one more turn when its timer fires late (the loop was blocked), not a refusal', async () => {
    const { near, far, close } = await socketPair();
    try {
      const queue = new DeadlineQueue();
      const onLate = vi.fn();
      const reply = new Promise<string>((resolve) => far.once('data', (data: Buffer) => resolve(data.toString())));
      const answer = queue.within(reply, performance.now() + 20, onLate);
      near.write('applied');
      blockLoop(150);
      await expect(answer).resolves.toBe('applied');
      expect(onLate).not.toHaveBeenCalled();
      // Nothing received: refused all the same, one turn later.
      const never = queue.within(pending<string>().promise, performance.now() + 20, onLate);
      blockLoop(150);
      await expect(never).rejects.toBeInstanceOf(ServiceError);
      expect(onLate).toHaveBeenCalledTimes(1);
    } finally {
      close();
    }
  });
}

/** Deadlines out of order, and one timer for many commands. */
function orderAndTimerCases(): void {
  it('refuses an earlier deadline that came in after a later one at its own time, and the later one at its own', async () => {
    const queue = new DeadlineQueue();
    const start = performance.now();
    const lateAt = (deadline: number): Promise<number> =>
      queue.within(pending<number>().promise, deadline, () => {}).then(
        () => -1,
        () => performance.now() - start,
      );
    // The later deadline far enough on that a loaded machine's stall (the process starved for 100 ms and more)
    // does not make the earlier one look as if it waited for it: a queue timed by its first deadline alone refuses
    // the earlier one at 600 ms, past the bound.
    const later = lateAt(start + 600);
    const earlier = lateAt(start + 20);
    const earlierAt = await earlier;
    expect(earlierAt).toBeGreaterThanOrEqual(19);
    expect(earlierAt).toBeLessThan(500);
    expect(await later).toBeGreaterThanOrEqual(599);
  });

  it('keeps one timer for many bounded commands rather than one each', async () => {
    const queue = new DeadlineQueue();
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const now = performance.now();
    const answers = Array.from({ length: 100 }, (_, i) => queue.within(Promise.resolve(i), now + 1000 + i, () => {}));
    expect(await Promise.all(answers)).toHaveLength(100);
    expect(timers).toHaveBeenCalledTimes(1);
    expect(queue.size).toBe(0);
  });
}
