import { beforeAll, describe, expect, it } from 'vitest';
import { TestClient, api, randomText, seatTable, settle, type Table, type TestServer } from './harness.ts';
import { refused, type IntegrationSuite } from './integration-context.ts';
import { playUntilBeat, startGame } from './play.ts';

/** The game the refusals are tried on, in its first beat, and its version before each refusal. */
interface Room {
  server: TestServer;
  t: Table;
  before: number;
}

/** The session stands where it stood before the refusal. */
async function unchanged(room: Room): Promise<void> {
  const sync = await room.t.facilitator.sync(0);
  expect(sync.ok && sync.data.version).toBe(room.before);
  expect(room.t.facilitator.version).toBe(room.before);
}

/** Who may act: the actor comes from the token; observers and commands out of phase are refused. */
function actorCases(room: Room): void {
  it('refuses a seat acting for another seat: the actor comes from the token', async () => {
    // Israel's move is not on Iran's menu, whoever Iran claims to be.
    expect(refused(await room.t.seats.iran.command({ type: 'SUBMIT_MOVE', move: 'no-comment', rationale: 'x', lock: true })).code).toBe('unknown_move');
    const spoof = await room.t.seats.iran.raw('command', {
      commandId: 'spoofed-1234',
      expectedGameVersion: room.before,
      by: { kind: 'seat', seat: 'israel' },
      command: { type: 'SUBMIT_MOVE', move: 'no-comment', rationale: 'x', lock: true },
    });
    expect(refused(spoof).code).toBe('invalid');
    expect(refused(await room.t.seats.iran.command({ type: 'ADVANCE' })).code).toBe('forbidden');
    expect(refused(await room.t.seats.us.command({ type: 'TIMER_EXPIRED', timerVersion: room.before })).code).toBe('forbidden');
    expect(room.t.facilitator.view?.submissions).toEqual({});
    await unchanged(room);
  });

  it('refuses observers', async () => {
    expect(refused(await room.t.observer.command({ type: 'SEND_MESSAGE', channel: 'public', text: 'hi' })).code).toBe('forbidden');
    expect(refused(await room.t.observer.command({ type: 'ADVANCE' })).code).toBe('forbidden');
    await unchanged(room);
  });

  it('refuses commands out of phase', async () => {
    expect(refused(await room.t.facilitator.command({ type: 'ACCEPT_ADJUDICATION' })).code).toBe('wrong_phase');
    expect(refused(await room.t.facilitator.command({ type: 'START' })).code).toBe('wrong_phase');
    expect(refused(await room.t.facilitator.command({ type: 'RESUME' })).code).toBe('wrong_phase');
    await unchanged(room);
  });
}

/** What is refused of a payload: malformed, oversized, stale. */
function payloadCases(room: Room): void {
  it('refuses malformed payloads, and survives a missing acknowledgement', async () => {
    const bad: unknown[] = [
      undefined,
      'command',
      42,
      { expectedGameVersion: room.before, command: { type: 'ADVANCE' } },
      { commandId: 'x', expectedGameVersion: room.before, command: { type: 'ADVANCE' } },
      { commandId: 'good-id-123', expectedGameVersion: -1, command: { type: 'ADVANCE' } },
      { commandId: 'good-id-123', expectedGameVersion: room.before, command: { type: 'NUKE' } },
      { commandId: 'good-id-123', expectedGameVersion: room.before, command: { type: 'SUBMIT_MOVE', move: 'Not A Slug!', rationale: '', lock: true } },
      { commandId: 'good-id-123', expectedGameVersion: room.before, command: { type: 'SEND_MESSAGE', channel: 'public', text: '   ' } },
    ];
    for (const payload of bad) expect(refused(await room.t.seats.us.raw('command', payload)).code, JSON.stringify(payload)).toBe('invalid');
    expect(refused(await room.t.seats.us.raw('hello', { sessionId: room.t.session.sessionId })).code).toBe('invalid');
    expect(refused(await room.t.seats.us.raw('sync', { sinceVersion: 'yesterday' })).code).toBe('invalid');
    // No ack at all, or an ack where the payload should be: nothing crashes.
    room.t.seats.us.socket.emit('command', { commandId: 'no-ack-1234', expectedGameVersion: room.before, command: { type: 'ADVANCE' } } as never, undefined as never);
    expect(refused(await room.t.seats.us.raw('command')).code).toBe('invalid');
    await unchanged(room);
    expect((await api<{ status: string }>(room.server.url, '/healthz')).status).toBe(200);
  });

  it('refuses oversized text with too_large', async () => {
    const long = 'x'.repeat(5000);
    expect(refused(await room.t.seats.iran.command({ type: 'SEND_MESSAGE', channel: 'public', text: long })).code).toBe('too_large');
    expect(refused(await room.t.seats.iran.command({ type: 'SUBMIT_MOVE', move: 'quiet-mourning', rationale: long, lock: false })).code).toBe('too_large');
    await unchanged(room);
  });

  it('refuses a stale game command with the current version and a fresh view', async () => {
    const gv = room.t.seats.iran.view!.gameVersion;
    const error = refused(await room.t.seats.iran.command({ type: 'SUBMIT_MOVE', move: 'quiet-mourning', rationale: 'late', lock: false }, { expectedGameVersion: gv - 1 }));
    expect(error.code).toBe('stale');
    expect(error.gameVersion).toBe(gv);
    expect(error.view?.gameVersion).toBe(gv);
    expect(error.version).toBe(error.view?.version);
    expect(error.view?.viewer).toEqual({ kind: 'seat', seat: 'iran' });
    expect(error.view?.menu).not.toBeNull();
    // Ahead of the server is stale too; and a game command without a game version is malformed.
    expect(refused(await room.t.seats.iran.command({ type: 'SUBMIT_MOVE', move: 'quiet-mourning', rationale: 'x', lock: false }, { expectedGameVersion: gv + 5 })).code).toBe('stale');
    expect(refused(await room.t.seats.iran.raw('command', { commandId: 'no-game-version', command: { type: 'ADVANCE' } })).code).toBe('invalid');
    await unchanged(room);
  });
}

/** What is never a reason for `stale`: a message, another seat's draft. Each on a table of its own. */
function notStaleCases(seat: IntegrationSuite['seat']): void {
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
}

/** Later in the game (a seat that does not act, the statement cap) and before a hello. */
function laterCases(room: Room, suite: IntegrationSuite): void {
  const { seat, tables } = suite;
  it('refuses a seat that does not act in the beat', async () => {
    await playUntilBeat(room.t, 'strike-and-defence');
    await settle(room.t.all());
    room.before = room.t.facilitator.version;
    expect(room.t.seats.mediators.view?.menu).toBeNull();
    expect(refused(await room.t.seats.mediators.command({ type: 'SUBMIT_MOVE', move: 'urge-restraint', rationale: 'x', lock: true })).code).toBe('not_acting');
    await unchanged(room);
  });

  it("refuses a seat's public statement past the channel's cap with the wait, as every rate_limited says", async () => {
    // A client told to "wait retryAfterMs" got none from this cap, and retried at once in a loop.
    const capped = await seat();
    await startGame(capped);
    for (let i = 0; i < 4; i++) expect((await capped.seats.iran.command({ type: 'SEND_MESSAGE', channel: 'public', text: `statement ${i}` })).ok).toBe(true);
    const over = refused(await capped.seats.iran.command({ type: 'SEND_MESSAGE', channel: 'public', text: 'one too many' }));
    expect(over.code).toBe('rate_limited');
    expect(over.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(over.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(over.message).toContain(`try again in ${Math.ceil((over.retryAfterMs ?? 0) / 1000)} s`);
  });

  it('refuses commands before hello and hellos with a wrong token', async () => {
    const stranger = new TestClient(room.server.url, room.t.session.sessionId, 'not-a-real-token-at-all', 'stranger');
    try {
      expect(refused(await stranger.command({ type: 'ADVANCE' }, { expectedGameVersion: room.before })).code).toBe('unauthorized');
      expect(refused(await stranger.hello()).code).toBe('unauthorized');
      const other = await seatTable(room.server.url);
      tables.push(other);
      expect(refused(await stranger.hello(undefined, other.tokens.iran)).code).toBe('forbidden');
      expect(stranger.received.filter((r) => r.event === 'update')).toEqual([]);
    } finally {
      stranger.close();
    }
    await unchanged(room);
  });
}

/** Every refused command changes nothing: the refusal codes, stale versions, and commands before a hello. */
export function refusalCases(suite: IntegrationSuite): void {
  const { backend, seat } = suite;
  describe(`[${backend}] refusals change nothing`, () => {
    // Filled by the beforeAll hooks below, before any test runs.
    const room = {} as Room;
    // The suite's beforeAll, outside this block, started it: it runs before this one.
    beforeAll(() => {
      room.server = suite.server();
    });

    beforeAll(async () => {
      room.t = await seat();
      await startGame(room.t);
      await settle(room.t.all());
      room.before = room.t.facilitator.version;
    });

    actorCases(room);
    payloadCases(room);
    notStaleCases(seat);
    laterCases(room, suite);
  });
}
