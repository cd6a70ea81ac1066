/**
 * A lease renewal writes again every place this process holds (shared-places.ts), but not one whose take has
 * not answered yet: written by the renewal first, the take's script found it there and counted it, past the
 * cap. Here the one place of a token is another process's, and a recovering socket's reservation is held
 * here while its take waits to be sent; several renewals run meanwhile. Until 7 December they wrote the
 * reserved id into the token's hash, and the take then said yes: two places for a cap of one.
 */
import { pino } from 'pino';
import { createClient, type RedisClientType } from 'redis';
import { describe, expect, it } from 'vitest';
import { REDIS_URL } from './harness.ts';
import { redisForFile } from './redis-for-file.ts';
import { SharedTokenSockets } from '../src/socket/shared-token-sockets.ts';
import { TAKE_PLACE } from '../src/socket/token-places-scripts.ts';
import { TokenSockets } from '../src/socket/token-sockets.ts';

const LEASE_MS = 300;
const { redis, prefix } = redisForFile('renewal-take');
const placesKey = `${prefix}token-sockets:token`;

type Eval = (script: string, options?: { keys?: string[]; arguments?: string[] }) => Promise<unknown>;

describe('a lease renewal while a take is on its way', () => {
  it('does not write the place being taken, so the take at the cap is refused', async () => {
    // Another process, its lease running for a minute, holds the token's one place.
    await redis.hSet(`${prefix}token-sockets:leases`, 'other-process', String(Date.now() + 60_000));
    await redis.hSet(placesKey, 'other-socket', 'other-process');
    // This process's client: its takes wait to be sent until the test lets them.
    const client: RedisClientType = createClient({ url: REDIS_URL });
    await client.connect();
    const evalOf = client as unknown as { eval: Eval };
    const original = evalOf.eval.bind(client);
    let send: (() => void) | null = null;
    evalOf.eval = async (script, options) => {
      if (script === TAKE_PLACE) await new Promise<void>((resolve) => (send = resolve));
      return original(script, options);
    };
    const local = new TokenSockets(1, 1000, 10_000);
    const places = new SharedTokenSockets(local, { redis: client, prefix, leaseMs: LEASE_MS, timeoutMs: 5000, log: pino({ level: 'silent' }) });
    try {
      const reserving = places.reserve('recovering', 'token');
      // Renewals every third of the lease: several run while the take waits.
      await new Promise((resolve) => setTimeout(resolve, 4 * LEASE_MS));
      expect(Object.keys(await redis.hGetAll(placesKey))).toEqual(['other-socket']);
      (send as (() => void) | null)?.();
      expect(await reserving).toBe(false);
      expect(local.isReserved('recovering', 'token')).toBe(false);
      expect(Object.keys(await redis.hGetAll(placesKey))).toEqual(['other-socket']);
    } finally {
      await places.close({ release: true });
      await client.close();
    }
  });
});
