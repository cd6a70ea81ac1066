import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll } from 'vitest';
import { REDIS_URL, deleteRedisKeys, uniquePrefix } from './harness.ts';

/**
 * The test file's own client of the shared Redis and key prefix: connected before its tests; after them,
 * every key under the prefix removed and the client closed.
 */
export function redisForFile(name: string): { redis: RedisClientType; prefix: string } {
  const redis: RedisClientType = createClient({ url: REDIS_URL });
  const prefix = uniquePrefix(name);
  beforeAll(async () => {
    await redis.connect();
  });
  afterAll(async () => {
    await deleteRedisKeys(prefix);
    if (redis.isOpen) await redis.close();
  });
  return { redis, prefix };
}
