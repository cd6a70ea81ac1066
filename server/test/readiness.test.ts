import { afterEach, describe, expect, it } from 'vitest';
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

async function timed(readiness: Readiness): Promise<{ ready: boolean; ms: number }> {
  const t0 = performance.now();
  const ready = await readiness.ready();
  return { ready, ms: performance.now() - t0 };
}

let readiness: Readiness | undefined;
afterEach(() => readiness?.stop());

describe('Readiness', () => {
  it('answers from the background probes: at once while the store answers, down within the grace once a probe is overdue', async () => {
    const store = new FakeStore();
    readiness = new Readiness(store, { everyMs: 20, overdueMs: 100, graceMs: 30 });
    readiness.start();
    await sleep(50);
    const up = await timed(readiness);
    expect(up.ready).toBe(true);
    expect(up.ms).toBeLessThan(25);

    store.mode = 'stopped';
    // Within the overdue time the last answer stands: a stopped store is not yet told from a slow one.
    await sleep(150);
    const stopped = await timed(readiness);
    expect(stopped.ready).toBe(false);
    // The grace, not a PING's timeout: one probe at a time, however many requests.
    expect(stopped.ms).toBeLessThan(200);
    const pings = store.pings;
    await Promise.all(Array.from({ length: 20 }, () => readiness!.ready()));
    expect(store.pings).toBe(pings);

    store.resume();
    await sleep(50);
    expect(await readiness.ready()).toBe(true);

    store.mode = 'offline';
    await sleep(50);
    const offline = await timed(readiness);
    expect(offline.ready).toBe(false);
    expect(offline.ms).toBeLessThan(25);
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
