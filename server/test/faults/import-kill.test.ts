/**
 * Imports under faults. A large session file (8,000 entries, ~2.4 MB) is
 * verified off the event loop: while it is, the same process answers
 * /healthz/live quickly. A process killed with SIGKILL while it stores an
 * import leaves no session behind (only staged keys that expire), and the
 * same file imported again afterwards appears whole. One address's hourly
 * import allowance is enforced across processes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { buildSessionFile, type CreateSessionResponse, type LogEntry } from '@rubicon/shared';
import { endlessLog } from '../../bench/workload.ts';
import { api, spawnServer, waitFor, type ChildServer } from '../harness.ts';
import { PrivateRedis, crashLines, exportLog, faultEnv, health, sleep } from './fault-harness.ts';

let redis: PrivateRedis | undefined;
let admin: RedisClientType | undefined;
const servers: ChildServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((s) => (s.child.exitCode === null ? s.kill() : undefined)));
  if (admin?.isOpen) admin.destroy();
  await redis?.destroy();
});

function sessionFile(entries: number): { body: string; log: LogEntry[]; clockRuns: boolean } {
  const { game, log, driver } = endlessLog('import-fault', entries);
  const file = buildSessionFile({ session: { sessionId: 'original', title: 'A long session', createdAt: 1, parent: null }, game, log, exportedAt: 1 });
  const { timer, paused } = driver.state.turn.context;
  return { body: JSON.stringify(file), log, clockRuns: timer !== null && timer.deadline !== null && !paused };
}

/**
 * The file's beat deadline lies long in the past: if its clock runs at the end, the import
 * starts paused (one facilitator PAUSE after the file's log), and the beat never expires.
 */
function expectWhole(exported: LogEntry[], log: LogEntry[], clockRuns: boolean): void {
  expect(exported.slice(0, log.length)).toEqual(log);
  expect(exported.slice(log.length).map((e) => [e.by.kind, e.command.type])).toEqual(clockRuns ? [['facilitator', 'PAUSE']] : []);
}

const post = (url: string, body: string) =>
  fetch(new URL('/api/sessions/import', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('imports', () => {
  it('are verified off the event loop, leave nothing behind when killed half way, and appear whole', async () => {
    redis = await PrivateRedis.start();
    admin = createClient({ url: redis.url });
    admin.on('error', () => {});
    await admin.connect();
    const env = faultEnv(redis, { MAX_IMPORT_BYTES: String(8 * 1024 * 1024) });
    const prefix = env.REDIS_PREFIX ?? '';
    const { body, log, clockRuns } = sessionFile(8000);

    // 1. The event loop keeps answering while a big file is verified and stored.
    const first = await spawnServer(env);
    servers.push(first);
    const importing = post(first.url, body);
    const probes: number[] = [];
    let done = false;
    void importing.finally(() => (done = true));
    while (!done) {
      probes.push((await health(first.url, '/healthz/live')).ms);
      await sleep(50);
    }
    const res = await importing;
    expect(res.status).toBe(201);
    const created = (await res.json()) as CreateSessionResponse;
    expect(probes.length).toBeGreaterThan(5);
    expect(Math.max(...probes)).toBeLessThan(500);
    expectWhole(await exportLog(first.url, created.sessionId, created.facilitatorToken), log, clockRuns);

    // 2. SIGKILL while the log is being staged: no session appears, and what was staged expires.
    const sessionsBefore = await admin.zCard(`${prefix}sessions`);
    const victim = await spawnServer(env);
    servers.push(victim);
    const doomed = post(victim.url, body).catch(() => null);
    let staged: string | undefined;
    await waitFor(
      async () => {
        for await (const keys of admin!.scanIterator({ MATCH: `${prefix}log:*`, COUNT: 1000 })) {
          for (const key of keys) if ((await admin!.ttl(key)) > 0) staged = key;
        }
        return staged !== undefined;
      },
      60_000,
      'an import to be staged',
    );
    await victim.kill();
    await doomed;
    const stagedId = (staged ?? '').slice(`${prefix}log:`.length);
    expect(await admin.exists(`${prefix}session:${stagedId}`)).toBe(0);
    expect(await admin.zCard(`${prefix}sessions`)).toBe(sessionsBefore);
    const partial = await admin.xLen(staged ?? '');
    expect(partial).toBeLessThan(log.length);
    expect(await admin.ttl(staged ?? '')).toBeGreaterThan(0);

    // 3. The same file, imported again through another process, appears whole.
    const again = await post(first.url, body);
    expect(again.status).toBe(201);
    const copy = (await again.json()) as CreateSessionResponse;
    expectWhole(await exportLog(first.url, copy.sessionId, copy.facilitatorToken), log, clockRuns);
    expect(await admin.ttl(`${prefix}log:${copy.sessionId}`)).toBe(-1);
    expect(first.child.exitCode).toBeNull();
    expect(crashLines(first)).toEqual([]);
    console.info(`import: ${log.length} entries (${(body.length / 1e6).toFixed(1)} MB); slowest /healthz/live during it ${Math.round(Math.max(...probes))} ms over ${probes.length} probes; the killed import left ${partial} staged entries, no session`);
  }, 120_000);

  it('are capped per address and hour, across processes', async () => {
    redis ??= await PrivateRedis.start();
    const { body } = sessionFile(40);
    const env = faultEnv(redis, { IMPORT_BYTES_PER_HOUR: String(Math.floor(body.length * 2.5)) });
    const [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
    servers.push(a, b);
    expect((await post(a.url, body)).status).toBe(201);
    expect((await post(b.url, body)).status).toBe(201);
    const third = await post(a.url, body);
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    // Other requests from the address are not affected.
    expect((await api(b.url, '/api/scenarios')).status).toBe(200);
  }, 60_000);
});
