/**
 * Redis stopped (SIGSTOP: the connection stays open, nothing answers) and
 * then killed (SIGKILL, restarted from its AOF) while four seats write
 * through two server processes. Nothing crashes; commands that cannot reach
 * Redis are refused as `unavailable` within the bound; /healthz/ready says
 * so in well under 500 ms while /healthz/live stays up; each outage is logged
 * once and shows in /metrics (rubicon_redis_down, rubicon_redis_outages_total);
 * and afterwards every acknowledged command is in the log exactly once.
 */
import type { LogEntry } from '@rubicon/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { SEATS, seatTable, waitFor, type ChildServer, type Table } from '../harness.ts';
import { startGame } from '../play.ts';
import {
  PrivateRedis,
  Writer,
  audit,
  countLines,
  crashLines,
  errorLines,
  exportLog,
  faultEnv,
  health,
  sleep,
  startServers,
  unavailableLatencies,
  type LogAudit,
} from './fault-harness.ts';
import { OwnLoopDelay, ServerLags, lateBound } from './load-margin.ts';
import { NOT_READY_WITHIN_MS, READY_BEYOND_LIVE_MS, notReadyAfter, untilNotReady } from './not-ready-within.ts';
import { reportOnFinish, tableState } from './report-on-finish.ts';

const STORE_TIMEOUT_MS = 1000;

let redis: PrivateRedis | undefined;
let servers: ChildServer[] = [];
let table: Table | undefined;
const writers: Writer[] = [];

afterAll(async () => {
  for (const w of writers) w.close();
  table?.close();
  await Promise.all(servers.map((s) => (s.child.exitCode === null ? s.kill() : undefined)));
  await redis?.destroy();
});

const METRICS_TOKEN = 'fault-suite-scraper';

/** Every server's event-loop delay, from each scrape of its /metrics (the test's scraper, with the token). */
const serverLags = new ServerLags(METRICS_TOKEN);
const metric = (url: string, name: string): Promise<number> => serverLags.metric(url, name);

const redisDown = async (url: string): Promise<boolean> => (await metric(url, 'rubicon_redis_down')) === 1;

/**
 * Not ready and live, each answered without waiting on Redis. Readiness is timed against /healthz/live asked of
 * the same process at the same moment (as healthz-load.test.ts does): a fixed 500 ms on each answer left the
 * loaded servers' delay no room, yet passed a per-request PING that answered at 450 ms. Liveness that waited on
 * Redis would take the store's bound, which it cannot beat.
 */
async function expectNotReady(urls: string[]): Promise<void> {
  for (const url of urls) {
    const [ready, live] = await Promise.all([health(url, '/healthz/ready'), health(url, '/healthz/live')]);
    expect(ready.status, url).toBe(503);
    expect(ready.ms - live.ms, `${url}: ready in ${Math.round(ready.ms)} ms, live in ${Math.round(live.ms)} ms`).toBeLessThan(READY_BEYOND_LIVE_MS);
    expect(ready.body).toMatchObject({ status: 'down', ready: false, redis: 'down' });
    expect(live.status, url).toBe(200);
    expect(live.ms, url).toBeLessThan(STORE_TIMEOUT_MS);
    // The scraper sees it too, while it lasts.
    expect(await metric(url, 'rubicon_redis_down'), url).toBe(1);
  }
}

type Report = ReturnType<typeof reportOnFinish>;

/** Two servers on a private Redis, a game started and four seats writing through both: the load the faults fall on. */
async function startWritingTable(report: Report): Promise<{ redis: PrivateRedis; urls: [string, string]; table: Table }> {
  const privateRedis = await PrivateRedis.start();
  redis = privateRedis;
  report.trackRedis(privateRedis);
  // BOT_LEASE_MS 300: the bot manager scans its leases every 100 ms, so anything it logs per scan during an outage shows.
  servers = await startServers(2, faultEnv(privateRedis, { STORE_TIMEOUT_MS: String(STORE_TIMEOUT_MS), BOT_LEASE_MS: '300', METRICS_TOKEN }));
  for (const [i, s] of servers.entries()) report.track(['A', 'B'][i] ?? '?', s);
  const urls = servers.map((s) => s.url) as [string, string];
  const [a, b] = urls;
  const seated = await seatTable(a, {}, (role) => (['us', 'mediators', 'observer'].includes(role) ? b : a));
  table = seated;
  await startGame(seated);
  for (const [i, seat] of SEATS.entries()) {
    const writer = new Writer(() => (i % 2 === 0 ? [a, b] : [b, a]), seated.session.sessionId, seated.tokens[seat], seat);
    await writer.connect();
    writers.push(writer);
  }
  return { redis: privateRedis, urls, table: seated };
}

async function bothReady([a, b]: readonly [string, string], withinMs: number, what: string): Promise<void> {
  await waitFor(async () => (await health(a)).status === 200 && (await health(b)).status === 200, withinMs, what);
}

/** SIGSTOP (connections held open, nothing answered), then SIGKILL and a restart from the AOF on the same port. */
async function stopThenKill(privateRedis: PrivateRedis, urls: [string, string], report: Report): Promise<void> {
  const stoppedAt = Date.now();
  privateRedis.stop();
  // Readiness turns down when a background PING (one every 100 ms) times out, 400 ms after it was sent; the
  // gauge with it, on the same timer.
  await untilNotReady(urls, redisDown);
  await expectNotReady(urls);
  const stoppedMs = await notReadyAfter(servers, stoppedAt);
  report.step(`both processes say not ready, and live; they turned ${stoppedMs.map(Math.round).join(' and ')} ms after the stop`);
  expect(Math.max(...stoppedMs)).toBeLessThan(NOT_READY_WITHIN_MS);
  // Outages as long as they were with a fixed 600 ms wait for readiness: about 3.1 s stopped, 2.1 s killed.
  await sleep(3100 - (Date.now() - stoppedAt));
  privateRedis.resume();
  await bothReady(urls, 10_000, 'ready after SIGCONT');
  report.step('both ready again');
  await sleep(1500);

  const killedAt = Date.now();
  await privateRedis.kill();
  // The connection is gone: down at the next PING, or at once.
  await untilNotReady(urls, redisDown);
  await expectNotReady(urls);
  report.step(`both processes say not ready ${Date.now() - killedAt} ms after the kill, and live`);
  await sleep(2100 - (Date.now() - killedAt));
  await privateRedis.start();
  await bothReady(urls, 15_000, 'ready after the restart');
  report.step('both ready again');
  await sleep(1500);
}

/**
 * Refused within the bound and "never acknowledged later": no answer, refusal or acknowledgement, after the
 * bound plus what the machine's load measurably added (lateBound; a fixed 700 ms of slack before, which a run
 * at load 10-13 could exceed without anything being late). Each server's lag is scraped once more to cover the end.
 */
async function expectAnsweredInBound(urls: readonly string[], ownLag: OwnLoopDelay, report: Report): Promise<{ ownLagMs: number; limit: number; slowestAck: number }> {
  for (const url of urls) await metric(url, 'rubicon_redis_down');
  ownLag.stop();
  const ownLagMs = ownLag.maxMs;
  const limit = lateBound(STORE_TIMEOUT_MS, serverLags.maxMs, ownLagMs);
  report.step(`event-loop lag max: servers ${serverLags.each.map(Math.round).join('/')} ms, test ${Math.round(ownLagMs)} ms; no answer may be later than ${Math.round(limit)} ms`);
  // A run whose event loops stalled for seconds cannot tell a late answer from a slow one: say so rather than pass.
  expect(limit, 'the machine was too loaded for this run to tell late from slow').toBeLessThan(3 * STORE_TIMEOUT_MS);
  const answers = writers.flatMap((w) => w.records.flatMap((r) => r.answers));
  expect(answers.filter((x) => x.ms > limit)).toEqual([]);
  return { ownLagMs, limit, slowestAck: Math.max(...answers.filter((x) => x.ok).map((x) => x.ms)) };
}

async function expectLogIntact(url: string, seated: Table): Promise<{ log: LogEntry[]; result: LogAudit }> {
  const log = await exportLog(url, seated.session.sessionId, seated.session.facilitatorToken);
  const result = audit(log, writers);
  expect(result.acknowledged).toBeGreaterThan(100);
  // What `unavailable` promises (docs/protocol.md): maybe applied, never acknowledged later, and the retry
  // with the same id tells the truth (`duplicate: true` if an earlier sending was applied, retryNotTold).
  expect(result).toMatchObject({ lost: [], duplicated: [], refusedButApplied: [], wrongVersion: [], gaveUp: 0, retryNotTold: [] });
  expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
  return { log, result };
}

/** Both processes alive, no crash or bug-level line, and each outage logged once (not once per command). */
async function expectOutagesLoggedOnce(): Promise<void> {
  for (const server of servers) {
    expect(await metric(server.url, 'rubicon_redis_down')).toBe(0);
    expect(server.child.exitCode).toBeNull();
    expect(crashLines(server)).toEqual([]);
    const outages = countLines(server, 'Redis is unreachable');
    expect(outages).toBeGreaterThanOrEqual(1);
    expect(outages).toBeLessThanOrEqual(2);
    expect(countLines(server, 'Redis is reachable again')).toBe(outages);
    expect(await metric(server.url, 'rubicon_redis_outages_total')).toBe(outages);
    // …and nothing else at error level: no module logs the outage again on its own (per scan, per command).
    expect(errorLines(server).filter((l) => !l.includes('Redis is unreachable'))).toEqual([]);
  }
}

describe('Redis faults under load', () => {
  it('never crash a process, refuse within the bound, report health truthfully, and lose or duplicate nothing', async () => {
    const report = reportOnFinish('redis-outage', () => tableState({ servers, table, writers }));
    const ownLag = new OwnLoopDelay();
    const { redis: privateRedis, urls, table: seated } = await startWritingTable(report);
    // The delays that count are those while commands flow, not the processes' start (module loading, the first
    // compilations): each server's lag is scraped once to reset it, and the test's own monitor starts now.
    for (const url of urls) await metric(url, 'rubicon_redis_down');
    serverLags.reset();
    ownLag.start();
    for (const w of writers) w.start(20);
    report.step('game started; four writers writing');
    await sleep(1500);

    await stopThenKill(privateRedis, urls, report);
    await Promise.all(writers.map((w) => w.stop()));
    report.step('writers stopped');

    const latencies = unavailableLatencies(writers);
    expect(latencies.length).toBeGreaterThan(0);
    const { ownLagMs, limit, slowestAck } = await expectAnsweredInBound(urls, ownLag, report);
    const { log, result } = await expectLogIntact(urls[0], seated);
    await expectOutagesLoggedOnce();

    // Clients converge: every socket on either process holds all its server has for it, the white cell the whole log.
    await Promise.all([...writers.map((w) => w.client), ...seated.all()].map((c) => c.caughtUp(15_000)));
    expect(seated.facilitator.version).toBe(log.length);
    const lags = serverLags.each.map(Math.round).join('/');
    console.info(
      `redis faults: ${result.acknowledged} acknowledged (slowest ${Math.round(slowestAck)} ms), ${latencies.length} unavailable answers ` +
        `(slowest ${Math.round(Math.max(...latencies))} ms), ${result.appliedThoughUnavailable} applied though refused unavailable (retry said duplicate), ` +
        `${log.length} log entries, 0 lost, 0 duplicated; event-loop lag max: servers ${lags} ms, test ${Math.round(ownLagMs)} ms, so no answer later than ${Math.round(limit)} ms`,
    );
  }, 90_000);
});
