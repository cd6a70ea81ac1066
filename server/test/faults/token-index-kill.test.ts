/**
 * The token index migration (store/token-index-migration.ts) survives its process's SIGKILL: a server starting
 * on a store of 100,000 tokens stored as before the index is killed once it has stored some batches; a
 * server started after it waits out the dead one's lease, finishes from where it stopped, and logs the
 * counts of the whole migration, both processes' batches included.
 */
import { afterAll, expect, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { waitFor, type ChildServer } from '../harness.ts';
import { PrivateRedis, faultEnv, startServer } from './fault-harness.ts';

const SESSIONS = 100;
const TOKENS = 100_000;

let redis: PrivateRedis | undefined;
let admin: RedisClientType | undefined;
const servers: ChildServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((s) => (s.child.exitCode === null && s.child.signalCode === null ? s.kill() : undefined)));
  if (admin?.isOpen) admin.destroy();
  await redis?.destroy();
});

const liveSession = (t: number) => (t % 10 === 9 ? null : `s${t % SESSIONS}`);

/** The migration's line in a server's output, parsed; null when it wrote none. */
function finishedLine(server: ChildServer): Record<string, unknown> | null {
  const line = server.output().split('\n').find((l) => l.includes('"migration":"token-index"'));
  return line ? (JSON.parse(line) as Record<string, unknown>) : null;
}

it('is finished from where it stopped by the next process after a SIGKILL half-way', { timeout: 120_000 }, async () => {
  redis = await PrivateRedis.start();
  const env = faultEnv(redis);
  const p = env.REDIS_PREFIX!;
  admin = createClient({ url: redis.url });
  admin.on('error', () => {});
  await admin.connect();
  for (let s = 0; s < SESSIONS; s++) await admin.hSet(`${p}session:s${s}`, 'sessionId', JSON.stringify(`s${s}`));
  // As main's saveToken stored them before the index: a plain SET of the grant. One in ten names a session gone.
  for (let t = 0; t < TOKENS; t += 1000) {
    const pairs: [string, string][] = [];
    for (let i = t; i < t + 1000; i++) pairs.push([`${p}token:t${i}`, JSON.stringify({ sessionId: liveSession(i) ?? `gone-${i}`, role: { kind: 'observer' } })]);
    await admin.mSet(pairs);
  }
  const indexed = async () => {
    let n = 0;
    for (let s = 0; s < SESSIONS; s++) n += await admin!.sCard(`${p}tokens:s${s}`);
    return n;
  };

  // In the list as soon as it listens, so that it is killed even if the wait below fails.
  const starting = startServer(env).then((server) => (servers.push(server), server));
  // Killed as soon as it has stored a batch: the progress's cursor has moved.
  await waitFor(async () => ((await admin!.hGet(`${p}migration:token-index:progress`, 'cursor')) ?? '0') !== '0', 60_000, 'the migration never stored a batch');
  const first = await starting;
  await first.kill();
  expect(await admin.hGet(`${p}migrations`, 'token-index')).toBeNull();
  const before = await indexed();
  expect(before).toBeGreaterThan(0);
  expect(before).toBeLessThan(TOKENS * 0.9);
  expect(await admin.pTTL(`${p}migration:token-index`)).toBeGreaterThan(0);
  expect(finishedLine(first)).toBeNull();

  const second = await startServer(env);
  servers.push(second);
  await waitFor(async () => (await admin!.hGet(`${p}migrations`, 'token-index')) === '1', 60_000, 'the migration was never finished');
  expect(await indexed()).toBe(TOKENS * 0.9);
  expect((await admin.keys(`${p}token:*`)).length).toBe(TOKENS * 0.9);
  expect(await admin.keys(`${p}migration:*`)).toEqual([]);
  await waitFor(() => finishedLine(second) !== null, 5000, 'the line with the counts');
  // The whole migration's counts, the killed process's batches included: it went on from them, not over them.
  expect(finishedLine(second)).toMatchObject({ indexed: TOKENS * 0.9, removed: TOKENS / 10, unreadable: 0 });
  expect(Number(finishedLine(second)!.alreadyIndexed)).toBeLessThan(before / 2);
  await second.terminate();
});
