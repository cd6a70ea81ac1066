/**
 * The fault suites' Writer, checked on its own: it fails over as soon as its
 * process dies, also when the kill lands between two of its commands (its
 * last one answered, none in flight). A command emitted on a socket already
 * closed is not refused by socket.io-client: it waits in the send buffer for
 * a reconnection that never comes (reconnection is off), until the 10 s
 * acknowledgement timeout. kill-server.test.ts expects the dead process's
 * writers to have failed over 2.5 s after the kill; a writer whose last answer
 * arrived just before the kill, with its next command held up past the
 * socket's close by a loaded machine, had not.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { seatTable, waitFor, type ChildServer, type Table } from '../harness.ts';
import { startGame } from '../play.ts';
import { FAILOVER_WITHIN_MS, PrivateRedis, Writer, audit, exportLog, aliveUrls, faultEnv, startServers } from './fault-harness.ts';
import { reportOnFinish, tableState } from './report-on-finish.ts';

/** Long, so that the kill lands while the writer waits between commands, not with one in flight. */
const GAP_MS = 1000;

let redis: PrivateRedis | undefined;
let servers: ChildServer[] = [];
let table: Table | undefined;
let writer: Writer | undefined;

afterAll(async () => {
  writer?.close();
  table?.close();
  await Promise.all(servers.map((s) => (s.child.exitCode === null ? s.kill() : undefined)));
  await redis?.destroy();
});

const alive = () => aliveUrls(servers);

describe("the fault suites' writer", () => {
  it('fails over at once when its process dies between two of its commands', async () => {
    const report = reportOnFinish('writer-failover', () => tableState({ servers, table, writers: writer ? [writer] : [] }));
    redis = await PrivateRedis.start();
    report.trackRedis(redis);
    servers = await startServers(2, faultEnv(redis));
    report.track('A', servers[0]!);
    report.track('B (to be killed)', servers[1]!);
    const [a, b] = servers.map((s) => s.url) as [string, string];
    table = await seatTable(a);
    await startGame(table);
    const w = new Writer(() => [b, ...alive()], table.session.sessionId, table.tokens.iran, 'iran');
    writer = w;
    await w.connect();
    w.start(GAP_MS);
    await waitFor(() => w.records.some((r) => r.final === 'ok'), 10_000, 'a first acknowledgement');
    // Its command answered, the writer now sleeps GAP_MS: the socket closes meanwhile.
    const killedAt = performance.now();
    report.killing(servers[1]!);
    await servers[1]?.kill();
    await waitFor(() => w.failovers.length > 0, FAILOVER_WITHIN_MS, 'the writer to fail over');
    report.step('the writer failed over');
    expect(performance.now() - killedAt).toBeLessThan(FAILOVER_WITHIN_MS);
    expect(w.client.url).toBe(a);
    await waitFor(() => w.records.filter((r) => r.final === 'ok').length >= 3, 10_000, 'acknowledgements through the survivor');
    await w.stop();

    const result = audit(await exportLog(a, table.session.sessionId, table.session.facilitatorToken), [w]);
    expect(result).toMatchObject({ lost: [], duplicated: [], refusedButApplied: [], gaveUp: 0 });
  }, 60_000);
});
