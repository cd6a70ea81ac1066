import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { RedisGate, StoreUnavailableError } from '../src/store/redis-availability.ts';
import { OutageLog } from '../src/store/redis-health.ts';
import { settleWithin } from '../src/settle-within.ts';
import { blockLoop, socketPair } from './stalled-loop.ts';

const after = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const done of cleanup.splice(0)) await done();
});

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
      // Rejected by hand once the bound has given its answer: a 20 ms timer could come due in the same late turn
      // as the 5 ms bound on a loaded host, and settleWithin then rightly gives the rejection (the case below).
      let rejectLate: (reason: Error) => void = () => {};
      const failsLate = new Promise<never>((_, reject) => (rejectLate = reject));
      await expect(settleWithin(failsLate, 5, () => 'late')).resolves.toBe('late');
      rejectLate(new Error('too late'));
      await after(60, null);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('gives I/O one more turn when its timer fires late: a reply that arrived while the loop was blocked counts', async () => {
    const { near, far, close } = await socketPair();
    cleanup.push(close);
    const reply = once(far, 'data').then(() => 'answered');
    // The reply is in the socket's buffer now, but the loop reads it only after the bound's timer is due.
    near.write('PONG');
    const settled = settleWithin(reply, 20, () => 'late');
    blockLoop(150);
    await expect(settled).resolves.toBe('answered');
  });

  it('still gives up, one turn later, when nothing arrives although its timer fired late', async () => {
    const t0 = performance.now();
    const settled = settleWithin(new Promise<string>(() => {}), 20, () => 'late');
    blockLoop(150);
    await expect(settled).resolves.toBe('late');
    expect(performance.now() - t0).toBeLessThan(150 + 100);
  });
});

describe('RedisGate with a blocked event loop', () => {
  const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

  async function gate(): Promise<RedisGate> {
    const client: RedisClientType = createClient({ url: REDIS_URL });
    await client.connect();
    cleanup.push(() => client.close());
    return new RedisGate({ client, timeoutMs: 30, outages: new OutageLog(undefined) });
  }

  it('reports no outage and refuses nothing when Redis answered in time and the loop read it late', async () => {
    const g = await gate();
    const answer = g.run((c) => c.ping());
    // node-redis writes its commands in a setImmediate: this one runs after it, once PING is on the wire.
    setImmediate(() => blockLoop(150));
    await expect(answer).resolves.toBe('PONG');
    expect(g.outages.down).toBe(false);
  });

  it('still refuses as unavailable, and logs the outage, when the answer never comes', async () => {
    const g = await gate();
    const answer = g.run(() => new Promise<string>(() => {}));
    setImmediate(() => blockLoop(150));
    await expect(answer).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(g.outages.down).toBe(true);
  });
});
