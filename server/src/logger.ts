import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

/**
 * One structured logger per app; modules take children of it with their own bindings. `destination`
 * (stdout when left out) lets a test read what the app's own logger, redaction included, would write.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    base: { service: 'rubicon' },
    // Tokens never appear in logs: they are credentials (and so is the secret a process's own bots send, OwnBots).
    redact: { paths: ['token', '*.token', 'facilitatorToken', '*.facilitatorToken', 'req.headers.authorization', 'req.headers["x-rubicon-own-bot"]'], remove: true },
  };
  return destination ? pino(options, destination) : pino(options);
}
