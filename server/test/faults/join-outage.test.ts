/**
 * A join (POST /api/join) while Redis is stopped (SIGSTOP: the connection
 * stays open and nothing answers) is answered `503 unavailable` within the
 * same bound as a command, STORE_TIMEOUT_MS from when it arrived: its limit
 * checks and its store reads share that one budget instead of each waiting
 * out a bound of its own (two limit checks of up to 250 ms, the store's
 * bound, then giving the attempt back: about 1.75 s with a 1 s bound).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { HttpError } from '@rubicon/shared';
import { api, codeFor, createSession, type ChildServer } from '../harness.ts';
import { PrivateRedis, faultEnv, sleep, startServers } from './fault-harness.ts';
import { reportOnFinish } from './report-on-finish.ts';

/** Short, so the limit checks' own 250 ms would be most of it: a sum of bounds shows, one budget does not. */
const STORE_TIMEOUT_MS = 400;
/** What the answer may overshoot the bound by on a busy two-core machine (timers, the HTTP round trip). */
const SLACK_MS = 250;

let redis: PrivateRedis | undefined;
let servers: ChildServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((s) => (s.child.exitCode === null ? s.kill() : undefined)));
  await redis?.destroy();
});

async function timedJoin(url: string, code: string): Promise<{ status: number; ms: number; body: unknown; retryAfter: string | null }> {
  const started = performance.now();
  const r = await api<unknown>(url, '/api/join', { body: { code } });
  return { status: r.status, ms: performance.now() - started, body: r.body, retryAfter: r.headers.get('retry-after') };
}

describe('a join while Redis is stopped', () => {
  it('is refused unavailable within the store bound, right code or wrong, and joins once Redis is back', async () => {
    const report = reportOnFinish('join-outage');
    redis = await PrivateRedis.start();
    report.trackRedis(redis);
    servers = await startServers(1, faultEnv(redis, { STORE_TIMEOUT_MS: String(STORE_TIMEOUT_MS) }));
    report.track('the server', servers[0]!);
    const url = servers[0]!.url;
    const session = await createSession(url, { scenarioId: 'april-2024', seed: 'join-outage' });
    const code = codeFor(session, 'iran');
    expect((await timedJoin(url, code)).status).toBe(200);

    redis.stop();
    const answers = [];
    for (const c of [code, code, 'WRONGCODE', code]) answers.push(await timedJoin(url, c));
    report.step(`joins while Redis was stopped: ${answers.map((a) => `${a.status} in ${Math.round(a.ms)} ms, Retry-After ${a.retryAfter ?? 'none'}`).join('; ')}`);
    redis.resume();
    for (const a of answers) {
      expect(a.status).toBe(503);
      expect((a.body as HttpError).error.code).toBe('unavailable');
      expect(a.retryAfter).toBe('1');
      expect(a.ms).toBeLessThan(STORE_TIMEOUT_MS + SLACK_MS);
    }
    console.info(`joins while Redis was stopped: ${answers.map((a) => Math.round(a.ms)).join(', ')} ms (bound ${STORE_TIMEOUT_MS} ms)`);

    await sleep(300);
    expect((await timedJoin(url, code)).status).toBe(200);
  }, 60_000);
});
