/**
 * The bot manager scans the bot leases every BOT_LEASE_MS / 3 (5 s by default) with commands of its
 * own, outside the store's gate. While Redis was away each scan failed with the Redis client's own
 * error (ClientOfflineError, TimeoutError), which the manager took for a bug and logged at error
 * level: one line per scan for the whole outage on every process, beside the store's one line per
 * outage. The leases now fail as the store does, with a StoreUnavailableError.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { RedisBotLeases } from '../../src/bots/bot-leases.ts';
import { isOutage } from '../../src/session/service-error.ts';
import { StoreUnavailableError } from '../../src/store/index.ts';
import { waitFor } from '../harness.ts';
import { PrivateRedis } from './fault-harness.ts';
import { reportOnFinish } from './report-on-finish.ts';

let redis: PrivateRedis | undefined;
let client: RedisClientType | undefined;

afterAll(async () => {
  client?.destroy();
  await redis?.destroy();
});

async function failure(command: Promise<unknown>): Promise<unknown> {
  return command.then(
    () => new Error('the command succeeded'),
    (err: unknown) => err,
  );
}

describe('bot leases while Redis is away', () => {
  it('fail with the store’s StoreUnavailableError (an outage, logged once by the store), not the client’s own error', async () => {
    const report = reportOnFinish('bot-leases-outage');
    redis = await PrivateRedis.start();
    report.trackRedis(redis);
    // As the app's shared client is made (store/index.ts): no offline queue, no per-command timeout of its own.
    client = createClient({ url: redis.url, socket: { reconnectStrategy: 100, connectTimeout: 2000 }, disableOfflineQueue: true, commandOptions: { timeout: 0 } });
    client.on('error', () => {});
    await client.connect();
    const leases = new RedisBotLeases(client, 'leases-outage:', 'this-process', 15_000);
    await leases.add('s1');
    expect(await leases.sessions()).toEqual(['s1']);
    expect(await leases.hold('s1')).toBe(true);

    // Stopped: the connection stays open and nothing answers (the leases' own 5 s timeout).
    redis.stop();
    const stopped = await failure(leases.sessions());
    report.step(`sessions() while stopped failed with ${String(stopped)}`);
    redis.resume();
    expect(stopped).toBeInstanceOf(StoreUnavailableError);
    expect(isOutage(stopped)).toBe(true);

    // Killed: the client is offline until Redis is back.
    await redis.kill();
    await waitFor(() => Promise.resolve(client?.isReady === false), 5000, 'the client notices');
    report.step('the client noticed');
    for (const command of [leases.sessions(), leases.hold('s1'), leases.add('s2'), leases.remove('s1'), leases.release('s1')]) {
      const err = await failure(command);
      report.step(`a lease command while killed failed with ${String(err)}`);
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect(isOutage(err)).toBe(true);
    }

    // Back from its AOF: the leases work again on the same client.
    await redis.start();
    await waitFor(() => Promise.resolve(client?.isReady === true), 10_000, 'the client reconnects');
    expect(await leases.sessions()).toEqual(['s1']);
  }, 30_000);
});
