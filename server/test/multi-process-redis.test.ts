/**
 * Two server processes (two apps, two ports) on one Redis prefix serve one
 * session: clients split between them see the same updates in the same
 * order, and commands racing through both never fork the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpdatePayload } from '@rubicon/shared';
import {
  SkewClock,
  TestClient,
  api,
  deleteRedisKeys,
  seatTable,
  settle,
  startServer,
  uniquePrefix,
  waitForPeers,
  type Table,
  type TestServer,
} from './harness.ts';
import { playBeat, playToOutcome, startGame } from './play.ts';

const prefix = uniquePrefix('multi');
/** One clock for both processes, moved forward to make deadlines pass. */
const clock = new SkewClock();
let a: TestServer;
let b: TestServer;
let table: Table;
const extra: TestClient[] = [];

beforeAll(async () => {
  // This suite is about ordering, not the store's time bound: on a loaded test machine forty
  // racing appends can take longer than the default second, so give the bound room here.
  const env = { STORE_TIMEOUT_MS: '10000' };
  a = await startServer({ backend: 'redis', prefix, deps: { clock }, env });
  b = await startServer({ backend: 'redis', prefix, deps: { clock }, env });
  await waitForPeers([a, b]);
  // Iran, Israel and the facilitator on A; the US, the mediators and the observer on B.
  table = await seatTable(a.url, {}, (role) => (['us', 'mediators', 'observer'].includes(role) ? b.url : a.url));
  // A second observer and a second facilitator socket on the other process, to compare like with like.
  const observerA = new TestClient(a.url, table.session.sessionId, table.tokens.observer, 'observer-a');
  const facilitatorB = new TestClient(b.url, table.session.sessionId, table.session.facilitatorToken, 'facilitator-b');
  await observerA.hello();
  await facilitatorB.hello();
  extra.push(observerA, facilitatorB);
});

afterAll(async () => {
  table?.close();
  for (const c of extra) c.close();
  await Promise.all([a?.close(), b?.close()]);
  await deleteRedisKeys(prefix);
});

const updates = (c: TestClient) => c.received.filter((r) => r.event === 'update').map((r) => r.args[0] as UpdatePayload);
const everyone = () => [...table.all(), ...extra];

describe('two server processes on one Redis', () => {
  it('never fork the log when commands race through both', async () => {
    await startGame(table);
    await settle(everyone());

    // Messages commute: forty sent at once through both processes are all accepted, each at its own version.
    // Team channels, so the per-seat cap on public statements does not apply.
    const senders = [
      [table.seats.iran, 'team-iran'],
      [table.seats.us, 'team-us'],
      [table.seats.israel, 'team-israel'],
      [table.seats.mediators, 'team-mediators'],
    ] as const;
    const base = new Map(senders.map(([s]) => [s.label, s.version]));
    const sent = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const [s, channel] = senders[i % senders.length]!;
        return s.command({ type: 'SEND_MESSAGE', channel, text: `burst ${i} from ${s.label}` });
      }),
    );
    expect(sent.filter((r) => !r.ok)).toEqual([]);
    // Each sender's ten land at ten versions of its own stream, none missing, none shared.
    for (const [s] of senders) {
      const mine = sent.filter((_, i) => senders[i % senders.length]![0] === s).map((r) => (r.ok ? r.data.version : -1));
      const from = base.get(s.label) ?? 0;
      expect(mine.sort((x, y) => x - y), s.label).toEqual(Array.from({ length: 10 }, (_, i) => from + 1 + i));
    }

    // Two game commands against the same version, one through each process: exactly one wins, the other is stale.
    await settle(everyone());
    const gv = table.facilitator.view!.gameVersion;
    const [fromA, fromB] = await Promise.all([
      table.facilitator.command({ type: 'PAUSE' }, { expectedGameVersion: gv }),
      extra[1]!.command({ type: 'PAUSE' }, { expectedGameVersion: gv }),
    ]);
    const results = [fromA, fromB];
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const loser = results.find((r) => !r.ok);
    expect(loser && !loser.ok && loser.error.code).toMatch(/^(stale|wrong_phase)$/);
    await settle([table.facilitator]);
    await table.facilitator.must({ type: 'RESUME' });

    const exported = await api<{ log: { seq: number; commandId: string }[] }>(b.url, `/api/sessions/${table.session.sessionId}/export`, {
      token: table.session.facilitatorToken,
    });
    const seqs = exported.body.log.map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(new Set(exported.body.log.map((e) => e.commandId)).size).toBe(seqs.length);
  });

  it('deliver the same updates, in the same order, to clients on either process', async () => {
    await playBeat(table);
    await playToOutcome(table);
    await settle(everyone());

    for (const client of everyone()) {
      expect(client.updateVersions, client.label).toEqual(Array.from({ length: client.version }, (_, i) => i + 1));
      expect(client.gaps, client.label).toBe(0);
    }
    const [observerA, facilitatorB] = extra as [TestClient, TestClient];
    // Same role, different process: byte-for-byte the same stream of updates.
    expect(updates(observerA)).toEqual(updates(table.observer));
    expect(updates(facilitatorB)).toEqual(updates(table.facilitator));
    expect(table.observer.view).toEqual(observerA.view);
    expect(table.seats.us.view?.outcome).toEqual(table.seats.iran.view?.outcome);
  });

  it('close a beat at its deadline exactly once, whichever process fires it', async () => {
    const t = await seatTable(a.url, {}, (role) => (['us', 'mediators', 'observer'].includes(role) ? b.url : a.url));
    try {
      await startGame(t);
      await settle(t.all());
      clock.offset += 60 * 60_000;
      const view = await t.observer.until((v) => v.phase === 'adjudication', 10_000, 'the deadline');
      await settle(t.all());
      const log = (await api<{ log: { by: { kind: string } }[] }>(a.url, `/api/sessions/${t.session.sessionId}/export`, { token: t.session.facilitatorToken })).body.log;
      expect(log.filter((e) => e.by.kind === 'system')).toHaveLength(1);
      for (const c of t.all()) expect(c.updateVersions, c.label).toEqual(Array.from({ length: c.version }, (_, i) => i + 1));
      expect(view.phase).toBe('adjudication');
    } finally {
      t.close();
    }
  });
});
