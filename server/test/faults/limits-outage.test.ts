/**
 * Rate limits while Redis is away. A limit counted in Redis falls back to a
 * counter in the process's own memory (rate-limiter-flexible's insurance
 * limiter) when Redis does not answer within the bound or is disconnected:
 * requests are still limited, per process, answered within the bound, and
 * nothing throws. Once Redis is back the shared count is used again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { RateLimit } from '../../src/limits/rate-limit.ts';
import { waitFor } from '../harness.ts';
import { PrivateRedis, sleep } from './fault-harness.ts';
import { OwnLoopDelay } from './load-margin.ts';
import { reportOnFinish } from './report-on-finish.ts';

let redis: PrivateRedis | undefined;
let client: RedisClientType | undefined;

afterAll(async () => {
  client?.destroy();
  await redis?.destroy();
});

async function takeMany(limit: RateLimit, key: string, n: number): Promise<{ allowed: boolean[]; slowestMs: number }> {
  const allowed: boolean[] = [];
  let slowestMs = 0;
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    allowed.push((await limit.take(key)).allowed);
    slowestMs = Math.max(slowestMs, performance.now() - started);
  }
  return { allowed, slowestMs };
}

describe('a limit counted in Redis', () => {
  it('keeps limiting from memory, within its bound, while Redis is stopped or killed, and shares the count again after', async () => {
    const report = reportOnFinish('limits-outage');
    redis = await PrivateRedis.start();
    report.trackRedis(redis);
    const c: RedisClientType = createClient({ url: redis.url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 200 } });
    client = c;
    c.on('error', () => {});
    await c.connect();
    const store = { redis: c, prefix: 'limits-outage:', timeoutMs: 150 };
    // Two limits on one Redis stand for two processes: each has its own memory, and only Redis is shared.
    const a = new RateLimit('outage', { points: 3, windowSeconds: 60 }, store);
    const b = new RateLimit('outage', { points: 3, windowSeconds: 60 }, store);

    // Shared: what one process took, the other sees.
    expect((await takeMany(a, 'up', 2)).allowed).toEqual([true, true]);
    expect((await takeMany(b, 'up', 2)).allowed).toEqual([true, false]);

    // SIGSTOP: commands get no answer; each check gives up after its bound and this process's count decides.
    // The bound is a timer in this process: its event loop's delay comes on top (slowest 350 ms at load 13,
    // 7 December), so that is measured and allowed; a check that waited for Redis instead would take seconds.
    const ownLag = new OwnLoopDelay();
    ownLag.start();
    redis.stop();
    const stopped = await takeMany(a, 'stopped', 5);
    ownLag.stop();
    report.step(`five takes while stopped: ${JSON.stringify(stopped)}; this process's loop delay at most ${Math.round(ownLag.maxMs)} ms`);
    expect(stopped.allowed).toEqual([true, true, true, false, false]);
    expect(stopped.slowestMs).toBeLessThan(150 + 300 + ownLag.maxMs);
    // The other process counts on its own while Redis is away: the limit is per process for the outage.
    expect((await takeMany(b, 'stopped', 4)).allowed).toEqual([true, true, true, false]);
    redis.resume();
    await sleep(300);

    // SIGKILL: the client is disconnected; checks do not even wait. The test waits for its client to have seen
    // the socket close (a fixed 200 ms could pass first on a loaded host, and a take then waited its bound).
    await redis.kill();
    await waitFor(() => !c.isReady, 10_000, 'the client to see Redis gone');
    const killedLag = new OwnLoopDelay();
    killedLag.start();
    const killed = await takeMany(a, 'killed', 4);
    killedLag.stop();
    report.step(`four takes while killed: ${JSON.stringify(killed)}; this process's loop delay at most ${Math.round(killedLag.maxMs)} ms`);
    expect(killed.allowed).toEqual([true, true, true, false]);
    // A check that waited for Redis takes its whole bound (152 ms measured with a take made to wait it); one that
    // does not takes this process's loop delay and little else. So the bound tells the two apart, whatever the load,
    // until the loop is held up nearly that long (a fixed 100 ms allowed the loop's delay less room). 10 ms under
    // it: Node's timers count whole milliseconds and may fire up to one early.
    expect(killed.slowestMs, `this process's loop delay was ${Math.round(killedLag.maxMs)} ms`).toBeLessThan(store.timeoutMs - 10);

    // Back: shared again (a fresh key, so the memory counts above do not blur the picture).
    await redis.start();
    const restartedAt = performance.now();
    await waitFor(() => c.isReady, 10_000, 'the client to reconnect after the restart');
    report.step(`the client was ready again ${Math.round(performance.now() - restartedAt)} ms after the restart`);
    expect((await takeMany(a, 'back', 2)).allowed).toEqual([true, true]);
    expect((await takeMany(b, 'back', 2)).allowed).toEqual([true, false]);
  }, 60_000);
});
