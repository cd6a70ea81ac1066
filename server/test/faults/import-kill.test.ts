/**
 * Imports under faults. A large session file (8,000 entries, ~2.4 MB) is
 * verified off the event loop: while it is, the same process answers
 * /healthz/live within 500 ms more than an idle process asked in the same
 * moment (what the machine's load adds to both is not the import's doing). A process killed with SIGKILL while it stores an
 * import leaves no session behind (only staged keys that expire), and the
 * same file imported again afterwards appears whole. One address's hourly
 * import allowance is enforced across processes.
 *
 * Across that kill and a restart of the killed process, four seats keep
 * writing into a live session on the same two processes: every acknowledged
 * command is in its log exactly once, every answer and failover comes within
 * the bounds kill-server.test.ts uses, the killed process's /healthz does not
 * answer while the others' say ready, and every client converges on the log's
 * head. Redis stays up, so no command should be refused `unavailable`; the
 * answer bound covers any that is.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { buildSessionFile, type CreateSessionResponse, type LogEntry } from '@rubicon/shared';
import { endlessLog } from '../../bench/workload.ts';
import { SEATS, api, connect, seatTable, waitFor, type ChildServer, type Table } from '../harness.ts';
import { startGame } from '../play.ts';
import {
  PrivateRedis,
  Writer,
  aliveUrls,
  crashLines,
  expectLiveSessionWhole,
  exportLog,
  faultEnv,
  health,
  sleep,
  startServer,
} from './fault-harness.ts';
import { OwnLoopDelay } from './load-margin.ts';
import { reportOnFinish, tableState } from './report-on-finish.ts';

/** How much longer than an idle process the importing one may take to answer /healthz/live. */
const LIVE_BOUND_MS = 500;

let redis: PrivateRedis | undefined;
let admin: RedisClientType | undefined;
const servers: ChildServer[] = [];
let table: Table | undefined;
const writers: Writer[] = [];

const alive = () => aliveUrls(servers);

afterAll(async () => {
  for (const w of writers) w.close();
  table?.close();
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

/**
 * Imports `body` through `url` and probes its /healthz/live every 50 ms until the import is answered. A
 * probe's time is the server's and the machine's: a loaded machine (load 11 and more on 2 CPUs) starves the
 * test process and the servers alike, and a bound of 500 ms on the probe alone was missed with nothing
 * blocked. So each probe goes out with a control, the same request to an idle process (`controlUrl`) in the
 * same moment; and the test process's own longest delay is measured, since it can sit on one answer of a
 * pair and not the other.
 */
async function probedImport(
  url: string,
  controlUrl: string,
  body: string,
): Promise<{ res: Response; probes: { ms: number; controlMs: number }[]; ownLagMs: number }> {
  const ownLag = new OwnLoopDelay();
  ownLag.start();
  const importing = post(url, body);
  const probes: { ms: number; controlMs: number }[] = [];
  let done = false;
  void importing.finally(() => (done = true));
  while (!done) {
    const [probe, control] = await Promise.all([health(url, '/healthz/live'), health(controlUrl, '/healthz/live')]);
    probes.push({ ms: probe.ms, controlMs: control.ms });
    await sleep(50);
  }
  ownLag.stop();
  return { res: await importing, probes, ownLagMs: ownLag.maxMs };
}

/** A game on `home` with four seats writing, iran and israel through `doomed`; each fails over to whatever process is alive. */
async function startWriters(home: string, doomed: string): Promise<Table> {
  const game = await seatTable(home);
  await startGame(game);
  for (const seat of SEATS) {
    const first = seat === 'iran' || seat === 'israel' ? doomed : home;
    const writer = new Writer(() => [first, ...alive()], game.session.sessionId, game.tokens[seat], seat);
    await writer.connect();
    writers.push(writer);
  }
  for (const w of writers) w.start(15);
  return game;
}

/** Stops the writers and checks issue 10's properties on the live session: nothing lost or duplicated, bounded, converged. */
async function expectWritersWhole(game: Table, url: string): Promise<{ acknowledged: number; slowestFailoverMs: number }> {
  await sleep(500);
  await Promise.all(writers.map((w) => w.stop()));
  for (const w of writers.slice(0, 2)) expect(w.failoverCount, w.label).toBeGreaterThan(0);
  const { result } = await expectLiveSessionWhole(url, game, writers, 20);
  return { acknowledged: result.acknowledged, slowestFailoverMs: Math.max(0, ...writers.flatMap((w) => w.failovers.map((f) => f.ms))) };
}

type Report = ReturnType<typeof reportOnFinish>;
type SessionFile = ReturnType<typeof sessionFile>;
interface Probed { probes: { ms: number; controlMs: number }[]; ownLagMs: number }

/** The test's own connection to the private Redis, to see what an import leaves there. */
async function adminClient(url: string): Promise<RedisClientType> {
  const client: RedisClientType = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  admin = client;
  return client;
}

/** 1. The event loop keeps answering while a big file is verified and stored (probedImport), and the file appears whole. */
async function importWhileProbed(first: ChildServer, victim: ChildServer, file: SessionFile, report: Report): Promise<Probed> {
  const { res, probes, ownLagMs } = await probedImport(first.url, victim.url, file.body);
  report.step(`import answered ${res.status}; /healthz/live probes (ms, against the idle control's): ${probes.map((p) => `${Math.round(p.ms)}/${Math.round(p.controlMs)}`).join(' ')}; the test's own loop delay ${Math.round(ownLagMs)} ms`);
  expect(res.status).toBe(201);
  const created = (await res.json()) as CreateSessionResponse;
  expect(probes.length).toBeGreaterThan(5);
  // A test process that stalled for as long as the bound cannot tell a blocked server from a slow machine. A
  // control held up by the machine makes only its own probe lenient, by as much: a loop blocked 700 ms in the
  // import route held its probe 802 ms while the idle process answered the control in 5 ms.
  expect(ownLagMs, 'the test process was too loaded for this run to tell').toBeLessThan(LIVE_BOUND_MS);
  expect(probes.filter((p) => p.ms > LIVE_BOUND_MS + p.controlMs + ownLagMs)).toEqual([]);
  expectWhole(await exportLog(first.url, created.sessionId, created.facilitatorToken), file.log, file.clockRuns);
  return { probes, ownLagMs };
}

/** The key of an import's log being staged (one with a TTL) other than `liveLog`, once one appears. */
async function stagedLog(client: RedisClientType, prefix: string, liveLog: string): Promise<string> {
  let staged: string | undefined;
  await waitFor(
    async () => {
      for await (const keys of client.scanIterator({ MATCH: `${prefix}log:*`, COUNT: 1000 })) {
        for (const key of keys) if (key !== liveLog && (await client.ttl(key)) > 0) staged = key;
      }
      return staged !== undefined;
    },
    60_000,
    'an import to be staged',
  );
  return staged ?? '';
}

/**
 * 2. SIGKILL while the log is being staged, with four seats writing into a live session through both processes:
 * no session appears, and what was staged expires. Returns the live session, the killed process's restart (under
 * way) and how many entries were staged.
 */
async function killWhileStaging(
  client: RedisClientType,
  env: Record<string, string>,
  [first, victim]: readonly [ChildServer, ChildServer],
  file: SessionFile,
  report: Report,
): Promise<{ live: Table; restarting: Promise<ChildServer>; partial: number }> {
  const prefix = env.REDIS_PREFIX ?? '';
  const live = await startWriters(first.url, victim.url);
  table = live;
  report.step('game started; four writers writing, iran and israel through the process to be killed');
  const sessionsBefore = await client.zCard(`${prefix}sessions`);
  const doomed = post(victim.url, file.body).catch(() => null);
  const staged = await stagedLog(client, prefix, `${prefix}log:${live.session.sessionId}`);
  report.step(`${staged} is being staged`);
  report.killing(victim);
  await victim.kill();
  await doomed;
  // Truthful health across the kill: the killed process answers nothing, the survivor says ready.
  await expect(health(victim.url)).rejects.toThrow();
  expect(await health(first.url)).toMatchObject({ status: 200, body: { ready: true, redis: 'ok' } });
  const restarting = startServer(env);
  const stagedId = staged.slice(`${prefix}log:`.length);
  expect(await client.exists(`${prefix}session:${stagedId}`)).toBe(0);
  expect(await client.zCard(`${prefix}sessions`)).toBe(sessionsBefore);
  const partial = await client.xLen(staged);
  expect(partial).toBeLessThan(file.log.length);
  expect(await client.ttl(staged)).toBeGreaterThan(0);
  return { live, restarting, partial };
}

/** 3. The same file, imported again through another process, appears whole, and nothing of it expires. */
async function importAgain(client: RedisClientType, prefix: string, url: string, file: SessionFile, report: Report): Promise<void> {
  const again = await post(url, file.body);
  report.step(`the same file imported again: ${again.status}`);
  expect(again.status).toBe(201);
  const copy = (await again.json()) as CreateSessionResponse;
  expectWhole(await exportLog(url, copy.sessionId, copy.facilitatorToken), file.log, file.clockRuns);
  expect(await client.ttl(`${prefix}log:${copy.sessionId}`)).toBe(-1);
}

/** 4. The killed process restarted; the live session's writers went on through the kill and the restart. */
async function expectWritersWentOn(first: ChildServer, restarted: ChildServer, live: Table): Promise<{ acknowledged: number; slowestFailoverMs: number }> {
  expect(await health(restarted.url)).toMatchObject({ status: 200, body: { ready: true, redis: 'ok' } });
  const game = await expectWritersWhole(live, first.url);
  // A client through the restarted process converges on the same version as the observer's other socket (its own stream's).
  const late = await connect(restarted.url, live.session.sessionId, live.tokens.observer, 'observer through the restarted process');
  await late.caughtUp(15_000);
  late.close();
  expect(late.version).toBe(live.observer.version);
  for (const s of [first, restarted]) {
    expect(s.child.exitCode).toBeNull();
    expect(crashLines(s)).toEqual([]);
  }
  return game;
}

describe('imports', () => {
  it('are verified off the event loop, leave nothing behind when killed half way, and appear whole', async () => {
    const report = reportOnFinish('import-kill', () => tableState({ servers, table, writers }));
    const privateRedis = await PrivateRedis.start();
    redis = privateRedis;
    report.trackRedis(privateRedis);
    const client = await adminClient(privateRedis.url);
    const env = faultEnv(privateRedis, { MAX_IMPORT_BYTES: String(8 * 1024 * 1024) });
    const file = sessionFile(8000);

    const [first, victim] = await Promise.all([startServer(env), startServer(env)]);
    servers.push(first, victim);
    report.track('the importer', first);
    report.track('the idle control, then the one killed while it stores an import', victim);
    const { probes, ownLagMs } = await importWhileProbed(first, victim, file, report);
    const slowest = probes.reduce((a, b) => (b.ms - b.controlMs > a.ms - a.controlMs ? b : a));
    const { live, restarting, partial } = await killWhileStaging(client, env, [first, victim], file, report);
    await importAgain(client, env.REDIS_PREFIX ?? '', first.url, file, report);
    const restarted = await restarting;
    servers.push(restarted);
    report.track('the killed one, restarted', restarted);
    const game = await expectWritersWentOn(first, restarted, live);
    console.info(
      `import: ${file.log.length} entries (${(file.body.length / 1e6).toFixed(1)} MB); /healthz/live during it over ${probes.length} probes: ` +
        `at most ${Math.round(slowest.ms - slowest.controlMs)} ms more than the idle process's (${Math.round(slowest.ms)} against ${Math.round(slowest.controlMs)} ms), ` +
        `slowest ${Math.round(Math.max(...probes.map((p) => p.ms)))} ms, the test's own loop delay ${Math.round(ownLagMs)} ms; the killed import left ${partial} staged entries, no session; ` +
        `meanwhile ${game.acknowledged} commands acknowledged in a live session, 0 lost, 0 duplicated, slowest failover ${game.slowestFailoverMs} ms`,
    );
  }, 120_000);

  it('are capped per address and hour, across processes', async () => {
    const report = reportOnFinish('import-cap');
    redis ??= await PrivateRedis.start();
    report.trackRedis(redis);
    const { body } = sessionFile(40);
    const env = faultEnv(redis, { IMPORT_BYTES_PER_HOUR: String(Math.floor(body.length * 2.5)) });
    const [a, b] = await Promise.all([startServer(env), startServer(env)]);
    servers.push(a, b);
    report.track('A', a);
    report.track('B', b);
    const firstTwo = [await post(a.url, body), await post(b.url, body)];
    report.step(`two imports of ${body.length} bytes through A then B: ${firstTwo.map((r) => r.status).join(', ')}`);
    for (const r of firstTwo) expect(r.status).toBe(201);
    const third = await post(a.url, body);
    report.step(`a third through A: ${third.status}, Retry-After ${third.headers.get('retry-after') ?? 'none'}`);
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    // Other requests from the address are not affected.
    expect((await api(b.url, '/api/scenarios')).status).toBe(200);
  }, 60_000);
});
