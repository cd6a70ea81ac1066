import { afterEach, describe, expect, it, vi } from 'vitest';
import { Readiness, type Pingable } from '../src/http/readiness.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A store whose PINGs answer at once, never (stopped), or false (not connected), as the test says. */
class FakeStore implements Pingable {
  mode: 'up' | 'stopped' | 'offline' = 'up';
  pings = 0;
  private stalled: ((ok: boolean) => void)[] = [];

  ping(): Promise<boolean> {
    this.pings++;
    if (this.mode === 'up') return Promise.resolve(true);
    if (this.mode === 'offline') return Promise.resolve(false);
    return new Promise((resolve) => this.stalled.push(resolve));
  }

  /** SIGCONT: the stalled PINGs answer. */
  resume(): void {
    this.mode = 'up';
    for (const answer of this.stalled.splice(0)) answer(true);
  }
}

/**
 * The answer, and how long it took on the fake clock, which is moved `advanceMs` meanwhile (a grace is a
 * timer); `ready: null` if there was no answer by then.
 */
async function timed(readiness: Readiness, advanceMs = 0): Promise<{ ready: boolean | null; ms: number }> {
  const t0 = performance.now();
  let ms = Number.NaN;
  const answer = readiness.ready().then((ready) => ((ms = performance.now() - t0), ready));
  await vi.advanceTimersByTimeAsync(advanceMs);
  return { ready: await Promise.race([answer, Promise.resolve(null)]), ms };
}

let readiness: Readiness | undefined;
afterEach(() => {
  readiness?.stop();
  vi.useRealTimers();
});

describe('Readiness', () => {
  // On a fake clock (its timers and performance.now()): the rules are steps of 20-150 ms, which a loaded machine
  // stretched. A stall of some 50 ms after the store stopped started the stalled probe late, so it was not yet
  // overdue when the test asked 150 ms on (1 run in 15 at load 9 on 2 cores, 7 December). Here the times are exact.
  it('answers from the background probes: at once while the store answers, down within the grace once a probe is overdue', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] });
    const store = new FakeStore();
    readiness = new Readiness(store, { everyMs: 20, overdueMs: 100, graceMs: 30 });
    readiness.start();
    await vi.advanceTimersByTimeAsync(50);
    expect(await timed(readiness)).toEqual({ ready: true, ms: 0 });

    store.mode = 'stopped';
    // The probe at 60 ms stalls. Within the overdue time the last answer stands: a stopped store is not yet told from a slow one.
    await vi.advanceTimersByTimeAsync(100);
    expect(await timed(readiness)).toEqual({ ready: true, ms: 0 });
    await vi.advanceTimersByTimeAsync(50);
    // Overdue: the grace, not a PING's timeout (this one never answers), and one probe at a time, however many requests.
    expect(await timed(readiness, 30)).toEqual({ ready: false, ms: 30 });
    const pings = store.pings;
    const many = Promise.all(Array.from({ length: 20 }, () => readiness!.ready()));
    await vi.advanceTimersByTimeAsync(30);
    expect(await many).toEqual(Array.from({ length: 20 }, () => false));
    expect(store.pings).toBe(pings);

    store.resume();
    await vi.advanceTimersByTimeAsync(50);
    expect(await timed(readiness)).toEqual({ ready: true, ms: 0 });

    store.mode = 'offline';
    await vi.advanceTimersByTimeAsync(50);
    expect(await timed(readiness)).toEqual({ ready: false, ms: 0 });
  });

  it('counts a reply that arrives within the grace (one that sat unread behind a stalled event loop)', async () => {
    const store = new FakeStore();
    readiness = new Readiness(store, { everyMs: 1000, overdueMs: 50, graceMs: 40 });
    store.mode = 'stopped';
    readiness.start();
    await sleep(80);
    const answer = readiness.ready();
    store.resume();
    expect(await answer).toBe(true);
  });

  it('probes on request when not started (the memory store), and says not ready until a probe answered', async () => {
    const store = new FakeStore();
    readiness = new Readiness(store, { graceMs: 20 });
    expect(await readiness.ready()).toBe(true);
    store.mode = 'stopped';
    const fresh = new Readiness(store, { graceMs: 20 });
    expect(await fresh.ready()).toBe(false);
  });
});
