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

/** What one contract test needs: the clock it moves, and schedulers started (and stopped after it) on the fixture. */
interface ContractContext {
  readonly clock: FakeClock;
  /** Whether separate instances share their timers. */
  readonly shared: boolean;
  /** Starts a scheduler that records what it is handed. */
  run(handle?: (t: DueTimer) => Promise<void>, onError?: SchedulerErrorHandler): Promise<{ scheduler: Scheduler; fired: DueTimer[] }>;
}

export function schedulerContract(name: string, make: (clock: Clock) => Promise<SchedulerFixture>): void {
  describe(`Scheduler contract: ${name}`, () => {
    let fx: SchedulerFixture;
    let clock: FakeClock;
    const started: Scheduler[] = [];
    const context: ContractContext = {
      get clock() {
        return clock;
      },
      get shared() {
        return fx.shared;
      },
      async run(handle = async () => {}, onError) {
        const scheduler = await fx.create(onError);
        const fired: DueTimer[] = [];
        scheduler.start(async (t) => {
          fired.push(t);
          await handle(t);
        });
        started.push(scheduler);
        return { scheduler, fired };
      },
    };

    beforeEach(async () => {
      clock = fakeClock();
      fx = await make(clock);
    });
    afterEach(async () => {
      await Promise.all(started.splice(0).map((s) => s.stop()));
      await fx.cleanup();
    });

    timingCases(context);
    replacementCases(context);
    handlerCases(context);
  });
}

/** A timer fires when due, once, each on its own time. */
function timingCases(c: ContractContext): void {
  it('fires a due timer once, and not before it is due', async () => {
    const { scheduler, fired } = await c.run();
    const timer = { sessionId: sessionId(), timerVersion: 1, at: c.clock.now() + 1000 };
    await scheduler.schedule(timer);
    await polls();
    c.clock.advance(999);
    await polls();
    expect(fired).toEqual([]);
    c.clock.advance(1);
    await vi.waitFor(() => expect(fired).toEqual([timer]), WAIT);
    c.clock.advance(10_000);
    await polls();
    expect(fired).toEqual([timer]);
  });

  it('fires each of several timers only when its own time comes', async () => {
    const { scheduler, fired } = await c.run();
    const base = c.clock.now();
    const timers = [300, 100, 200].map((delay, i) => ({ sessionId: `s${i}-${nanoid(6)}`, timerVersion: 1, at: base + delay }));
    for (const t of timers) await scheduler.schedule(t);
    for (const [step, expected] of [
      [50, []],
      [100, [timers[1]]],
      [150, [timers[1]]],
      [200, [timers[1], timers[2]]],
      [300, [timers[1], timers[2], timers[0]]],
    ] as const) {
      c.clock.t = base + step;
      if (expected.length === fired.length) await polls();
      else await vi.waitFor(() => expect(fired).toHaveLength(expected.length), WAIT);
      expect(fired).toEqual(expected);
    }
  });
}

/** Scheduling again, cancelling, and scheduling from the handler of the timer that fired. */
function replacementCases(c: ContractContext): void {
  it('replaces a session’s pending timer when it is scheduled again', async () => {
    const { scheduler, fired } = await c.run();
    const sid = sessionId();
    const base = c.clock.now();
    await scheduler.schedule({ sessionId: sid, timerVersion: 1, at: base + 100 });
    await scheduler.schedule({ sessionId: sid, timerVersion: 2, at: base + 500 });
    c.clock.t = base + 200;
    await polls();
    expect(fired).toEqual([]);
    c.clock.t = base + 500;
    await vi.waitFor(() => expect(fired).toHaveLength(1), WAIT);
    // Brought forward, too.
    await scheduler.schedule({ sessionId: sid, timerVersion: 3, at: base + 5000 });
    await scheduler.schedule({ sessionId: sid, timerVersion: 4, at: base + 600 });
    c.clock.t = base + 600;
    await vi.waitFor(() => expect(fired).toHaveLength(2), WAIT);
    c.clock.t = base + 6000;
    await polls();
    expect(fired.map((t) => t.timerVersion)).toEqual([2, 4]);
  });

  it('does not fire a cancelled timer', async () => {
    const { scheduler, fired } = await c.run();
    const kept = { sessionId: sessionId(), timerVersion: 1, at: c.clock.now() + 100 };
    const dropped = { sessionId: sessionId(), timerVersion: 1, at: c.clock.now() + 100 };
    await scheduler.schedule(kept);
    await scheduler.schedule(dropped);
    await scheduler.cancel(dropped.sessionId);
    await scheduler.cancel('never-scheduled');
    c.clock.advance(100);
    await vi.waitFor(() => expect(fired).toHaveLength(1), WAIT);
    await polls();
    expect(fired).toEqual([kept]);
  });

  it('keeps a deadline scheduled by the handler of the one that fired', async () => {
    const sid = sessionId();
    let scheduler: Scheduler | null = null;
    const next = { sessionId: sid, timerVersion: 2, at: c.clock.now() + 1000 };
    const run1 = await c.run(async (t) => {
      if (t.timerVersion === 1) await scheduler?.schedule(next);
    });
    scheduler = run1.scheduler;
    await scheduler.schedule({ sessionId: sid, timerVersion: 1, at: c.clock.now() });
    await vi.waitFor(() => expect(run1.fired).toHaveLength(1), WAIT);
    await polls();
    c.clock.advance(1000);
    await vi.waitFor(() => expect(run1.fired).toHaveLength(2), WAIT);
    expect(run1.fired[1]).toEqual(next);
  });
}

/** The handler: its failure, stop while it runs, and one handler among several instances. */
function handlerCases(c: ContractContext): void {
  it('reports a failing handler and carries on', async () => {
    const errors: unknown[] = [];
    const { scheduler, fired } = await c.run(
      async (t) => {
        if (t.timerVersion === 1) throw new Error('handler failed');
      },
      (error) => errors.push(error),
    );
    await scheduler.schedule({ sessionId: sessionId(), timerVersion: 1, at: c.clock.now() });
    await vi.waitFor(() => expect(errors).toHaveLength(1), WAIT);
    expect(String(errors[0])).toMatch(/handler failed/);
    await scheduler.schedule({ sessionId: sessionId(), timerVersion: 2, at: c.clock.now() });
    await vi.waitFor(() => expect(fired).toHaveLength(2), WAIT);
    await polls();
    // Failed once is delivered once: it is not retried.
    expect(fired.map((t) => t.timerVersion)).toEqual([1, 2]);
  });

  it('fires nothing after stop, and stop waits for a delivery in progress', async () => {
    let finished = false;
    const { scheduler, fired } = await c.run(async () => {
      await sleep(50);
      finished = true;
    });
    await scheduler.schedule({ sessionId: sessionId(), timerVersion: 1, at: c.clock.now() });
    await vi.waitFor(() => expect(fired).toHaveLength(1), WAIT);
    await scheduler.stop();
    expect(finished).toBe(true);
    await scheduler.schedule({ sessionId: sessionId(), timerVersion: 2, at: c.clock.now() });
    await polls();
    expect(fired).toHaveLength(1);
  });

  it('delivers each due timer to exactly one of several polling instances', async (ctx) => {
    if (!c.shared) ctx.skip();
    const instances = await Promise.all([c.run(), c.run(), c.run()]);
    const timers = Array.from({ length: 30 }, (_, i) => ({ sessionId: `s${i}-${nanoid(6)}`, timerVersion: i, at: c.clock.now() + (i % 3) * 10 }));
    // Scheduled through different instances: they share one schedule.
    await Promise.all(timers.map((t, i) => instances[i % instances.length]?.scheduler.schedule(t)));
    c.clock.advance(20);
    const all = () => instances.flatMap((x) => x.fired);
    await vi.waitFor(() => expect(all()).toHaveLength(30), WAIT);
    await polls(10);
    const delivered = all();
    expect(delivered).toHaveLength(30);
    expect(new Set(delivered.map((t) => t.sessionId)).size).toBe(30);
    expect([...delivered].sort((a, b) => a.timerVersion - b.timerVersion)).toEqual(timers);
  });
}

const WAIT = { timeout: 3000, interval: 2 };

/** Long enough for several polls to have run. */
export function polls(n = 5): Promise<void> {
  return sleep(CONTRACT_POLL_MS * n + 20);
}
