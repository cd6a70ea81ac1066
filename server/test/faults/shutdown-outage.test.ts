/**
 * SIGTERM while Redis is away. Each store step of a shutdown (the scheduler's last poll, giving socket places
 * back, the snapshots, closing the client) waited out its commands' bound in turn: with Redis stopped
 * (SIGSTOP: the connection stays open, nothing answers) a process took about four STORE_TIMEOUT_MS to exit,
 * and with a bound of a few seconds it would run into SHUTDOWN_GRACE_MS. Now a process stops waiting on
 * Redis once it knows Redis is down (its commands refused): it exits promptly, and a healthy Redis still
 * gets the whole drain (a snapshot of the last entry). Either way every acknowledged command is in the log.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { seatTable, waitFor, type ChildServer, type Table } from '../harness.ts';
import { createStores, systemClock } from '../../src/store/index.ts';
import { PrivateRedis, countLines, crashLines, faultEnv, sleep, startServer } from './fault-harness.ts';
import { reportOnFinish } from './report-on-finish.ts';

const STORE_TIMEOUT_MS = 1000;
/** What an exit may take beyond the server's own work on a busy two-core machine (the signal, the process's end). */
const SLACK_MS = 400;

let redis: PrivateRedis | undefined;
let server: ChildServer | undefined;
let table: Table | undefined;

afterAll(async () => {
  table?.close();
  if (server?.child.exitCode === null) await server.kill();
  await redis?.destroy();
});

interface Shutdown {
  code: number | null;
  ms: number;
  /** Each client's disconnect reason. */
  reasons: string[];
  acknowledged: string[];
  prefix: string;
  sessionId: string;
}

/** A seated table with acknowledged messages; `outage` done to Redis; then SIGTERM, timed to the exit. */
async function shutDownAfter(outage: (r: PrivateRedis, s: ChildServer, t: Table) => Promise<void>): Promise<Shutdown> {
  const report = reportOnFinish('shutdown-outage');
  redis = await PrivateRedis.start();
  report.trackRedis(redis);
  const env = faultEnv(redis, { STORE_TIMEOUT_MS: String(STORE_TIMEOUT_MS) });
  server = await startServer(env);
  report.track('the server', server);
  const t = await seatTable(server.url);
  table = t;
  const acknowledged: string[] = [];
  for (let i = 0; i < 5; i++) {
    const commandId = `shutdown-ack-${i}`;
    await t.seats.iran.must({ type: 'SEND_MESSAGE', channel: 'iran-mediators', text: `before ${i}` }, { commandId });
    acknowledged.push(commandId);
  }
  const reasons = t.all().map((c) => new Promise<string>((resolve) => c.socket.once('disconnect', resolve)));
  await outage(redis, server, t);
  const started = performance.now();
  const code = await server.terminate();
  const ms = performance.now() - started;
  report.step(`exit ${code} ${Math.round(ms)} ms after SIGTERM`);
  console.info(`exit ${code} ${Math.round(ms)} ms after SIGTERM`);
  expect(crashLines(server)).toEqual([]);
  return { code, ms, reasons: await Promise.all(reasons), acknowledged, prefix: env.REDIS_PREFIX!, sessionId: t.session.sessionId };
}

/** What Redis holds of the session once it answers again: the log's command ids and the snapshot's version. */
async function stored({ prefix, sessionId }: Shutdown): Promise<{ commandIds: string[]; snapshotVersion: number | null }> {
  const stores = await createStores({ redisUrl: redis!.url, prefix, clock: systemClock, pollMs: 1000 });
  try {
    const log = await stores.store.readLog(sessionId, 0);
    const snapshot = await stores.store.loadSnapshot(sessionId);
    return { commandIds: log.map((e) => e.commandId), snapshotVersion: snapshot?.version ?? null };
  } finally {
    await stores.close();
  }
}

/** Until the server has refused a command for want of Redis: the outage is known. */
async function outageKnown(s: ChildServer, t: Table): Promise<void> {
  const ack = await t.seats.israel.command({ type: 'SEND_MESSAGE', channel: 'israel-us', text: 'during the outage' });
  expect(!ack.ok && ack.error.code).toBe('unavailable');
  await waitFor(() => countLines(s, 'Redis is unreachable') > 0, 5000, 'the outage line');
}

describe('SIGTERM', () => {
  it('with Redis healthy drains in full: a snapshot of the last entry, exit 0', async () => {
    const shutdown = await shutDownAfter(async () => {});
    expect(shutdown.code).toBe(0);
    const after = await stored(shutdown);
    expect(after.commandIds).toEqual(expect.arrayContaining(shutdown.acknowledged));
    expect(after.snapshotVersion).toBe(after.commandIds.length);
    await redis!.destroy();
  }, 60_000);

  it('with Redis stopped and known to be down exits at once, losing nothing acknowledged', async () => {
    const shutdown = await shutDownAfter(async (r, s, t) => {
      r.stop();
      await outageKnown(s, t);
    });
    expect(shutdown.code).toBe(0);
    // Before: the scheduler's poll, the places, the snapshots and the client's close each waited out the bound.
    expect(shutdown.ms).toBeLessThan(SLACK_MS);
    expect(server!.output()).toContain('the shutdown stops waiting on it');
    expect(shutdown.reasons.every((r) => r === 'transport close')).toBe(true);
    redis!.resume();
    expect((await stored(shutdown)).commandIds).toEqual(expect.arrayContaining(shutdown.acknowledged));
    await redis!.destroy();
  }, 60_000);

  it('with Redis stopped just before waits one command bound at most, not one per step', async () => {
    const shutdown = await shutDownAfter(async (r) => {
      r.stop();
      await sleep(100);
    });
    expect(shutdown.code).toBe(0);
    expect(shutdown.ms).toBeLessThan(STORE_TIMEOUT_MS + SLACK_MS);
    redis!.resume();
    expect((await stored(shutdown)).commandIds).toEqual(expect.arrayContaining(shutdown.acknowledged));
    await redis!.destroy();
  }, 60_000);

  it('with Redis killed exits at once, and its AOF holds every acknowledged command', async () => {
    const shutdown = await shutDownAfter(async (r, s, t) => {
      await r.kill();
      await outageKnown(s, t);
    });
    expect(shutdown.code).toBe(0);
    expect(shutdown.ms).toBeLessThan(SLACK_MS);
    await redis!.start();
    expect((await stored(shutdown)).commandIds).toEqual(expect.arrayContaining(shutdown.acknowledged));
    await redis!.destroy();
  }, 60_000);
});
