/**
 * What creating a session costs its client, on Redis: POST /api/sessions answered one after another,
 * alternating between this checkout's server and CREATE_COST_BASELINE's (another checkout, e.g. a mk_tree
 * of main), both in this process, each on a REDIS_PREFIX of its own. Since 7 December a create counts its
 * address's request and new-session budgets in one script (Limits.newSession) and the store's cap inside
 * CREATE_SESSION (MAX_SESSIONS); before, it counted the request budget alone. Prints each server's median,
 * p90 and p99 wall time per create.
 *
 * Standalone: CREATE_COST_BASELINE=/tmp/base node --import tsx server/bench/create-cost.ts [--rounds N]
 * Bounded: N creates on each (400 by default), 127.0.0.1 only, the keys deleted afterwards.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { nanoid } from 'nanoid';
import { deleteKeys } from './server-e2e.ts';
import { quantile } from './stats.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Served {
  label: string;
  url: string;
  prefix: string;
  close: () => Promise<void>;
  samples: number[];
}

interface Checkout {
  loadConfig: (env: Record<string, string>) => unknown;
  createApp: (config: never) => Promise<{ listen(): Promise<string>; close(): Promise<void> }>;
}

/** A server of the checkout at `root`, built by that checkout's own code, on Redis with the budgets raised. */
async function serve(label: string, root: string): Promise<Served> {
  const load = async (file: string): Promise<Record<string, unknown>> => (await import(pathToFileURL(path.join(root, file)).href)) as Record<string, unknown>;
  const checkout = { ...(await load('server/src/config.ts')), ...(await load('server/src/app.ts')) } as unknown as Checkout;
  const prefix = `create-cost-${label}-${nanoid(6)}:`;
  const env = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CLIENT_DIST: '/nonexistent-client-dist', REDIS_URL, REDIS_PREFIX: prefix };
  const config = checkout.loadConfig({ ...env, HTTP_RATE_LIMIT_BURST: '100000', HTTP_RATE_LIMIT_PER_SEC: '100000', SESSIONS_PER_ADDRESS: '1000000' });
  const app = await checkout.createApp(config as never);
  return { label, url: await app.listen(), prefix, close: () => app.close(), samples: [] };
}

async function createOn(server: Served): Promise<void> {
  const started = performance.now();
  const res = await fetch(new URL('/api/sessions', server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenarioId: 'april-2024', seed: 'create-cost' }),
  });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`${server.label}: create answered ${res.status}`);
  server.samples.push(performance.now() - started);
}

async function main(): Promise<void> {
  const roundsAt = process.argv.indexOf('--rounds');
  const rounds = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 400;
  const here = path.resolve(import.meta.dirname, '../..');
  const baseline = process.env.CREATE_COST_BASELINE;
  const servers = [await serve('this', here), ...(baseline ? [await serve('baseline', path.resolve(baseline))] : [])];
  try {
    // A warm-up of 20 each (connections, scripts loaded, JIT), not counted.
    for (let i = 0; i < 20; i++) for (const s of servers) await createOn(s);
    for (const s of servers) s.samples.length = 0;
    for (let i = 0; i < rounds; i++) for (const s of servers) await createOn(s);
    for (const s of servers) {
      const ms = (q: number) => quantile(s.samples, q).toFixed(2);
      console.log(`${s.label}: ${s.samples.length} creates, median ${ms(0.5)} ms, p90 ${ms(0.9)} ms, p99 ${ms(0.99)} ms`);
    }
  } finally {
    for (const s of servers) {
      await s.close();
      await deleteKeys(REDIS_URL, s.prefix);
    }
  }
}

await main();
