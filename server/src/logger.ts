import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

/** One structured logger per app; modules take children of it with their own bindings. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'rubicon' },
    // Tokens never appear in logs: they are credentials (and so is the secret a process's own bots send, OwnBots).
    redact: { paths: ['token', '*.token', 'facilitatorToken', '*.facilitatorToken', 'req.headers.authorization', 'req.headers["x-rubicon-own-bot"]'], remove: true },
  });
}
