/**
 * What the token index migration (store/token-index-migration.ts) costs: TOKENS `token:{hash}` keys written as
 * main's saveToken wrote them before the index (a plain SET of the grant, no `tokens:{id}`), spread over SESSIONS
 * sessions, a tenth of them naming a session that is gone; then one migration run with the defaults a server
 * uses, timed. Prints, per run: the wall time, the longest event-loop delay during it (monitorEventLoopDelay at
 * 1 ms, and the longest gap of a 1 ms timer), the longest batch as this client saw it (its SCAN and script
 * round trips: the longest Redis was held by it, plus the network), Redis's own time per SCAN and EVAL
 * (INFO commandstats, before and after), the counts, and the two event-loop figures over as long again with
 * nothing running (the machine's own stalls). Every key is deleted after each run. Asserts nothing.
 *
 *   flock -x /work/bench.lock node --expose-gc --import tsx server/bench/token-index-migration.ts
 *
 * Env: REDIS_URL (default redis://127.0.0.1:6379), REDIS_PREFIX (default `token-index-bench:`), TOKENS (100000),
 * SESSIONS (1000), RUNS (3), BATCH_KEYS (500) and PAUSE_MS (5), the migration's defaults.
 */
import { createClient, type RedisClientType } from 'redis';
import { createHash } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { RedisGate } from '../src/store/redis-availability.ts';
import { RedisStore } from '../src/store/redis-store.ts';

const TOKENS = Number(process.env.TOKENS ?? 100_000);
const SESSIONS = Number(process.env.SESSIONS ?? 1000);
const RUNS = Number(process.env.RUNS ?? 3);
const prefix = process.env.REDIS_PREFIX ?? 'token-index-bench:';
/** The migration's defaults (redis-migration.ts) unless set: keys per batch, and the pause between batches. */
const BATCH_KEYS = Number(process.env.BATCH_KEYS ?? 500);
const PAUSE_MS = Number(process.env.PAUSE_MS ?? 5);

const hex = (text: string) => createHash('sha256').update(text).digest('hex');

async function deletePrefix(client: RedisClientType): Promise<void> {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await client.unlink(keys);
}

/** The sessions (a hash each: the script asks only whether it exists) and the tokens, as stored before the index. */
async function writeOld(client: RedisClientType): Promise<void> {
  const writes: Promise<unknown>[] = [];
  const flush = async () => {
    await Promise.all(writes);
    writes.length = 0;
  };
  for (let s = 0; s < SESSIONS; s++) writes.push(client.hSet(`${prefix}session:s${s}`, { sessionId: `"s${s}"`, createdAt: '0' }));
  for (let t = 0; t < TOKENS; t++) {
    // One in ten names a session that is gone.
    const sessionId = t % 10 === 9 ? `gone-${t}` : `s${t % SESSIONS}`;
    const grant = { sessionId, role: { kind: 'seat', seat: 'iran' }, key: 'seat:iran', generation: 0 };
    writes.push(client.set(`${prefix}token:${hex(`bench-${t}`)}`, JSON.stringify(grant)));
    if (writes.length >= 5000) await flush();
  }
  await flush();
}

function commandStats(info: string): Record<string, { calls: number; usec: number }> {
  const stats: Record<string, { calls: number; usec: number }> = {};
  for (const m of info.matchAll(/cmdstat_(\w+):calls=(\d+),usec=(\d+)/g)) stats[m[1]!] = { calls: Number(m[2]), usec: Number(m[3]) };
  return stats;
}

function perCall(before: ReturnType<typeof commandStats>, after: ReturnType<typeof commandStats>, name: string): string {
  const calls = (after[name]?.calls ?? 0) - (before[name]?.calls ?? 0);
  const usec = (after[name]?.usec ?? 0) - (before[name]?.usec ?? 0);
  return `${calls} calls, ${(usec / 1000).toFixed(0)} ms in all, ${calls > 0 ? (usec / calls / 1000).toFixed(2) : '-'} ms each`;
}

/** The longest gap between ticks of a 1 ms timer, less the 1 ms: how long the event loop went without turning. */
function gapProbe(): { stop(): number } {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last - 1);
    last = now;
  }, 1);
  return {
    stop: () => {
      clearInterval(timer);
      return longest;
    },
  };
}

async function oneRun(client: RedisClientType, run: number): Promise<void> {
  await deletePrefix(client);
  await writeOld(client);
  // The writes' garbage collected now (with --expose-gc), not during the run.
  (globalThis as { gc?: () => void }).gc?.();
  const statsBefore = commandStats(await client.info('commandstats'));
  const store = new RedisStore({ client, prefix, gate: new RedisGate({ client, timeoutMs: 1000 }) });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let longestBatch = 0;
  const gaps = gapProbe();
  delay.enable();
  const t0 = performance.now();
  let lastBatch = t0;
  const result = await store.migrateTokenIndex({
    batchKeys: BATCH_KEYS,
    pauseMs: PAUSE_MS,
    afterBatch: () => {
      const now = performance.now();
      // From the end of one batch to the end of the next, less the pause between them (PAUSE_MS).
      longestBatch = Math.max(longestBatch, now - lastBatch - (lastBatch === t0 ? 0 : PAUSE_MS));
      lastBatch = now;
    },
  });
  const wallMs = performance.now() - t0;
  delay.disable();
  const gapMs = gaps.stop();
  const statsAfter = commandStats(await client.info('commandstats'));
  // The control: the same probes over as long with nothing running, so the machine's own stalls are told apart.
  const idle = monitorEventLoopDelay({ resolution: 1 });
  const idleGaps = gapProbe();
  idle.enable();
  await new Promise((resolve) => setTimeout(resolve, wallMs));
  idle.disable();
  const idleGapMs = idleGaps.stop();
  console.log(
    `run ${run}: ${TOKENS} token keys over ${SESSIONS} sessions, batches of ${BATCH_KEYS}, pause ${PAUSE_MS} ms: ${result.outcome} in ${wallMs.toFixed(0)} ms, ${result.batches} batches; ` +
      `event-loop delay max ${(delay.max / 1e6).toFixed(1)} ms (p99 ${(delay.percentile(99) / 1e6).toFixed(1)}), longest 1 ms timer gap ${gapMs.toFixed(1)} ms; ` +
      `longest batch (round trips of its SCAN and script) ${longestBatch.toFixed(1)} ms; Redis: scan ${perCall(statsBefore, statsAfter, 'scan')}, eval ${perCall(statsBefore, statsAfter, 'eval')}; ` +
      `counts ${JSON.stringify(result.counts)}; idle control: delay max ${(idle.max / 1e6).toFixed(1)} ms, timer gap ${idleGapMs.toFixed(1)} ms`,
  );
  await deletePrefix(client);
}

async function main(): Promise<void> {
  const client: RedisClientType = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
  await client.connect();
  console.log(`${new Date().toISOString()} node ${process.version}, redis ${/redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? '?'}, dbsize before ${await client.dbSize()}`);
  try {
    for (let run = 1; run <= RUNS; run++) await oneRun(client, run);
  } finally {
    await deletePrefix(client);
    console.log(`${new Date().toISOString()} dbsize after ${await client.dbSize()}`);
    await client.close();
  }
}

await main();
