import type { RedisClientType } from 'redis';

/**
 * The client as a starved host sees it: Redis runs each script at once, but its reply reaches the caller
 * `lateMs()` later, so a limit's count lands in Redis while the caller's bound has already run out.
 */
export function withLateScriptReplies(client: RedisClientType, lateMs: () => number): RedisClientType {
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop !== 'eval' || typeof value !== 'function') return value;
      const run = value as (...args: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]) => {
        const reply = await run.apply(target, args);
        await new Promise((resolve) => setTimeout(resolve, lateMs()));
        return reply;
      };
    },
  });
}
