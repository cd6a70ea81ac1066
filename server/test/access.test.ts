/** The lifecycle of secrets: revoking and re-issuing codes and tokens, the co-facilitator code, expiry after the end, the per-seat cap. */
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessCode, CreateSessionResponse, SessionSummary } from '@rubicon/shared';
import { SkewClock, TestClient, api, codeFor, createSession, exportSession, joinCode, seatTable, startServer, type TestServer } from './harness.ts';
import { landBetween } from './store-race.ts';
import { hashToken } from '../src/session/secrets.ts';

const clock = new SkewClock();
let server: TestServer;

beforeAll(async () => {
  // The expiry drop (expiry-drop.test.ts) polls every TIMER_POLL_MS; held off here, so that what these tests see
  // of an expiry is the refusal a socket that acts gets, as on a process that has not dropped it yet.
  const env = { CODE_GRACE_MS: '60000', TOKEN_TTL_AFTER_END_MS: '120000', TIMER_POLL_MS: '3600000' };
  server = await startServer({ backend: (process.env.ACCESS_BACKEND as 'redis' | undefined) ?? 'memory', deps: { clock }, env });
});
afterAll(async () => {
  await server?.close();
});

const change = (sessionId: string, token: string, key: string, action: string) =>
  api<AccessCode & { error?: { code: string } }>(server.url, `/api/sessions/${sessionId}/access/${key}/${action}`, { method: 'POST', body: {}, token });

describe('revoking and re-issuing', () => {
  it('ends a seat code and every token from it, live sockets included; the new code works', async () => {
    const t = await seatTable(server.url);
    const { sessionId, facilitatorToken } = t.session;
    const oldCode = codeFor(t.session, 'iran');
    const dropped = new Promise<string>((resolve) => t.seats.iran.socket.once('disconnect', (r) => resolve(r)));
    const r = await change(sessionId, facilitatorToken, 'iran', 'reissue');
    expect(r.status).toBe(200);
    expect(r.body.code).not.toBe(oldCode);
    expect(r.body.generation).toBe(1);
    expect(await dropped).toBe('io server disconnect');
    // The old code no longer redeems, the old token no longer says hello, on a fresh socket too.
    expect((await api(server.url, '/api/join', { body: { code: oldCode } })).status).toBe(404);
    const again = new TestClient(server.url, sessionId, t.tokens.iran, 'iran-old');
    const hello = await again.hello();
    expect(!hello.ok && hello.error.code).toBe('unauthorized');
    again.close();
    // Other seats are untouched.
    expect((await t.seats.us.command({ type: 'SEND_MESSAGE', channel: 'team-us', text: 'still here' })).ok).toBe(true);
    // The new code works.
    const fresh = await joinCode(server.url, r.body.code!);
    expect(fresh.role).toEqual({ kind: 'seat', seat: 'iran' });
    const summary = await api<SessionSummary>(server.url, `/api/sessions/${sessionId}`, { token: facilitatorToken });
    expect(summary.body.codes.find((c) => c.role.kind === 'seat' && c.role.seat === 'iran')?.code).toBe(r.body.code);
    t.close();
  });

  it('revokes without a new code; only the facilitator may, and unknown keys are 404', async () => {
    const t = await seatTable(server.url);
    const { sessionId, facilitatorToken } = t.session;
    expect((await change(sessionId, t.tokens.us, 'observer', 'revoke')).status).toBe(403);
    expect((await change(sessionId, facilitatorToken, 'nobody', 'revoke')).status).toBe(404);
    expect((await change(sessionId, facilitatorToken, 'observer', 'explode')).status).toBe(404);
    const r = await change(sessionId, facilitatorToken, 'observer', 'revoke');
    expect(r.body.code).toBeNull();
    expect((await api(server.url, '/api/join', { body: { code: codeFor(t.session, 'observer') } })).status).toBe(404);
    const summary = await api<SessionSummary>(server.url, `/api/sessions/${sessionId}`, { token: facilitatorToken });
    expect(summary.body.codes.some((c) => c.role.kind === 'observer')).toBe(false);
    expect(summary.body.access.find((a) => a.key === 'observer')).toEqual({ key: 'observer', role: { kind: 'observer' }, code: null, generation: 1 });
    t.close();
  });
});

describe('the co-facilitator code', () => {
  it('opens the console on another device, and can be revoked without touching the creator', async () => {
    const s = await createSession(server.url, { scenarioId: 'april-2024', seed: 'cofac' });
    expect(s.facilitatorCode).toMatch(/^[2-9A-Z]{8}$/);
    expect(s.codes.some((c) => c.code === s.facilitatorCode)).toBe(false);
    const co = await joinCode(server.url, s.facilitatorCode!);
    expect(co.role).toEqual({ kind: 'facilitator' });
    const cofac = new TestClient(server.url, s.sessionId, co.token, 'co-facilitator');
    expect((await cofac.hello()).ok).toBe(true);
    expect((await cofac.command({ type: 'START' })).ok).toBe(true);
    const dropped = new Promise<void>((resolve) => cofac.socket.once('disconnect', () => resolve()));
    const r = await change(s.sessionId, s.facilitatorToken, 'facilitator', 'reissue');
    expect(r.body.code).not.toBe(s.facilitatorCode);
    await dropped;
    expect((await api(server.url, `/api/sessions/${s.sessionId}`, { token: co.token })).status).toBe(401);
    expect((await api(server.url, `/api/sessions/${s.sessionId}`, { token: s.facilitatorToken })).status).toBe(200);
    cofac.close();
  });
});

describe('the creator\'s token', () => {
  reissueCases();
  branchAndReplayTokenCases();
});

/** The creator's token re-issued, by the creator and by a co-facilitator. */
function reissueCases(): void {
  it('is re-issued: the old one is refused on HTTP and its socket dropped, the new one works', async () => {
    const s = await createSession(server.url, { scenarioId: 'april-2024', seed: 'owner' });
    const creator = new TestClient(server.url, s.sessionId, s.facilitatorToken, 'creator');
    expect((await creator.hello()).ok).toBe(true);
    const dropped = new Promise<string>((resolve) => creator.socket.once('disconnect', (r) => resolve(r)));
    const r = await change(s.sessionId, s.facilitatorToken, 'owner', 'reissue');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ key: 'owner', role: { kind: 'facilitator' }, code: null, generation: 1 });
    expect(await dropped).toBe('io server disconnect');
    expect((await api(server.url, `/api/sessions/${s.sessionId}`, { token: s.facilitatorToken })).status).toBe(401);
    const stale = new TestClient(server.url, s.sessionId, s.facilitatorToken, 'creator-old');
    const refused = await stale.hello();
    expect(!refused.ok && refused.error.code).toBe('unauthorized');
    stale.close();
    const token = r.body.token!;
    expect((await api(server.url, `/api/sessions/${s.sessionId}`, { token })).status).toBe(200);
    const fresh = new TestClient(server.url, s.sessionId, token, 'creator-new');
    expect((await fresh.hello()).ok).toBe(true);
    expect((await fresh.command({ type: 'START' })).ok).toBe(true);
    creator.close();
    fresh.close();
  });

  it('is re-issued by a co-facilitator too, whose own token lives on; it cannot be revoked alone', async () => {
    const s = await createSession(server.url, { scenarioId: 'april-2024', seed: 'owner-co' });
    const co = await joinCode(server.url, s.facilitatorCode!);
    const refused = await change(s.sessionId, co.token, 'owner', 'revoke');
    expect(refused.status).toBe(400);
    expect(refused.body.error?.code).toBe('invalid');
    expect((await api(server.url, `/api/sessions/${s.sessionId}`, { token: s.facilitatorToken })).status).toBe(200);
    const r = await change(s.sessionId, co.token, 'owner', 'reissue');
    expect(r.status).toBe(200);
    expect((await api(server.url, `/api/sessions/${s.sessionId}`, { token: s.facilitatorToken })).status).toBe(401);
    expect((await api(server.url, `/api/sessions/${s.sessionId}`, { token: co.token })).status).toBe(200);
    expect((await api(server.url, `/api/sessions/${s.sessionId}`, { token: r.body.token })).status).toBe(200);
    // A seat cannot.
    const seat = await joinCode(server.url, codeFor(s, 'iran'));
    expect((await change(s.sessionId, seat.token, 'owner', 'reissue')).status).toBe(403);
  });
}

/** The creator's token of a branch and of a replay. */
function branchAndReplayTokenCases(): void {
  it('of a branch is the owner key too: revoking the co-facilitator code leaves it, re-issuing it ends it', async () => {
    const parent = await createSession(server.url, { scenarioId: 'april-2024', seed: 'owner-branch' });
    const branched = await api<CreateSessionResponse>(server.url, `/api/sessions/${parent.sessionId}/branch`, {
      method: 'POST', body: { version: 0 }, token: parent.facilitatorToken,
    });
    expect(branched.status).toBe(201);
    const b = branched.body;
    expect((await change(b.sessionId, b.facilitatorToken, 'facilitator', 'revoke')).status).toBe(200);
    expect((await api(server.url, `/api/sessions/${b.sessionId}`, { token: b.facilitatorToken })).status).toBe(200);
    const r = await change(b.sessionId, b.facilitatorToken, 'owner', 'reissue');
    expect((await api(server.url, `/api/sessions/${b.sessionId}`, { token: b.facilitatorToken })).status).toBe(401);
    expect((await api(server.url, `/api/sessions/${b.sessionId}`, { token: r.body.token })).status).toBe(200);
  });

  it('of a replay, its only credential, is re-issued though its codes cannot be', async () => {
    const s = await createSession(server.url, { scenarioId: 'april-2024', seed: 'owner-replay' });
    const replay = await api<CreateSessionResponse>(server.url, '/api/replays', { body: await exportSession(server.url, s) });
    const { sessionId, facilitatorToken } = replay.body;
    expect((await change(sessionId, facilitatorToken, 'observer', 'reissue')).status).toBe(409);
    const r = await change(sessionId, facilitatorToken, 'owner', 'reissue');
    expect(r.status).toBe(200);
    expect((await api(server.url, `/api/sessions/${sessionId}`, { token: facilitatorToken })).status).toBe(401);
    expect((await api(server.url, `/api/sessions/${sessionId}`, { token: r.body.token })).status).toBe(200);
  });
}

/** A branch whose creator token is stored as imports and branches stored it before 6 December: no key (the co-facilitator code's). */
async function legacyBranch(seed: string): Promise<CreateSessionResponse> {
  const parent = await createSession(server.url, { scenarioId: 'april-2024', seed });
  const b = (await api<CreateSessionResponse>(server.url, `/api/sessions/${parent.sessionId}/branch`, { method: 'POST', body: { version: 0 }, token: parent.facilitatorToken })).body;
  const store = server.app.service.store;
  const meta = await store.getSession(b.sessionId);
  await store.saveToken(meta!.facilitatorTokenHash, { sessionId: b.sessionId, role: { kind: 'facilitator' } });
  return b;
}

/**
 * Runs `use` (a request with the creator's legacy token) with `between` (another request) landing after the
 * store has read the token still without its key and before `use` goes on: the two requests' store steps
 * interleaved as two processes on Redis interleave them, made certain. Resolves with both answers.
 */
async function racingLookup<T, U>(b: CreateSessionResponse, between: () => Promise<U>, use: () => Promise<T>): Promise<[T, U]> {
  const store = server.app.service.store;
  const meta = await store.getSession(b.sessionId);
  return landBetween(store, 'resolveToken', (hash, found) => hash === meta!.facilitatorTokenHash && found?.key === undefined, between, use);
}

describe('the creator\'s token of a session stored before it had a key', () => {
  const summary = (b: CreateSessionResponse, token: string) => api(server.url, `/api/sessions/${b.sessionId}`, { token });

  it('keeps working when the co-facilitator code is revoked first, and ends when it is re-issued', async () => {
    const b = await legacyBranch('legacy-owner-revoke');
    expect((await change(b.sessionId, b.facilitatorToken, 'facilitator', 'revoke')).status).toBe(200);
    expect((await summary(b, b.facilitatorToken)).status).toBe(200);
    const r = await change(b.sessionId, b.facilitatorToken, 'owner', 'reissue');
    expect(r.status).toBe(200);
    expect((await summary(b, b.facilitatorToken)).status).toBe(401);
    expect((await summary(b, r.body.token!)).status).toBe(200);
  });

  it('said hello with before the re-issue: its socket is dropped and the old token refused', async () => {
    const b = await legacyBranch('legacy-owner-socket');
    const creator = new TestClient(server.url, b.sessionId, b.facilitatorToken, 'legacy-creator');
    expect((await creator.hello()).ok).toBe(true);
    const dropped = new Promise<string>((resolve) => creator.socket.once('disconnect', (reason) => resolve(reason)));
    const r = await change(b.sessionId, b.facilitatorToken, 'owner', 'reissue');
    expect(r.status).toBe(200);
    expect(await dropped).toBe('io server disconnect');
    expect((await summary(b, b.facilitatorToken)).status).toBe(401);
    creator.close();
  });

  it('used twice at once: both grants are the owner key\'s, not one left counted as the co-facilitator code\'s', async () => {
    const b = await legacyBranch('legacy-owner-twice');
    const grants = await Promise.all([server.app.directory.authenticate(b.facilitatorToken), server.app.directory.authenticate(b.facilitatorToken)]);
    expect(grants.map((g) => g.key)).toEqual(['owner', 'owner']);
  });

  it('said hello with while a re-issue lands between its lookup and its keying: refused, no socket left holding it', async () => {
    const b = await legacyBranch('legacy-owner-hello-race');
    const [hello, reissued] = await racingLookup(b, () => change(b.sessionId, b.facilitatorToken, 'owner', 'reissue'), async () => {
      const creator = new TestClient(server.url, b.sessionId, b.facilitatorToken, 'legacy-racing-hello');
      const ack = await creator.hello();
      creator.close();
      return ack;
    });
    expect(reissued.status).toBe(200);
    expect(!hello.ok && hello.error.code).toBe('unauthorized');
    expect((await summary(b, b.facilitatorToken)).status).toBe(401);
  });

  it('used while a revoke of the co-facilitator code lands between its lookup and its keying: still works', async () => {
    const b = await legacyBranch('legacy-owner-revoke-race');
    const [used, revoked] = await racingLookup(b, () => change(b.sessionId, b.facilitatorToken, 'facilitator', 'revoke'), () => summary(b, b.facilitatorToken));
    expect(revoked.status).toBe(200);
    expect(used.status).toBe(200);
  });
});

describe("a co-facilitator's token stored before tokens had a key", () => {
  it('is told from the creator\'s by one read of its session, not one at every use, and still ends with its code', async () => {
    const s = await createSession(server.url, { scenarioId: 'april-2024', seed: 'legacy-cofac' });
    const co = await joinCode(server.url, s.facilitatorCode!);
    const store = server.app.service.store;
    await store.saveToken(hashToken(co.token), { sessionId: s.sessionId, role: { kind: 'facilitator' } });
    const getSession = store.getSession;
    let reads = 0;
    store.getSession = async (id) => {
      if (id === s.sessionId) reads++;
      return getSession.call(store, id);
    };
    try {
      for (let i = 0; i < 3; i++) expect((await server.app.directory.authenticate(co.token)).key).toBeUndefined();
    } finally {
      store.getSession = getSession;
    }
    expect(reads).toBe(1);
    // Remembered or not, it is the co-facilitator code's: revoking that code ends it, and the creator's token lives on.
    expect((await change(s.sessionId, s.facilitatorToken, 'facilitator', 'revoke')).status).toBe(200);
    await expect(server.app.directory.authenticate(co.token)).rejects.toMatchObject({ code: 'unauthorized' });
    expect((await server.app.directory.authenticate(s.facilitatorToken)).key).toBe('owner');
  });
});

/** A seated table whose game was started and then ended by the white cell: the secrets' clocks are running. */
async function endedTable() {
  const t = await seatTable(server.url);
  await t.facilitator.must({ type: 'START' });
  await t.facilitator.untilVersion(1);
  await t.facilitator.must({ type: 'END_GAME', outcome: shippedScenario('april-2024').outcomes[0]!.id, reason: 'time is up' });
  return t;
}

describe('expiry and the per-seat cap', () => {
  expiryCases();
  importAndCapCases();
});

/** Codes and tokens expiring after the session ended, also under a connected socket. */
function expiryCases(): void {
  it('stops codes after the grace period and tokens after their time, once the session ended', async () => {
    const t = await endedTable();
    const { sessionId, facilitatorToken } = t.session;
    const summary = await api<SessionSummary>(server.url, `/api/sessions/${sessionId}`, { token: facilitatorToken });
    expect(summary.body.endedAt).not.toBeNull();
    // Within the grace period a latecomer still gets in.
    expect((await api(server.url, '/api/join', { body: { code: codeFor(t.session, 'us') } })).status).toBe(200);
    clock.offset += 61_000;
    const late = await api<{ error: { code: string } }>(server.url, '/api/join', { body: { code: codeFor(t.session, 'us') } });
    expect([late.status, late.body.error.code]).toEqual([403, 'forbidden']);
    // Tokens still work until their own time is up.
    expect((await api(server.url, `/api/sessions/${sessionId}`, { token: facilitatorToken })).status).toBe(200);
    clock.offset += 60_000;
    expect((await api(server.url, `/api/sessions/${sessionId}`, { token: facilitatorToken })).status).toBe(401);
    const after = new TestClient(server.url, sessionId, t.tokens.iran, 'iran-late');
    const hello = await after.hello();
    expect(!hello.ok && hello.error.code).toBe('unauthorized');
    after.close();
    t.close();
    clock.offset = 0;
  });

  it('refuses the next command of a socket whose token expired while it was connected, changes nothing, and drops the session', async () => {
    const t = await endedTable();
    const readers = await endedTable();
    const note = (text: string) => ({ type: 'SEND_MESSAGE' as const, channel: 'team-us', text });
    expect((await t.seats.us.command(note('before the expiry'))).ok).toBe(true);
    const session = () => server.app.service.peek(t.session.sessionId)?.state;
    const before = session();
    const dropped = (c: TestClient) => new Promise<string>((resolve) => c.socket.once('disconnect', resolve));
    const drops = t.all().map(dropped);
    clock.offset += 121_000;
    const refused = await t.seats.us.command(note('after the expiry'));
    expect(refused.ok ? null : refused.error).toEqual({ code: 'unauthorized', message: 'This session ended a while ago; its tokens have expired.' });
    // Every token of the session expired with it: the sockets that sent nothing are dropped too, as a revocation drops its key's.
    expect(await Promise.all(drops)).toEqual(t.all().map(() => 'io server disconnect'));
    expect(session()).toBe(before);
    // A read is refused and dropped the same way.
    const reader = readers.seats.israel;
    const readerDropped = dropped(reader);
    const sync = await reader.sync();
    expect(!sync.ok && sync.error.code).toBe('unauthorized');
    expect(await readerDropped).toBe('io server disconnect');
    t.close();
    readers.close();
    clock.offset = 0;
  });
}

/** Expiry counted from an import, and the cap on players per seat code issue. */
function importAndCapCases(): void {
  it('counts from the import, not from the file, for a replay of a session that ended long ago', async () => {
    const t = await endedTable();
    const { sessionId, facilitatorToken } = t.session;
    const file = (await api<unknown>(server.url, `/api/sessions/${sessionId}/export`, { token: facilitatorToken })).body;
    t.close();
    // Weeks later, the file is opened for review: its tokens live from now.
    clock.offset += 10 * 120_000;
    const replay = await api<{ sessionId: string; facilitatorToken: string }>(server.url, '/api/replays', { body: file });
    expect(replay.status).toBe(201);
    expect((await api(server.url, `/api/sessions/${replay.body.sessionId}`, { token: replay.body.facilitatorToken })).status).toBe(200);
    const viewer = new TestClient(server.url, replay.body.sessionId, replay.body.facilitatorToken, 'replay-viewer');
    expect((await viewer.hello()).ok).toBe(true);
    viewer.close();
    clock.offset += 121_000;
    expect((await api(server.url, `/api/sessions/${replay.body.sessionId}`, { token: replay.body.facilitatorToken })).status).toBe(401);
    clock.offset = 0;
  });

  it('caps the players per seat code issue, and a re-issue starts a new count', async () => {
    const s = await createSession(server.url, { scenarioId: 'april-2024', seed: 'cap', maxPlayersPerSeat: 2 });
    const code = codeFor(s, 'israel');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await api(server.url, '/api/join', { body: { code } })).status);
    expect(statuses).toEqual([200, 200, 403]);
    // Observers are not capped.
    for (let i = 0; i < 3; i++) expect((await api(server.url, '/api/join', { body: { code: codeFor(s, 'observer') } })).status).toBe(200);
    const r = await change(s.sessionId, s.facilitatorToken, 'israel', 'reissue');
    expect((await api(server.url, '/api/join', { body: { code: r.body.code } })).status).toBe(200);
  });
}
