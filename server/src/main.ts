import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createFailureLogger } from './logger.ts';
import { openBrowser } from './open-browser.ts';
import { isRedisConnectionError } from './store/index.ts';

const failures = createFailureLogger();

/**
 * The server process: configuration from the environment, one app, and a
 * graceful shutdown on SIGTERM/SIGINT (stop accepting, stop the timers, close
 * sockets, store snapshots, close the stores), bounded by a grace period.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createApp(config);
  // Last line of defence: a library promise that rejects because Redis went
  // away must not take the process down (the store reports the outage once).
  // Anything else unhandled is a bug, and exits as Node would.
  process.on('unhandledRejection', (reason) => {
    if (isRedisConnectionError(reason)) return void app.logger.debug({ err: reason }, 'a Redis command failed unobserved');
    app.logger.fatal({ err: reason }, 'unhandled rejection');
    process.exit(1);
  });
  const url = await app.listen();
  app.logger.info({ url: config.publicUrl ?? url, redis: config.redisUrl ? 'on' : 'off' }, `Rubicon is listening on ${url}`);
  if (process.stdout.isTTY) process.stdout.write(`\n  Rubicon is running: open ${config.publicUrl ?? url}\n\n`);
  openBrowser(config.publicUrl ?? url, process.env, process.stdout.isTTY === true);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownGraceMs);
    force.unref();
    app.close().then(
      () => {
        app.logger.info('bye');
        process.exit(0);
      },
      (err: unknown) => {
        app.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// Node's own report of an uncaught exception would bypass the scrubber; it exits the same way.
process.on('uncaughtException', (err) => {
  failures.fatal({ err }, 'uncaught exception');
  process.exit(1);
});
main().catch((err: unknown) => {
  failures.fatal({ err }, 'the server could not start');
  process.exit(1);
});
