/**
 * A place reserved for a recovering socket (TokenPlaces.reserve) waits up to HELLO_TIMEOUT_MS for its socket,
 * which may be longer than TOKEN_SOCKETS_LEASE_MS: the lease renewals keep it in the shared count meanwhile,
 * as they keep the places of sockets held here, so it does not lapse in Redis while it still counts here.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { redisForFile } from './redis-for-file.ts';
import { SharedTokenSockets } from '../src/socket/shared-token-sockets.ts';
import { TokenSockets } from '../src/socket/token-sockets.ts';

const LEASE_MS = 300;
/** How long the reservation waits for its socket here: several leases. */
const RESERVE_MS = 10_000;

const { redis, prefix } = redisForFile('reserved-lease');

describe('a reserved token place', () => {
  it('is renewed with the lease: still in the shared count after several leases', async () => {
    const local = new TokenSockets(2, 1000, RESERVE_MS);
    const places = new SharedTokenSockets(local, { redis, prefix, leaseMs: LEASE_MS, timeoutMs: 1000, log: pino({ level: 'silent' }) });
    try {
      expect(await places.reserve('recovering', 'token')).toBe(true);
      expect(await redis.hGetAll(`${prefix}token-sockets:token`)).toEqual({ recovering: expect.any(String) });
      await new Promise((resolve) => setTimeout(resolve, 4 * LEASE_MS));
      expect(local.isReserved('recovering', 'token')).toBe(true);
      expect(Object.keys(await redis.hGetAll(`${prefix}token-sockets:token`))).toEqual(['recovering']);
    } finally {
      await places.close({ release: true });
    }
  });
});
