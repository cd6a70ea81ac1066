import { pino, type DestinationStream, type LogFn, type Logger, type LoggerOptions } from 'pino';
import type { Config } from './config.ts';
import { scrubLogArguments, scrubRecord } from './log-scrub.ts';

export type { Logger };

/**
 * One structured logger per app; modules take children of it with their own bindings. `destination`
 * (stdout when left out) lets a test read what the app's own logger, redaction included, would write.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: config.logLevel,
    base: { service: 'rubicon' },
    // No credential reaches a line at any depth (tokens, join codes, the own-bot secret, an error's
    // message or fields): every line's object and message pass through log-scrub.ts (and every
    // child's bindings, below).
    formatters: { log: scrubRecord },
    hooks: {
      logMethod(args, method) {
        method.apply(this, scrubLogArguments(args) as Parameters<LogFn>);
      },
    },
    // scrubRecord has serialized every error already (pino's own serializer, then scrubbed); a
    // second pass would take the plain object for an error and name its type `Object`.
    serializers: { err: (err: unknown) => err },
  };
  const logger = destination ? pino(options, destination) : pino(options);
  // pino applies formatters.bindings to the root's bindings only, so children's are scrubbed here;
  // a child's child inherits this `child` through its prototype.
  const child = logger.child;
  logger.child = function scrubbedChild(this: Logger, bindings, childOptions) {
    return child.call(this, scrubRecord(bindings), childOptions);
  } as typeof child;
  return logger;
}

/**
 * Where a failure to start, or a crash, is reported: before the app's logger exists there is no
 * other, and console.error or Node's own report would print an error's message and fields as they
 * are (a password in a URL, a token in a message). On stderr, where a failed start always went, and
 * not bound by LOG_LEVEL (the configuration may be what failed to load): the reason always shows.
 */
export function createFailureLogger(): Logger {
  return createLogger({ logLevel: 'info' }, pino.destination({ dest: 2, sync: true }));
}
