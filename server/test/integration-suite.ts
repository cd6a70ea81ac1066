/**
 * The integration suite, run once per backend (memory, Redis): a real server
 * on a random port, real socket.io-client sockets, assertions on the raw
 * events each socket received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandResult, HelloData, Presence, WireError, WireView } from '@rubicon/shared';
import {
  SEATS,
  SkewClock,
  TestClient,
  api,
  deleteRedisKeys,
  randomText,
  seatTable,
  settle,
  startServer,
  waitFor,
  uniquePrefix,
  type Backend,
  type Table,
  type TestServer,
} from './harness.ts';
import { playToOutcome, playUntilBeat, startGame } from './play.ts';

type Refused = { ok: false; error: WireError };

function refused(ack: unknown): WireError {
  const a = ack as Refused | { ok: true };
  if (a.ok) throw new Error(`expected a refusal, got ${JSON.stringify(ack)}`);
  return a.error;
}

/** How many sockets a `presence` payload counts, every role together. */
function connectedIn(payload: unknown): number {
  const p = payload as Presence;
  return Object.values(p.seats).reduce((a, b) => a + b, 0) + p.facilitators + p.observers;
}

/** Versions 1..n with none missing or repeated: what every socket connected from the start must have seen. */
function expectContiguous(versions: number[], from: number, to: number): void {
  expect(versions).toEqual(Array.from({ length: to - from + 1 }, (_, i) => from + i));
}

export function defineIntegrationSuite(backend: Backend): void {
  const prefix = uniquePrefix(`it-${backend}`);
  const clock = new SkewClock();
  let server: TestServer;
  const tables: Table[] = [];
  const seat = async (request: Parameters<typeof seatTable>[1] = {}) => {
    const t = await seatTable(server.url, request);
    tables.push(t);
    return t;
  };

  beforeAll(async () => {
    // Socket.IO's recovery is off by default (its memory grows with all traffic); the suite turns it on to test it.
    server = await startServer({ backend, prefix, env: { RECOVERY_MS: '120000' }, deps: { clock } });
  });
  afterAll(async () => {
    for (const t of tables) t.close();
    await server?.close();
    if (backend === 'redis') await deleteRedisKeys(prefix);
  });

  describe(`[${backend}] a whole game`, () => {
    it('is played by four seats and a facilitator, watched by an observer, to an outcome', async () => {
      const t = await seat({ review: true });
      await t.seats.iran.must({ type: 'SEND_MESSAGE', channel: 'public', text: 'Iran reserves the right to respond.' });
      await startGame(t);
      const beats = await playToOutcome(t);
      // Everyone chose as history did, so the game follows history's beats to history's outcome.
      expect(beats).toEqual(['consulate-strike', 'iran-decision', 'signalling-window', 'strike-and-defence', 'international-reaction', 'israel-decision']);
      const fac = t.facilitator.view as WireView;
      expect(fac.phase).toBe('outcome');
      expect(fac.outcome?.outcome).toBe(fac.outcome?.historical.outcome);
      expect(fac.outcome?.path.map((p) => p.id)).toEqual(beats);
      const last = await t.facilitator.must({ type: 'ADVANCE' });
      await settle(t.all());
      expect(t.facilitator.version).toBe(last.version);

      for (const client of t.all()) {
        expect(client.view?.phase, client.label).toBe('debrief');
        expect(client.view?.gameVersion, client.label).toBe(last.gameVersion);
        expect(client.view?.outcome?.outcome, client.label).toBe(fac.outcome?.outcome);
        // Every socket got every update of its own stream exactly once, in order, and never had to ask for a missed one.
        expectContiguous(client.updateVersions, 1, client.version);
        expect(client.gaps, client.label).toBe(0);
        expect(client.messages.map((m) => m.text)).toContain('Iran reserves the right to respond.');
      }
      // After the outcome every choice is revealed: the observer sees the same resolutions as the facilitator.
      expect(t.observer.view?.resolutions.map((r) => r.choices.length)).toEqual(t.facilitator.view?.resolutions.map((r) => r.choices.length));
      // The state every socket holds is the one the server rebuilds from the log.
      const sync = await t.observer.sync(0);
      expect(sync.ok && sync.data.view).toEqual(t.observer.view);
    });
  });

  describe(`[${backend}] private channels`, () => {
    it('delivers a bilateral message to exactly its two seats and the facilitator', async () => {
      const t = await seat();
      const text = randomText('israel-us secret');
      await settle(t.all());
      // Presence is announced 50 ms after the table's last hello: wait for it, so that what follows is the message's.
      await waitFor(() => t.all().every((c) => c.received.some((r) => r.event === 'presence' && connectedIn(r.args[0]) === t.all().length)), 5000, 'presence of the whole table');
      const updatesBefore = new Map(t.all().map((c) => [c.label, c.updateVersions.length]));
      const framesBefore = new Map(t.all().map((c) => [c.label, c.received.length]));
      await t.seats.israel.must({ type: 'SEND_MESSAGE', channel: 'israel-us', text });
      await settle(t.all());
      for (const client of t.all()) {
        const shouldSee = ['israel', 'us', 'facilitator'].includes(client.label);
        expect(client.transcript().includes(text), client.label).toBe(shouldSee);
        expect(client.messages.some((m) => m.text === text), client.label).toBe(shouldSee);
        // The others get no update at all: not even that something happened.
        expect(client.updateVersions.length - (updatesBefore.get(client.label) ?? 0), client.label).toBe(shouldSee ? 1 : 0);
        // Nor a frame of any other event that would let them count or time the message (acks answer their own syncs).
        const unprompted = client.received.slice(framesBefore.get(client.label) ?? 0).filter((r) => !r.event.startsWith('ack:'));
        if (!shouldSee) expect(unprompted, client.label).toEqual([]);
      }
    });

    it('keeps the mediated channel mediated: Iran reaches the mediators only, and a relay reaches whom it names', async () => {
      const t = await seat();
      const text = randomText('iran to the mediators');
      await t.seats.iran.must({ type: 'SEND_MESSAGE', channel: 'iran-us-mediated', text });
      await settle(t.all());
      for (const client of t.all()) {
        const shouldSee = ['iran', 'mediators', 'facilitator'].includes(client.label);
        expect(client.transcript().includes(text), client.label).toBe(shouldSee);
      }
      // Iran cannot address the US directly through the mediated channel.
      const direct = await t.seats.iran.command({ type: 'SEND_MESSAGE', channel: 'iran-us-mediated', text: 'hello US', to: 'us' });
      expect(refused(direct).code).toBe('forbidden');
      // Nor through the direct line, which is closed.
      const closed = await t.seats.iran.command({ type: 'SEND_MESSAGE', channel: 'iran-us-direct', text: 'hello US' });
      expect(refused(closed).code).toBe('channel_closed');

      const original = t.seats.mediators.messages.find((m) => m.text === text);
      const relayText = randomText('relayed to the US');
      await t.seats.mediators.must({ type: 'SEND_MESSAGE', channel: 'iran-us-mediated', text: relayText, to: 'us', relayOf: original?.id });
      await settle(t.all());
      for (const client of t.all()) {
        const shouldSee = ['us', 'mediators', 'facilitator'].includes(client.label);
        expect(client.transcript().includes(relayText), client.label).toBe(shouldSee);
      }
      // A relay names what it passes on in each reader's own numbering; the US cannot read the original.
      const relayAt = (c: TestClient) => c.messages.find((m) => m.text === relayText)?.relayOf;
      const originalAt = (c: TestClient) => c.messages.find((m) => m.text === text)?.id;
      expect(relayAt(t.seats.mediators)).toBe(originalAt(t.seats.mediators));
      expect(relayAt(t.facilitator)).toBe(originalAt(t.facilitator));
      expect(relayAt(t.seats.us)).toBe('unseen');
    });

    it('refuses a relay of a message from another channel without naming where the log stood', async () => {
      // In one table Israel and the US talk privately first; the mediators, who cannot read that, must not learn it.
      const refusal = async (privateBefore: number) => {
        const t = await seat();
        for (let i = 0; i < privateBefore; i++) await t.seats.israel.must({ type: 'SEND_MESSAGE', channel: 'israel-us', text: randomText('israel-us') });
        await t.seats.iran.must({ type: 'SEND_MESSAGE', channel: 'public', text: randomText('public') });
        await settle(t.all());
        const original = t.seats.mediators.messages[0]?.id;
        return refused(await t.seats.mediators.command({ type: 'SEND_MESSAGE', channel: 'iran-us-mediated', text: 'passing it on', to: 'us', relayOf: original }));
      };
      const quiet = await refusal(0);
      expect(quiet.code).toBe('invalid');
      expect(await refusal(3)).toEqual(quiet);
    });

    it('shows public statements to everyone, observers included, and team chat to the team only', async () => {
      const t = await seat();
      const pub = randomText('public');
      const team = randomText('team us');
      await t.seats.us.must({ type: 'SEND_MESSAGE', channel: 'public', text: pub });
      await t.seats.us.must({ type: 'SEND_MESSAGE', channel: 'team-us', text: team });
      await settle(t.all());
      for (const client of t.all()) {
        expect(client.transcript().includes(pub), client.label).toBe(true);
        expect(client.transcript().includes(team), client.label).toBe(['us', 'facilitator'].includes(client.label));
      }
    });
  });

  describe(`[${backend}] refusals change nothing`, () => {
    let t: Table;
    let before: number;
    const unchanged = async () => {
      const sync = await t.facilitator.sync(0);
      expect(sync.ok && sync.data.version).toBe(before);
      expect(t.facilitator.version).toBe(before);
    };

    beforeAll(async () => {
      t = await seat();
      await startGame(t);
      await settle(t.all());
      before = t.facilitator.version;
    });

    it('refuses a seat acting for another seat: the actor comes from the token', async () => {
      // Israel's move is not on Iran's menu, whoever Iran claims to be.
      expect(refused(await t.seats.iran.command({ type: 'SUBMIT_MOVE', move: 'no-comment', rationale: 'x', lock: true })).code).toBe('unknown_move');
      const spoof = await t.seats.iran.raw('command', {
        commandId: 'spoofed-1234',
        expectedGameVersion: before,
        by: { kind: 'seat', seat: 'israel' },
        command: { type: 'SUBMIT_MOVE', move: 'no-comment', rationale: 'x', lock: true },
      });
      expect(refused(spoof).code).toBe('invalid');
      expect(refused(await t.seats.iran.command({ type: 'ADVANCE' })).code).toBe('forbidden');
      expect(refused(await t.seats.us.command({ type: 'TIMER_EXPIRED', timerVersion: before })).code).toBe('forbidden');
      expect(t.facilitator.view?.submissions).toEqual({});
      await unchanged();
    });

    it('refuses observers', async () => {
      expect(refused(await t.observer.command({ type: 'SEND_MESSAGE', channel: 'public', text: 'hi' })).code).toBe('forbidden');
      expect(refused(await t.observer.command({ type: 'ADVANCE' })).code).toBe('forbidden');
      await unchanged();
    });

    it('refuses commands out of phase', async () => {
      expect(refused(await t.facilitator.command({ type: 'ACCEPT_ADJUDICATION' })).code).toBe('wrong_phase');
      expect(refused(await t.facilitator.command({ type: 'START' })).code).toBe('wrong_phase');
      expect(refused(await t.facilitator.command({ type: 'RESUME' })).code).toBe('wrong_phase');
      await unchanged();
    });

    it('refuses malformed payloads, and survives a missing acknowledgement', async () => {
      const bad: unknown[] = [
        undefined,
        'command',
        42,
        { expectedGameVersion: before, command: { type: 'ADVANCE' } },
        { commandId: 'x', expectedGameVersion: before, command: { type: 'ADVANCE' } },
        { commandId: 'good-id-123', expectedGameVersion: -1, command: { type: 'ADVANCE' } },
        { commandId: 'good-id-123', expectedGameVersion: before, command: { type: 'NUKE' } },
        { commandId: 'good-id-123', expectedGameVersion: before, command: { type: 'SUBMIT_MOVE', move: 'Not A Slug!', rationale: '', lock: true } },
        { commandId: 'good-id-123', expectedGameVersion: before, command: { type: 'SEND_MESSAGE', channel: 'public', text: '   ' } },
      ];
      for (const payload of bad) expect(refused(await t.seats.us.raw('command', payload)).code, JSON.stringify(payload)).toBe('invalid');
      expect(refused(await t.seats.us.raw('hello', { sessionId: t.session.sessionId })).code).toBe('invalid');
      expect(refused(await t.seats.us.raw('sync', { sinceVersion: 'yesterday' })).code).toBe('invalid');
      // No ack at all, or an ack where the payload should be: nothing crashes.
      t.seats.us.socket.emit('command', { commandId: 'no-ack-1234', expectedGameVersion: before, command: { type: 'ADVANCE' } } as never, undefined as never);
      expect(refused(await t.seats.us.raw('command')).code).toBe('invalid');
      await unchanged();
      expect((await api<{ status: string }>(server.url, '/healthz')).status).toBe(200);
    });

    it('refuses oversized text with too_large', async () => {
      const long = 'x'.repeat(5000);
      expect(refused(await t.seats.iran.command({ type: 'SEND_MESSAGE', channel: 'public', text: long })).code).toBe('too_large');
      expect(refused(await t.seats.iran.command({ type: 'SUBMIT_MOVE', move: 'quiet-mourning', rationale: long, lock: false })).code).toBe('too_large');
      await unchanged();
    });

    it('refuses a stale game command with the current version and a fresh view', async () => {
      const gv = t.seats.iran.view!.gameVersion;
      const error = refused(await t.seats.iran.command({ type: 'SUBMIT_MOVE', move: 'quiet-mourning', rationale: 'late', lock: false }, { expectedGameVersion: gv - 1 }));
      expect(error.code).toBe('stale');
      expect(error.gameVersion).toBe(gv);
      expect(error.view?.gameVersion).toBe(gv);
      expect(error.version).toBe(error.view?.version);
      expect(error.view?.viewer).toEqual({ kind: 'seat', seat: 'iran' });
      expect(error.view?.menu).not.toBeNull();
      // Ahead of the server is stale too; and a game command without a game version is malformed.
      expect(refused(await t.seats.iran.command({ type: 'SUBMIT_MOVE', move: 'quiet-mourning', rationale: 'x', lock: false }, { expectedGameVersion: gv + 5 })).code).toBe('stale');
      expect(refused(await t.seats.iran.raw('command', { commandId: 'no-game-version', command: { type: 'ADVANCE' } })).code).toBe('invalid');
      await unchanged();
    });

    it('never refuses a move as stale because of a message, even one the seat cannot see', async () => {
      const t2 = await seat();
      await startGame(t2);
      await settle(t2.all());
      const made = t2.seats.iran.view!.gameVersion;
      await t2.seats.israel.must({ type: 'SEND_MESSAGE', channel: 'israel-us', text: randomText('not for iran') });
      await t2.seats.us.must({ type: 'SEND_MESSAGE', channel: 'public', text: randomText('for all') });
      await settle([t2.facilitator, t2.seats.iran]);
      const ack = await t2.seats.iran.command({ type: 'SUBMIT_MOVE', move: 'vow-punishment', rationale: 'made before the chat', lock: true }, { expectedGameVersion: made });
      expect(ack.ok).toBe(true);
    });

    it("never refuses a move as stale because of another seat's draft, nor tells anyone else of the draft", async () => {
      const t2 = await seat();
      await startGame(t2);
      await t2.seats.israel.must({ type: 'SUBMIT_MOVE', move: 'no-comment', rationale: 'first draft', lock: false });
      await settle(t2.all());
      const made = t2.seats.us.view!.gameVersion;
      const frames = (c: TestClient) => c.received.filter((r) => r.event === 'update').length;
      const before = { us: frames(t2.seats.us), observer: frames(t2.observer), iran: frames(t2.seats.iran) };
      await t2.seats.israel.must({ type: 'SUBMIT_MOVE', move: 'claim-strike', rationale: 'second draft', lock: false });
      await settle([t2.facilitator, t2.seats.israel]);
      // Iran's lock-in, after the draft and seen by all, is what the others wait for: the draft came before it on one socket.
      await t2.seats.iran.must({ type: 'SUBMIT_MOVE', move: 'vow-punishment', rationale: 'r', lock: true });
      await settle(t2.all());
      expect({ us: frames(t2.seats.us), observer: frames(t2.observer), iran: frames(t2.seats.iran) }).toEqual({
        us: before.us + 1,
        observer: before.observer + 1,
        iran: before.iran + 1,
      });
      expect(t2.seats.us.gaps).toBe(0);
      // The US locks in on the view it had before Iran moved: stale because of Iran, not because of Israel's draft.
      expect(refused(await t2.seats.us.command({ type: 'SUBMIT_MOVE', move: 'deny-involvement', rationale: 'r', lock: true }, { expectedGameVersion: made })).code).toBe('stale');
      const ack = await t2.seats.us.command({ type: 'SUBMIT_MOVE', move: 'deny-involvement', rationale: 'r', lock: true }, { expectedGameVersion: made + 1 });
      expect(ack.ok).toBe(true);
    });

    it('refuses a seat that does not act in the beat', async () => {
      await playUntilBeat(t, 'strike-and-defence');
      await settle(t.all());
      before = t.facilitator.version;
      expect(t.seats.mediators.view?.menu).toBeNull();
      expect(refused(await t.seats.mediators.command({ type: 'SUBMIT_MOVE', move: 'urge-restraint', rationale: 'x', lock: true })).code).toBe('not_acting');
      await unchanged();
    });

    it('refuses commands before hello and hellos with a wrong token', async () => {
      const stranger = new TestClient(server.url, t.session.sessionId, 'not-a-real-token-at-all', 'stranger');
      try {
        expect(refused(await stranger.command({ type: 'ADVANCE' }, { expectedGameVersion: before })).code).toBe('unauthorized');
        expect(refused(await stranger.hello()).code).toBe('unauthorized');
        const other = await seatTable(server.url);
        tables.push(other);
        expect(refused(await stranger.hello(undefined, other.tokens.iran)).code).toBe('forbidden');
        expect(stranger.received.filter((r) => r.event === 'update')).toEqual([]);
      } finally {
        stranger.close();
      }
      await unchanged();
    });
  });

  describe(`[${backend}] reconnection`, () => {
    it('a seat that drops mid-beat and comes back with its token ends with the same view as one that stayed', async () => {
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
    });

    it('a short drop is recovered by Socket.IO (role and room kept), and versions tell the client what it missed', async () => {
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
    });

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

  describe(`[${backend}] idempotency`, () => {
    it('applies a command sent twice with the same id once', async () => {
      const t = await seat();
      const payload = { commandId: 'retry-after-lost-ack' };
      const first = await t.seats.us.command({ type: 'SEND_MESSAGE', channel: 'public', text: 'once' }, payload);
      const second = await t.seats.us.command({ type: 'SEND_MESSAGE', channel: 'public', text: 'once' }, payload);
      expect(first).toEqual({ ok: true, data: { version: 1, gameVersion: 0, duplicate: false } satisfies CommandResult });
      expect(second).toEqual({ ok: true, data: { version: 1, gameVersion: 0, duplicate: true } satisfies CommandResult });

      // Racing copies of one game command (two tabs retrying): one applies, the other is told it was.
      await startGame(t);
      await settle(t.all());
      const v = t.seats.iran.version;
      const racing = await Promise.all(
        [0, 1, 2].map(() => t.seats.iran.command({ type: 'SUBMIT_MOVE', move: 'vow-punishment', rationale: 'r', lock: false }, { commandId: 'racing-submit-1', expectedGameVersion: t.seats.iran.view!.gameVersion })),
      );
      expect(racing.map((r) => r.ok && r.data.version)).toEqual([v + 1, v + 1, v + 1]);
      expect(racing.filter((r) => r.ok && !r.data.duplicate)).toHaveLength(1);

      // Reusing an id for another command is refused.
      expect(refused(await t.seats.iran.command({ type: 'SEND_MESSAGE', channel: 'public', text: 'other' }, { commandId: 'racing-submit-1' })).code).toBe('duplicate');

      await settle(t.all());
      const exported = await api<{ log: { commandId: string }[] }>(server.url, `/api/sessions/${t.session.sessionId}/export`, { token: t.session.facilitatorToken });
      expect(exported.body.log.map((e) => e.commandId).filter((id) => id === 'retry-after-lost-ack' || id === 'racing-submit-1')).toEqual([
        'retry-after-lost-ack',
        'racing-submit-1',
      ]);
      expect(t.observer.messages.filter((m) => m.text === 'once')).toHaveLength(1);

      // Ids are scoped to the session (docs/protocol.md): another session's commands may reuse both, and are applied.
      const other = await seat();
      expect(await other.seats.us.command({ type: 'SEND_MESSAGE', channel: 'public', text: 'once' }, payload)).toEqual({
        ok: true,
        data: { version: 1, gameVersion: 0, duplicate: false } satisfies CommandResult,
      });
      expect(await other.seats.iran.command({ type: 'SEND_MESSAGE', channel: 'public', text: 'other' }, { commandId: 'racing-submit-1' })).toMatchObject({ ok: true, data: { duplicate: false } });
      await settle(other.all());
      expect(other.observer.messages.map((m) => m.text)).toEqual(['once', 'other']);
    });
  });

  describe(`[${backend}] beat deadlines`, () => {
    it('closes a beat on its own when its deadline passes, and not while paused', async () => {
      const t = await seat({ timerSeconds: { 'consulate-strike': 5 } });
      await t.facilitator.untilGameVersion(await startGame(t));
      const gv = t.facilitator.view!.gameVersion;
      await t.seats.iran.must({ type: 'SUBMIT_MOVE', move: 'vow-punishment', rationale: 'draft', lock: false }, { expectedGameVersion: gv });
      const paused = (await t.facilitator.must({ type: 'PAUSE' }, { expectedGameVersion: gv + 1 })).version;
      clock.offset += 60_000;
      await new Promise((r) => setTimeout(r, 300));
      expect((await t.facilitator.sync(0)).ok && t.facilitator.version).toBe(paused);
      expect(t.facilitator.view?.phase).toBe('planning');

      await t.facilitator.must({ type: 'RESUME' });
      await new Promise((r) => setTimeout(r, 100));
      clock.offset += 10_000;
      const view = await t.facilitator.until((v) => v.phase === 'adjudication', 5000, 'the deadline to close the beat');
      // The defaulted seats were filled in; Iran's draft counted.
      expect(view.proposal?.choices.find((c) => c.seat === 'iran')?.move).toBe('vow-punishment');
      const exported = await api<{ log: { by: { kind: string }; commandId: string }[] }>(server.url, `/api/sessions/${t.session.sessionId}/export`, {
        token: t.session.facilitatorToken,
      });
      const expiries = exported.body.log.filter((e) => e.by.kind === 'system');
      expect(expiries).toHaveLength(1);
      expect(expiries[0]?.commandId).toMatch(/^timer-\d+$/);
      await settle(t.all());
      for (const client of t.all()) expect(client.view?.phase, client.label).toBe('adjudication');
    });
  });

  describe(`[${backend}] presence`, () => {
    it('tells the session who is connected', async () => {
      const t = await seat();
      await t.observer.until(() => true);
      const last = () => t.observer.received.filter((r) => r.event === 'presence').at(-1)?.args[0];
      await waitFor(() => JSON.stringify(last()) === JSON.stringify({ seats: Object.fromEntries(SEATS.map((s) => [s, 1])), facilitators: 1, observers: 1 }), 5000, 'presence');
      t.seats.iran.close();
      await waitFor(() => (last() as { seats: Record<string, number> } | undefined)?.seats.iran === 0, 5000, 'iran gone');
      const summary = await api<{ presence: { seats: Record<string, number> } }>(server.url, `/api/sessions/${t.session.sessionId}`, { token: t.session.facilitatorToken });
      expect(summary.body.presence.seats).toEqual({ iran: 0, israel: 1, us: 1, mediators: 1 });
    });
  });
}
