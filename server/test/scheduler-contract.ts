/**
 * The one behaviour every Scheduler must show, run against each implementation
 * by store-memory.test.ts and store-redis.test.ts, on a clock the test moves.
 */
import { nanoid } from 'nanoid';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SchedulerErrorHandler } from '../src/store/memory-scheduler.ts';
import type { Clock, DueTimer, Scheduler } from '../src/store/types.ts';
import { sessionId, sleep } from './store-fixtures.ts';

export interface SchedulerFixture {
  /** A new scheduler on the fixture's backend, driven by the fixture's clock. */
  create(onError?: SchedulerErrorHandler): Promise<Scheduler>;
  /** Whether separate instances share their timers (Redis) or not (memory). */
  shared: boolean;
  cleanup(): Promise<void>;
}

export const CONTRACT_POLL_MS = 5;

export interface FakeClock extends Clock {
  t: number;
  advance(ms: number): void;
}

export function fakeClock(start = 1_700_000_000_000): FakeClock {
  return {
    t: start,
    now() {
      return this.t;
    },
    advance(ms: number) {
      this.t += ms;
    },
  };
}

export function schedulerContract(name: string, make: (clock: Clock) => Promise<SchedulerFixture>): void {
  describe(`Scheduler contract: ${name}`, () => {
    let fx: SchedulerFixture;
    let clock: FakeClock;
    const started: Scheduler[] = [];
    /** Starts a scheduler that records what it is handed. */
    const run = async (handle: (t: DueTimer) => Promise<void> = async () => {}, onError?: SchedulerErrorHandler) => {
      const scheduler = await fx.create(onError);
      const fired: DueTimer[] = [];
      scheduler.start(async (t) => {
        fired.push(t);
        await handle(t);
      });
      started.push(scheduler);
      return { scheduler, fired };
    };

    beforeEach(async () => {
      clock = fakeClock();
      fx = await make(clock);
    });
    afterEach(async () => {
      await Promise.all(started.splice(0).map((s) => s.stop()));
      await fx.cleanup();
    });

    it('fires a due timer once, and not before it is due', async () => {
      const { scheduler, fired } = await run();
      const timer = { sessionId: sessionId(), timerVersion: 1, at: clock.now() + 1000 };
      await scheduler.schedule(timer);
      await polls();
      clock.advance(999);
      await polls();
      expect(fired).toEqual([]);
      clock.advance(1);
      await vi.waitFor(() => expect(fired).toEqual([timer]), WAIT);
      clock.advance(10_000);
      await polls();
      expect(fired).toEqual([timer]);
    });

    it('fires each of several timers only when its own time comes', async () => {
      const { scheduler, fired } = await run();
      const base = clock.now();
      const timers = [300, 100, 200].map((delay, i) => ({ sessionId: `s${i}-${nanoid(6)}`, timerVersion: 1, at: base + delay }));
      for (const t of timers) await scheduler.schedule(t);
      for (const [step, expected] of [
        [50, []],
        [100, [timers[1]]],
        [150, [timers[1]]],
        [200, [timers[1], timers[2]]],
        [300, [timers[1], timers[2], timers[0]]],
      ] as const) {
        clock.t = base + step;
        if (expected.length === fired.length) await polls();
        else await vi.waitFor(() => expect(fired).toHaveLength(expected.length), WAIT);
        expect(fired).toEqual(expected);
      }
    });

    it('replaces a session’s pending timer when it is scheduled again', async () => {
      const { scheduler, fired } = await run();
      const sid = sessionId();
      const base = clock.now();
      await scheduler.schedule({ sessionId: sid, timerVersion: 1, at: base + 100 });
      await scheduler.schedule({ sessionId: sid, timerVersion: 2, at: base + 500 });
      clock.t = base + 200;
      await polls();
      expect(fired).toEqual([]);
      clock.t = base + 500;
      await vi.waitFor(() => expect(fired).toHaveLength(1), WAIT);
      // Brought forward, too.
      await scheduler.schedule({ sessionId: sid, timerVersion: 3, at: base + 5000 });
      await scheduler.schedule({ sessionId: sid, timerVersion: 4, at: base + 600 });
      clock.t = base + 600;
      await vi.waitFor(() => expect(fired).toHaveLength(2), WAIT);
      clock.t = base + 6000;
      await polls();
      expect(fired.map((t) => t.timerVersion)).toEqual([2, 4]);
    });

    it('does not fire a cancelled timer', async () => {
      const { scheduler, fired } = await run();
      const kept = { sessionId: sessionId(), timerVersion: 1, at: clock.now() + 100 };
      const dropped = { sessionId: sessionId(), timerVersion: 1, at: clock.now() + 100 };
      await scheduler.schedule(kept);
      await scheduler.schedule(dropped);
      await scheduler.cancel(dropped.sessionId);
      await scheduler.cancel('never-scheduled');
      clock.advance(100);
      await vi.waitFor(() => expect(fired).toHaveLength(1), WAIT);
      await polls();
      expect(fired).toEqual([kept]);
    });

    it('keeps a deadline scheduled by the handler of the one that fired', async () => {
      const sid = sessionId();
      let scheduler: Scheduler | null = null;
      const next = { sessionId: sid, timerVersion: 2, at: clock.now() + 1000 };
      const run1 = await run(async (t) => {
        if (t.timerVersion === 1) await scheduler?.schedule(next);
      });
      scheduler = run1.scheduler;
      await scheduler.schedule({ sessionId: sid, timerVersion: 1, at: clock.now() });
      await vi.waitFor(() => expect(run1.fired).toHaveLength(1), WAIT);
      await polls();
      clock.advance(1000);
      await vi.waitFor(() => expect(run1.fired).toHaveLength(2), WAIT);
      expect(run1.fired[1]).toEqual(next);
    });

    it('reports a failing handler and carries on', async () => {
      const errors: unknown[] = [];
      const { scheduler, fired } = await run(
        async (t) => {
          if (t.timerVersion === 1) throw new Error('handler failed');
        },
        (error) => errors.push(error),
      );
      await scheduler.schedule({ sessionId: sessionId(), timerVersion: 1, at: clock.now() });
      await vi.waitFor(() => expect(errors).toHaveLength(1), WAIT);
      expect(String(errors[0])).toMatch(/handler failed/);
      await scheduler.schedule({ sessionId: sessionId(), timerVersion: 2, at: clock.now() });
      await vi.waitFor(() => expect(fired).toHaveLength(2), WAIT);
      await polls();
      // Failed once is delivered once: it is not retried.
      expect(fired.map((t) => t.timerVersion)).toEqual([1, 2]);
    });

    it('fires nothing after stop, and stop waits for a delivery in progress', async () => {
      let finished = false;
      const { scheduler, fired } = await run(async () => {
        await sleep(50);
        finished = true;
      });
      await scheduler.schedule({ sessionId: sessionId(), timerVersion: 1, at: clock.now() });
      await vi.waitFor(() => expect(fired).toHaveLength(1), WAIT);
      await scheduler.stop();
      expect(finished).toBe(true);
      await scheduler.schedule({ sessionId: sessionId(), timerVersion: 2, at: clock.now() });
      await polls();
      expect(fired).toHaveLength(1);
    });

    it('delivers each due timer to exactly one of several polling instances', async (ctx) => {
      if (!fx.shared) ctx.skip();
      const instances = await Promise.all([run(), run(), run()]);
      const timers = Array.from({ length: 30 }, (_, i) => ({ sessionId: `s${i}-${nanoid(6)}`, timerVersion: i, at: clock.now() + (i % 3) * 10 }));
      // Scheduled through different instances: they share one schedule.
      await Promise.all(timers.map((t, i) => instances[i % instances.length]?.scheduler.schedule(t)));
      clock.advance(20);
      const all = () => instances.flatMap((x) => x.fired);
      await vi.waitFor(() => expect(all()).toHaveLength(30), WAIT);
      await polls(10);
      const delivered = all();
      expect(delivered).toHaveLength(30);
      expect(new Set(delivered.map((t) => t.sessionId)).size).toBe(30);
      expect([...delivered].sort((a, b) => a.timerVersion - b.timerVersion)).toEqual(timers);
    });
  });
}

const WAIT = { timeout: 3000, interval: 2 };

/** Long enough for several polls to have run. */
export function polls(n = 5): Promise<void> {
  return sleep(CONTRACT_POLL_MS * n + 20);
}
