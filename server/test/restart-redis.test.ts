/**
 * A server process on Redis is killed (SIGKILL: no shutdown, no last
 * snapshot) and a new one started on the same prefix continues the session
 * from its last accepted event. The new one then shuts down gracefully.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { HelloData, LogEntry } from '@rubicon/shared';
import { createStores } from '../src/store/index.ts';
import { systemClock } from '../src/store/types.ts';
import {
  REDIS_URL,
  SEATS,
  TestClient,
  api,
  deleteRedisKeys,
  seatTable,
  settle,
  testEnv,
  uniquePrefix,
  type ChildServer,
  type Table,
} from './harness.ts';
import { head, playBeat, startGame } from './play.ts';
// The service compiled to JavaScript under plain node, as production runs it and the fault suites start it.
import { startServer as startCompiledServer } from './faults/fault-harness.ts';

const prefix = uniquePrefix('restart');
// Snapshots every 4 events: the restart rebuilds from a snapshot plus the log after it.
const env = testEnv('redis', prefix, { SNAPSHOT_EVERY: '4' });
const children: ChildServer[] = [];
const clients: TestClient[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  for (const child of children) if (child.child.exitCode === null) await child.kill();
  await deleteRedisKeys(prefix);
});

const exportLog = async (url: string, table: Table) =>
  (await api<{ log: LogEntry[] }>(url, `/api/sessions/${table.session.sessionId}/export`, { token: table.session.facilitatorToken })).body.log;

/** A game on `url` with a move locked, a draft and two private messages: the session's state when its process dies. */
async function playUntilKill(url: string): Promise<Table> {
  const table = await seatTable(url);
  clients.push(...table.all());
  await startGame(table);
  await table.seats.iran.must({ type: 'SUBMIT_MOVE', move: 'vow-punishment', rationale: 'we will answer', lock: true });
  await table.seats.israel.untilGameVersion(head(table));
  await table.seats.israel.must({ type: 'SUBMIT_MOVE', move: 'no-comment', rationale: 'draft', lock: false });
  await table.seats.us.untilGameVersion(head(table));
  await table.seats.us.must({ type: 'SEND_MESSAGE', channel: 'israel-us', text: 'Did you tell us in advance?' });
  await table.seats.mediators.must({ type: 'SEND_MESSAGE', channel: 'iran-mediators', text: 'We are listening.' });
  await settle(table.all());
  return table;
}

/** Every client comes back to `url` with its token and the version it holds, and finds exactly what it had. */
async function resumeTable(url: string, table: Table): Promise<Table> {
  const resumed = new Map<string, TestClient>();
  for (const old of table.all()) {
    const token = old.label === 'facilitator' ? table.session.facilitatorToken : table.tokens[old.label as (typeof SEATS)[number] | 'observer'];
    const client = new TestClient(url, table.session.sessionId, token, old.label);
    clients.push(client);
    client.view = old.view;
    client.messages = [...old.messages];
    const hello = (await client.hello(old.version)) as { ok: true; data: HelloData };
    expect(hello.ok, old.label).toBe(true);
    expect(hello.data.version, old.label).toBe(old.version);
    expect(hello.data.view, old.label).toEqual(old.view);
    expect(hello.data.messages, old.label).toEqual([]);
    resumed.set(old.label, client);
  }
  return {
    ...table,
    facilitator: resumed.get('facilitator') as TestClient,
    observer: resumed.get('observer') as TestClient,
    seats: Object.fromEntries(SEATS.map((s) => [s, resumed.get(s) as TestClient])) as Table['seats'],
    all: () => [...resumed.values()],
  };
}

/** The game goes on: the beat is finished and the next one opens, numbered right after the last accepted event. */
async function expectGameGoesOn(url: string, table: Table, again: Table, logBefore: LogEntry[]): Promise<LogEntry[]> {
  await playBeat(again);
  const logAfter = await exportLog(url, again);
  expect(logAfter.slice(0, logBefore.length)).toEqual(logBefore);
  expect(logAfter.map((e) => e.seq)).toEqual(Array.from({ length: logAfter.length }, (_, i) => i + 1));
  for (const client of again.all()) {
    const old = table.all().find((c) => c.label === client.label);
    expect(client.updateVersions[0], client.label).toBe((old?.version ?? 0) + 1);
    expect(client.gaps, client.label).toBe(0);
  }
  expect(again.facilitator.view?.beat?.id).toBe('iran-decision');
  return logAfter;
}

/** SIGTERM: a graceful shutdown that exits 0, leaving a snapshot of the last event. */
async function expectGracefulShutdown(server: ChildServer, sessionId: string, lastVersion: number): Promise<void> {
  expect(await server.terminate()).toBe(0);
  expect(server.output()).toContain('shutting down');
  const stores = await createStores({ redisUrl: REDIS_URL, prefix, clock: systemClock, pollMs: 1000 });
  try {
    expect((await stores.store.loadSnapshot(sessionId))?.version).toBe(lastVersion);
  } finally {
    await stores.close();
  }
}

describe('a killed server on Redis', () => {
  it('is replaced by a new process that continues the session from its last accepted event', async () => {
    const first = await startCompiledServer(env);
    children.push(first);
    const table = await playUntilKill(first.url);
    // The white cell's stream is the log itself.
    const lastAccepted = table.facilitator.version;
    expect(lastAccepted % 4).not.toBe(0);
    const logBefore = await exportLog(first.url, table);
    expect(logBefore).toHaveLength(lastAccepted);

    await first.kill();

    const second = await startCompiledServer(env);
    children.push(second);
    expect((await api<{ status: string; redis: string }>(second.url, '/healthz')).body).toMatchObject({ status: 'ok', ready: true, redis: 'ok' });
    const again = await resumeTable(second.url, table);
    const logAfter = await expectGameGoesOn(second.url, table, again, logBefore);
    await expectGracefulShutdown(second, table.session.sessionId, logAfter.length);
  }, 120_000);
});
