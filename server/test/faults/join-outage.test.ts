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
import { OwnLoopDelay, ServerLags, lateBound } from './load-margin.ts';
import { reportOnFinish } from './report-on-finish.ts';

/** Short, so the limit checks' own 250 ms would be most of it: a sum of bounds shows, one budget does not. */
const STORE_TIMEOUT_MS = 400;
/**
 * What the answer may overshoot the bound by on a busy two-core machine (timers, the HTTP round trip), at
 * least; more when the server's or the test's event loop was measurably held up (lateBound). A fixed 250 ms
 * alone was missed at load 11 (709 ms, 7 December), the server's 400 ms timer late with the host's load.
 */
const SLACK_MS = 250;
/**
 * A run whose loops stalled so long that the bound comes to this is too loaded to tell one budget from a sum
 * of bounds (three times the bound, as redis-outage.test.ts has it): it says so rather than pass.
 */
const TOO_LOADED_MS = 3 * STORE_TIMEOUT_MS;
const METRICS_TOKEN = 'fault-suite-scraper';

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
    servers = await startServers(1, faultEnv(redis, { STORE_TIMEOUT_MS: String(STORE_TIMEOUT_MS), METRICS_TOKEN }));
    report.track('the server', servers[0]!);
    const url = servers[0]!.url;
    const session = await createSession(url, { scenarioId: 'april-2024', seed: 'join-outage' });
    const code = codeFor(session, 'iran');
    expect((await timedJoin(url, code)).status).toBe(200);

    // The server's loop delay from here on (a scrape resets it) and the test's own.
    const lags = new ServerLags(METRICS_TOKEN);
    await lags.metric(url, 'rubicon_redis_down');
    lags.reset();
    const ownLag = new OwnLoopDelay();
    ownLag.start();
    redis.stop();
    const answers = [];
    for (const c of [code, code, 'WRONGCODE', code]) answers.push(await timedJoin(url, c));
    report.step(`joins while Redis was stopped: ${answers.map((a) => `${a.status} in ${Math.round(a.ms)} ms, Retry-After ${a.retryAfter ?? 'none'}`).join('; ')}`);
    await lags.metric(url, 'rubicon_redis_down');
    ownLag.stop();
    redis.resume();
    const limit = Math.max(STORE_TIMEOUT_MS + SLACK_MS, lateBound(STORE_TIMEOUT_MS, lags.maxMs, ownLag.maxMs));
    report.step(`event-loop lag max: server ${Math.round(lags.maxMs)} ms, test ${Math.round(ownLag.maxMs)} ms; no answer may take ${Math.round(limit)} ms`);
    expect(limit, 'the machine was too loaded for this run to tell one budget from a sum of bounds').toBeLessThan(TOO_LOADED_MS);
    for (const a of answers) {
      expect(a.status).toBe(503);
      expect((a.body as HttpError).error.code).toBe('unavailable');
      expect(a.retryAfter).toBe('1');
      expect(a.ms).toBeLessThan(limit);
    }
    console.info(`joins while Redis was stopped: ${answers.map((a) => Math.round(a.ms)).join(', ')} ms (bound ${STORE_TIMEOUT_MS} ms, at most ${Math.round(limit)} ms with this run's loop delays)`);

    await sleep(300);
    expect((await timedJoin(url, code)).status).toBe(200);
  }, 60_000);
});
