import { beforeAll, describe, expect, it } from 'vitest';
import type { HelloData } from '@rubicon/shared';
import { TestClient, randomText, settle, waitFor, type TestServer } from './harness.ts';
import type { IntegrationSuite } from './integration-context.ts';
import { startGame } from './play.ts';

/** Iran drops mid-beat, the beat goes on without it, and it comes back by hello with its token and the version it held. */
async function rejoinWithToken(seat: IntegrationSuite['seat'], server: TestServer): Promise<void> {
  const t = await seat();
  await startGame(t);
  const stayed = new TestClient(server.url, t.session.sessionId, t.tokens.iran, 'iran-stayed');
  await stayed.hello();
  const drafted = await t.seats.iran.must({ type: 'SUBMIT_MOVE', move: 'vow-punishment', rationale: 'draft', lock: false });
  await t.seats.israel.untilGameVersion(drafted.gameVersion);
  const dropped = t.seats.iran;
  await settle([dropped]);
  const lastVersion = dropped.version;
  dropped.close();

  // The beat goes on without it: moves, a message Iran should get, one it should not.
  const gv = (await t.seats.israel.must({ type: 'SUBMIT_MOVE', move: 'no-comment', rationale: 'silence', lock: true })).gameVersion;
  await t.seats.us.untilGameVersion(gv);
  await t.seats.us.must({ type: 'SUBMIT_MOVE', move: 'deny-involvement', rationale: 'not us', lock: true });
  const forIran = randomText('mediators to iran');
  await t.seats.mediators.must({ type: 'SEND_MESSAGE', channel: 'iran-mediators', text: forIran });
  const notForIran = randomText('israel-us');
  await t.seats.israel.must({ type: 'SEND_MESSAGE', channel: 'israel-us', text: notForIran });

  const back = new TestClient(server.url, t.session.sessionId, t.tokens.iran, 'iran-back');
  back.view = dropped.view;
  back.messages = [...dropped.messages];
  const hello = (await back.hello(lastVersion)) as { ok: true; data: HelloData };
  expect(hello.data.full).toBe(false);
  expect(hello.data.messages.map((m) => m.text)).toEqual([forIran]);
  // Two moves and a message: what Iran missed is three updates of its own stream, nothing of Israel's line.
  expect(hello.data.version).toBe(lastVersion + 3);
  await settle([stayed, back]);
  expect(back.view).toEqual(stayed.view);
  expect(back.messages).toEqual(stayed.messages);
  expect(back.view?.mySubmission?.move).toBe('vow-punishment');
  expect(back.view?.beat?.lockedIn.sort()).toEqual(['israel', 'us']);
  expect(back.transcript().includes(notForIran)).toBe(false);

  // And it keeps playing: its next command is accepted.
  await back.must({ type: 'SUBMIT_MOVE', move: 'vow-punishment', rationale: 'final', lock: true });
  back.close();
  stayed.close();
}

/** A socket that reconnects by itself, as a browser would, after its engine is closed under it. */
async function recoverShortDrop(seat: IntegrationSuite['seat'], server: TestServer, backend: IntegrationSuite['backend']): Promise<void> {
  const table = await seat();
  const client = new TestClient(server.url, table.session.sessionId, table.tokens.mediators, 'mediators-2');
  // This one reconnects by itself, as a browser would.
  client.socket.io.reconnection(true).reconnectionDelay(50).reconnectionDelayMax(100);
  try {
    await client.hello();
    // Recovery resumes from the last broadcast the client received; the presence announcement is one.
    await waitFor(() => client.received.some((r) => r.event === 'presence'), 5000, 'a first broadcast');
    const held = client.version;
    const reconnected = new Promise<void>((resolve) => client.socket.once('connect', () => resolve()));
    client.socket.io.engine.close();
    await waitFor(() => !client.socket.connected, 2000, 'the drop');
    await table.seats.us.must({ type: 'SEND_MESSAGE', channel: 'us-mediators', text: 'while you were away' });
    await reconnected;
    expect(client.socket.recovered).toBe(true);
    // Recovered means the role came back too: it can act without saying hello again.
    const ack = await client.command({ type: 'SEND_MESSAGE', channel: 'team-mediators', text: 'back' });
    expect(ack.ok).toBe(true);
    // The update missed while away, then its own. In memory the recovery replays the missed one; with
    // Redis each process emits to its own sockets only (`io.local`), which the adapter does not keep for
    // recovery, so (unless it was back before the message) the client sees a gap in its numbers and syncs.
    await client.untilVersion(held + 2);
    await table.seats.mediators.untilVersion(held + 2);
    expect(client.gaps).toBeLessThanOrEqual(backend === 'memory' ? 0 : 1);
    expect(client.messages.map((m) => m.text)).toEqual(['while you were away', 'back']);
    expect(client.view).toEqual(table.seats.mediators.view);
  } finally {
    client.close();
  }
}

/** A dropped socket comes back to the same view: by hello with its token, or by Socket.IO recovery. */
export function reconnectionCases(suite: IntegrationSuite): void {
  const { backend, seat } = suite;
  describe(`[${backend}] reconnection`, () => {
    let server: TestServer;
    // The suite's beforeAll, outside this block, started it: it runs before this one.
    beforeAll(() => {
      server = suite.server();
    });

    it('a seat that drops mid-beat and comes back with its token ends with the same view as one that stayed', () => rejoinWithToken(seat, server));

    it('a short drop is recovered by Socket.IO (role and room kept), and versions tell the client what it missed', () => recoverShortDrop(seat, server, backend));

    it('a first hello, or one from a version the server never had, gets a full picture', async () => {
      const t = await seat();
      await t.seats.us.must({ type: 'SEND_MESSAGE', channel: 'public', text: 'one' });
      const fresh = new TestClient(server.url, t.session.sessionId, t.tokens.us, 'us-2');
      const first = (await fresh.hello(999)) as { ok: true; data: HelloData };
      expect(first.data.full).toBe(true);
      expect(first.data.messages.map((m) => m.text)).toEqual(['one']);
      expect(first.data.role).toEqual({ kind: 'seat', seat: 'us' });
      fresh.close();
    });
  });
}
