/**
 * What removing sessions costs Redis (store/redis-retention.ts): SESSIONS sessions of LOG entries each (with a
 * snapshot, tokens and a re-issued code), and one of LONG entries (the log cap), all made due, then removed
 * by the sweep's calls of 50. Prints Redis's used_memory and the prefix's keys before, after storing and after
 * removal, and each removal call's wall time as this client sees it (its longest is the longest Redis was held).
 * Prints figures, asserts nothing.
 *
 *   flock -x /work/bench.lock node --import tsx server/bench/retention-sweep.ts
 *
 * Env: REDIS_URL (default redis://127.0.0.1:6379), SESSIONS (400), LOG (200), LONG (50000).
 */
import { createClient, type RedisClientType } from 'redis';
import { nanoid } from 'nanoid';
import { performance } from 'node:perf_hooks';
import { RedisStore } from '../src/store/redis-store.ts';
import { entry, sessionMeta, snapshot } from '../test/store-fixtures.ts';

const SESSIONS = Number(process.env.SESSIONS ?? 400);
const LOG = Number(process.env.LOG ?? 200);
const LONG = Number(process.env.LONG ?? 50_000);
const prefix = `retention:bench-${nanoid(6)}:`;

async function usedMemory(client: RedisClientType): Promise<number> {
  const info = await client.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

async function keyCount(client: RedisClientType): Promise<number> {
  let n = 0;
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) n += keys.length;
  return n;
}

async function storeSession(store: RedisStore, entries: number): Promise<string> {
  const meta = sessionMeta({ facilitatorTokenHash: nanoid(64) });
  await store.createSession(meta);
  const id = meta.sessionId;
  await store.saveToken(meta.facilitatorTokenHash, { sessionId: id, role: { kind: 'facilitator' }, key: 'owner' });
  for (let t = 0; t < 4; t++) await store.saveToken(nanoid(64), { sessionId: id, role: { kind: 'observer' } });
  await store.rotateAccess(id, 'observer', { kind: 'observer' }, meta.codes[2]!.code, `R${nanoid(7)}`);
  for (let seq = 1; seq <= entries; seq += 128) {
    const batch = Array.from({ length: Math.min(128, entries - seq + 1) }, (_, i) => entry(seq + i));
    const r = await store.appendBatch(id, batch);
    if (!r.ok) throw new Error(`append: ${JSON.stringify(r)}`);
  }
  await store.saveSnapshot(id, snapshot(entries));
  await store.retainUntil(id, 0);
  return id;
}

async function main(): Promise<void> {
  const client: RedisClientType = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
  await client.connect();
  const store = new RedisStore({ client, prefix });
  const before = await usedMemory(client);
  for (let i = 0; i < SESSIONS; i++) await storeSession(store, LOG);
  if (LONG > 0) await storeSession(store, LONG);
  const stored = await usedMemory(client);
  const storedKeys = await keyCount(client);
  const calls: number[] = [];
  let removed = 0;
  const start = performance.now();
  for (;;) {
    const t = performance.now();
    const ids = await store.removeDue(Date.now(), 50);
    calls.push(performance.now() - t);
    removed += ids.length;
    if (ids.length < 50) break;
  }
  const total = performance.now() - start;
  // UNLINK frees in the background: give it a moment before reading the memory.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = await usedMemory(client);
  const sorted = [...calls].sort((a, b) => a - b);
  const mb = (bytes: number) => (bytes / 1e6).toFixed(2);
  console.log(`sessions stored: ${SESSIONS} × ${LOG} entries${LONG > 0 ? ` + 1 × ${LONG}` : ''}; keys under the prefix ${storedKeys}`);
  console.log(`Redis used_memory: before ${mb(before)} MB, stored ${mb(stored)} MB (+${mb(stored - before)}), after removal ${mb(after)} MB (${mb(after - before)} vs before)`);
  console.log(`removed ${removed} in ${calls.length} calls, ${total.toFixed(0)} ms in all; per call median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`);
  console.log(`keys left under the prefix: ${await keyCount(client)}`);
  await client.close();
}

await main();
