import type { RedisClientType } from 'redis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ServiceError, unavailable } from '../session/service-error.ts';

export interface ImportQuotaOptions {
  /** Bytes of session files one address may upload per hour. */
  bytesPerHour: number;
  /** With Redis the quota is shared by every process; in memory it is this process's. */
  redis: RedisClientType | null;
  prefix: string;
  /** The longest the quota check may wait for Redis. */
  timeoutMs: number;
}

/**
 * What one address may import per hour, counted in bytes of the files it
 * sends (verifying a file costs about in proportion to its size), whether or
 * not they turn out valid.
 */
export class ImportQuota {
  private readonly limiter: RateLimiterAbstract;

  constructor(private readonly options: ImportQuotaOptions) {
    const common = { points: options.bytesPerHour, duration: 3600, keyPrefix: `${options.prefix}import-quota` };
    this.limiter = options.redis
      ? new RateLimiterRedis({ ...common, storeClient: options.redis, useRedisPackage: true })
      : new RateLimiterMemory(common);
  }

  /** Takes `bytes` from the address's hourly allowance, or refuses with `rate_limited` and when to try again. */
  async take(address: string, bytes: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.options.timeoutMs)));
    const taking = this.limiter.consume(address, Math.max(1, bytes));
    taking.catch(() => {});
    try {
      if ((await Promise.race([taking, late])) === 'late') throw unavailable('The import allowance could not be checked; try again.');
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        const minutes = Math.max(1, Math.ceil(err.msBeforeNext / 60_000));
        throw new ServiceError('rate_limited', `This address has imported all it may this hour; try again in ${minutes} min.`, {
          retryAfterMs: err.msBeforeNext,
        });
      }
      if (err instanceof ServiceError) throw err;
      throw unavailable('The import allowance could not be checked; try again.');
    } finally {
      clearTimeout(timer);
    }
  }
}
