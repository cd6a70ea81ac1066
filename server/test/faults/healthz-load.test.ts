/**
 * /healthz/ready within 500 ms, truthfully, while four seats write as fast as
 * they can through one process. Readiness used to send a PING of its own per
 * request and wait for it up to 400 ms: with Redis stopped every answer took
 * that long plus the event loop's delay (568 ms in one loaded run). It now
 * answers from background probes (server/src/http/readiness.ts): at once
 * while Redis answers, within a 50 ms grace once a probe is overdue.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SEATS, seatTable, waitFor, type ChildServer, type Table } from '../harness.ts';
import { startGame } from '../play.ts';
import { PrivateRedis, Writer, faultEnv, health, sleep, startServers, type HealthAnswer } from './fault-harness.ts';
import { reportOnFinish, tableState } from './report-on-finish.ts';

/**
 * What one answer may take as the test measures it. The server waits 50 ms at
 * most; the rest is the HTTP round trip and both event loops' delays under
 * the writers' load. The old per-request PING took 400 ms or more on a
 * stopped Redis, whatever the load, so this bound tells the two apart.
 */
const ANSWER_MS = 250;

let redis: PrivateRedis | undefined;
let server: ChildServer | undefined;
let table: Table | undefined;
const writers: Writer[] = [];

afterAll(async () => {
  for (const w of writers) w.close();
  table?.close();
  if (server?.child.exitCode === null) await server.kill();
  await redis?.destroy();
});

/** `n` readiness answers one after another, `gapMs` apart. */
async function probes(url: string, n: number, gapMs: number): Promise<HealthAnswer[]> {
  const answers: HealthAnswer[] = [];
  for (let i = 0; i < n; i++) {
    answers.push(await health(url, '/healthz/ready'));
    await sleep(gapMs);
  }
  return answers;
}

const slowest = (answers: readonly HealthAnswer[]) => Math.round(Math.max(...answers.map((a) => a.ms)));
/** Each answer's status and time, for the report. */
const statuses = (answers: readonly HealthAnswer[]) => answers.map((a) => `${a.status} in ${Math.round(a.ms)} ms`).join(', ');

describe('/healthz/ready under load', () => {
  it('answers within the bound, 200 while Redis answers and 503 while it is stopped or gone', async () => {
    const report = reportOnFinish('healthz-load', () => tableState({ servers: server ? [server] : [], table, writers }));
    redis = await PrivateRedis.start();
    report.trackRedis(redis);
    [server] = await startServers(1, faultEnv(redis));
    report.track('the server', server!);
    const url = server!.url;
    table = await seatTable(url);
    await startGame(table);
    for (const seat of SEATS) {
      const writer = new Writer(() => [url], table.session.sessionId, table.tokens[seat], seat);
      await writer.connect();
      writers.push(writer);
    }
    for (const w of writers) w.start(0);
    report.step('game started; four writers writing as fast as they can');
    await sleep(1000);

    const up = await probes(url, 20, 50);
    report.step(`ready while Redis is up: ${statuses(up)}`);
    expect(up.map((a) => a.status)).toEqual(up.map(() => 200));

    redis.stop();
    // A probe in flight times out 400 ms after it was sent, and one is sent every 100 ms.
    await sleep(600);
    const stopped = await probes(url, 10, 50);
    report.step(`ready while Redis is stopped: ${statuses(stopped)}`);
    expect(stopped.map((a) => [a.status, a.body])).toEqual(stopped.map(() => [503, expect.objectContaining({ ready: false, redis: 'down' })]));
    redis.resume();
    await waitFor(async () => (await health(url)).status === 200, 5000, 'ready after SIGCONT');

    await redis.kill();
    await sleep(300);
    const gone = await probes(url, 10, 50);
    report.step(`ready while Redis is gone: ${statuses(gone)}`);
    expect(gone.map((a) => a.status)).toEqual(gone.map(() => 503));
    await redis.start();
    await waitFor(async () => (await health(url)).status === 200, 15_000, 'ready after the restart');
    const back = await probes(url, 10, 50);
    report.step(`ready once Redis is back: ${statuses(back)}`);
    await Promise.all(writers.map((w) => w.stop()));
    expect(back.map((a) => a.status)).toEqual(back.map(() => 200));

    const acknowledged = writers.flatMap((w) => w.records).filter((r) => r.final === 'ok').length;
    console.info(
      `healthz under load: ${acknowledged} commands acknowledged; slowest ready answer: up ${slowest(up)} ms, stopped ${slowest(stopped)} ms, ` +
        `killed ${slowest(gone)} ms, back ${slowest(back)} ms`,
    );
    expect(acknowledged).toBeGreaterThan(100);
    for (const answers of [up, stopped, gone, back]) expect(slowest(answers)).toBeLessThan(ANSWER_MS);
  }, 90_000);
});
