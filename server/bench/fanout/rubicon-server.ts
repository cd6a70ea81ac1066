/**
 * Rubicon as the fan-out benchmark runs it: the real app (createApp) in a
 * process of its own, production defaults except the limits a benchmark from
 * one address would trip (commands per seat, session and socket; hellos;
 * HTTP requests; join attempts in flight; limits.ts: each keeps its shipped
 * window length), and the shipped April 2024 scenario with its public
 * channel's statement cap raised above 5 a second (the default is 4 a
 * minute), so every seat can keep talking.
 *
 *   forked by fanout.ts with env REDIS_URL, REDIS_PREFIX, FANOUT_SERVER_ENV (a JSON object of settings), FANOUT_SPANS (all optional)
 */
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { benchCatalog } from '../bench-catalog.ts';
import { benchLimitSettings } from './limits.ts';
import { serveIpc } from './server-process.ts';
import { commandPathProbe } from './span-probe.ts';
import { BENCH_STATEMENTS_PER_MINUTE } from './types.ts';

async function start(): Promise<{ url: string; close: () => Promise<void> }> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    CLIENT_DIST: '/nonexistent-client-dist',
    ...benchLimitSettings(),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, REDIS_PREFIX: process.env.REDIS_PREFIX ?? 'bench:' } : {}),
    // A variant's settings (fanout.ts, FANOUT_VARIANT), for an A/B in one run.
    ...(JSON.parse(process.env.FANOUT_SERVER_ENV ?? '{}') as Record<string, string>),
  });
  const app = await createApp(config, { scenarios: benchCatalog(BENCH_STATEMENTS_PER_MINUTE) });
  const url = await app.listen();
  return { url, close: () => app.close() };
}

// FANOUT_SPANS=1: the command path's waits timed over the load window (span-probe.ts), before the app is made.
if (process.send) serveIpc(start, process.env.FANOUT_SPANS === '1' ? commandPathProbe() : null);
