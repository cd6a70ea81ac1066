/**
 * The ways around the limits that issue 10 found, each tried again and
 * refused: many sockets sharing one token, hello as a token oracle, sockets
 * that never say hello, HTTP limits multiplied by running more processes,
 * join-code guessing, and a forged X-Forwarded-For. The processes here are
 * apps in this test process, each with its own in-memory state, sharing only
 * Redis (as separate processes would).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { nanoid } from 'nanoid';
import type { Ack, HttpError } from '@rubicon/shared';
import {
  TestClient,
  api,
  codeFor,
  connect,
  createSession,
  deleteRedisKeys,
  joinCode,
  recordingLogger,
  startServer,
  uniquePrefix,
  waitFor,
  type TestServer,
} from './harness.ts';

const servers: TestServer[] = [];
const clients: TestClient[] = [];
const prefixes: string[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(prefixes.map((p) => deleteRedisKeys(p)));
});

async function serve(env: Record<string, string>, backend: 'memory' | 'redis' = 'memory', prefix?: string): Promise<TestServer> {
  const server = await startServer({ backend, env, ...(prefix ? { prefix } : {}) });
  servers.push(server);
  return server;
}

function codeOf(ack: Ack<unknown> | unknown): string {
  const a = ack as Ack<unknown> | null;
  return a === null ? 'no-ack' : a.ok ? 'ok' : a.error.code;
}

function tally(codes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of codes) counts[c] = (counts[c] ?? 0) + 1;
  return counts;
}

/**
 * A join, sent again while it is refused `503 unavailable` (at most 20 times, 100 ms apart), as a client
 * honouring Retry-After would: a join is promised an answer within STORE_TIMEOUT_MS or that refusal, and
 * on a loaded host Redis can take longer (a right code was refused 503 at load 14).
 */
async function joinAgain(url: string, code: string): Promise<{ status: number; refused503: number }> {
  for (let i = 0; ; i++) {
    const r = await api(url, '/api/join', { body: { code } });
    if (r.status !== 503 || i === 20) return { status: r.status, refused503: i };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Guesses sent at once against a budget of `budget` wrong codes: exactly `budget` looked up (404) and the
 * rest refused (429). A guess may instead be refused `503` when Redis did not count it within the join's
 * bound (a loaded host); it may have been counted, so with 503s at most `budget` are looked up and every
 * guess Redis allowed is a 404 or a 503. More than `budget` looked up is the bypass this guards.
 */
function expectWithinBudget(counts: Record<string, number>, budget: number, sent: number): void {
  const [lookedUp, unavailable] = [counts['404'] ?? 0, counts['503'] ?? 0];
  if (unavailable === 0) return void expect(counts).toEqual({ 404: budget, 429: sent - budget });
  expect(Object.keys(counts).every((k) => ['404', '429', '503'].includes(k)), JSON.stringify(counts)).toBe(true);
  expect(lookedUp, JSON.stringify(counts)).toBeLessThanOrEqual(budget);
  expect(lookedUp + unavailable, JSON.stringify(counts)).toBeGreaterThanOrEqual(budget);
}

const SEAT_FLOOD_ENV = { RATE_LIMIT_BURST: '10', RATE_LIMIT_PER_SEC: '0.1', SESSION_RATE_LIMIT_BURST: '1000' };
const SESSION_CAP_ENV = { RATE_LIMIT_BURST: '10', RATE_LIMIT_PER_SEC: '0.1', SESSION_RATE_LIMIT_BURST: '25', SESSION_RATE_LIMIT_PER_SEC: '0.25' };

/** 50 sockets holding Iran's token, spread over `servers`, send 200 messages at once: the seat's 10 go through. */
async function seatFlood(servers: readonly TestServer[]): Promise<void> {
  const at = (i: number) => (servers[i % servers.length] as TestServer).url;
  const session = await createSession(at(0), { scenarioId: 'april-2024' });
  const { token } = await joinCode(at(0), codeFor(session, 'iran'));
  const sockets = await Promise.all(Array.from({ length: 50 }, (_, i) => connect(at(i), session.sessionId, token, `iran-${i}`)));
  clients.push(...sockets);
  const acks = await Promise.all(
    sockets.flatMap((s, i) => Array.from({ length: 4 }, (_, j) => s.command({ type: 'SEND_MESSAGE', channel: 'team-iran', text: `flood ${i}.${j}` }))),
  );
  expect(tally(acks.map(codeOf))).toEqual({ ok: 10, rate_limited: 190 });
  const refusal = acks.find((x) => !x.ok);
  expect(refusal && !refusal.ok ? refusal.error.retryAfterMs : 0).toBeGreaterThan(0);
  expect(refusal && !refusal.ok ? refusal.error.message : '').toMatch(/from this seat/);
  // Another seat of the same session still has its own budget.
  const { token: usToken } = await joinCode(at(0), codeFor(session, 'us'));
  const us = await connect(at(1), session.sessionId, usToken, 'us');
  clients.push(us);
  expect((await us.command({ type: 'SEND_MESSAGE', channel: 'team-us', text: 'still here' })).ok).toBe(true);
}

/** Four seats spread over `servers`: Iran floods its seat's budget, and the others share what the session has left. */
async function sessionCap(servers: readonly TestServer[]): Promise<void> {
  const at = (i: number) => (servers[i % servers.length] as TestServer).url;
  const session = await createSession(at(0), { scenarioId: 'april-2024' });
  const seats = ['iran', 'israel', 'us', 'mediators'] as const;
  const seated = await Promise.all(seats.map(async (seat, i) => connect(at(i), session.sessionId, (await joinCode(at(0), codeFor(session, seat))).token, seat)));
  clients.push(...seated);
  // Iran floods first: 40 commands, of which its seat allows 10.
  const flood = await Promise.all(Array.from({ length: 40 }, (_, i) => seated[0]!.command({ type: 'SEND_MESSAGE', channel: 'team-iran', text: `x${i}` })));
  expect(tally(flood.map(codeOf))).toEqual({ ok: 10, rate_limited: 30 });
  // The session has 15 left, whichever seats use them.
  const rest = await Promise.all(
    seated.slice(1).flatMap((s) => Array.from({ length: 10 }, (_, i) => s.command({ type: 'SEND_MESSAGE', channel: `team-${s.label}`, text: `y${i}` }))),
  );
  expect(tally(rest.map(codeOf))).toEqual({ ok: 15, rate_limited: 15 });
  const tooMany = rest.find((x) => !x.ok) as { ok: false; error: { message: string } };
  expect(tooMany.error.message).toMatch(/in this session/);
}

describe('commands are limited per seat and per session, not per socket', () => {
  it('gives 50 sockets holding one token the budget of one seat', async () => {
    await seatFlood([await serve(SEAT_FLOOD_ENV)]);
  });

  it('caps a whole session, and one flooding seat does not spend the others’ share', async () => {
    await sessionCap([await serve(SESSION_CAP_ENV)]);
  });
});

describe('with Redis, a command is counted in its append, across processes', () => {
  async function pair(env: Record<string, string>): Promise<[TestServer, TestServer]> {
    const prefix = uniquePrefix('cmd-limits');
    prefixes.push(prefix);
    return [await serve(env, 'redis', prefix), await serve(env, 'redis', prefix)];
  }
  const roundTrips = async (server: TestServer) => (await server.app.metrics.commandLimitRoundTrips.get()).values.reduce((k, v) => k + v.value, 0);

  it('costs an accepted command no round trip of its own to count it (one round trip, the append)', async () => {
    const [a] = await pair({});
    const session = await createSession(a.url, { scenarioId: 'april-2024' });
    const { token } = await joinCode(a.url, codeFor(session, 'iran'));
    const iran = await connect(a.url, session.sessionId, token, 'iran');
    clients.push(iran);
    for (let i = 0; i < 5; i++) expect(codeOf(await iran.command({ type: 'SEND_MESSAGE', channel: 'team-iran', text: `one trip ${i}` }))).toBe('ok');
    expect(await roundTrips(a)).toBe(0);
  });

  it('gives 50 sockets of one seat, spread over two processes, the budget of one seat', async () => {
    await seatFlood(await pair(SEAT_FLOOD_ENV));
  });

  it('caps a whole session across both, and one flooding seat does not spend the others’ share', async () => {
    await sessionCap(await pair(SESSION_CAP_ENV));
  });

  it('still counts a command refused before its append, so refusals spend the seat’s budget too', async () => {
    const [a] = await pair({ RATE_LIMIT_BURST: '5', RATE_LIMIT_PER_SEC: '0.05', SESSION_RATE_LIMIT_BURST: '1000' });
    const session = await createSession(a.url, { scenarioId: 'april-2024' });
    const { token } = await joinCode(a.url, codeFor(session, 'iran'));
    const iran = await connect(a.url, session.sessionId, token, 'iran');
    clients.push(iran);
    // Not Iran's channel: refused by the game, never appended.
    const acks = [];
    for (let i = 0; i < 8; i++) acks.push(await iran.command({ type: 'SEND_MESSAGE', channel: 'team-us', text: `not mine ${i}` }));
    const codes = acks.map(codeOf);
    expect(codes.slice(5)).toEqual(['rate_limited', 'rate_limited', 'rate_limited']);
    expect(codes.slice(0, 5).every((c) => c !== 'ok' && c !== 'rate_limited')).toBe(true);
  });
});

describe('hello is limited per socket and per address, and anonymous sockets do not stay', () => {
  it('holds one socket guessing tokens to its own limit', async () => {
    const server = await serve({ SOCKET_RATE_LIMIT_BURST: '10', SOCKET_RATE_LIMIT_PER_SEC: '0.1' });
    const session = await createSession(server.url, { scenarioId: 'april-2024' });
    const guesser = new TestClient(server.url, session.sessionId, 'x'.repeat(43), 'guesser');
    clients.push(guesser);
    const acks = await Promise.all(Array.from({ length: 60 }, () => guesser.raw('hello', { sessionId: session.sessionId, token: nanoid(43) })));
    expect(tally(acks.map(codeOf))).toEqual({ unauthorized: 10, rate_limited: 50 });
  });

  it('holds many sockets from one address to the address’s limit, and a forged X-Forwarded-For changes nothing', async () => {
    const server = await serve({ HELLO_RATE_LIMIT_BURST: '20', HELLO_RATE_LIMIT_PER_SEC: '0.2', SOCKET_RATE_LIMIT_BURST: '100' });
    const session = await createSession(server.url, { scenarioId: 'april-2024' });
    const sockets = Array.from({ length: 10 }, (_, i) =>
      io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { 'x-forwarded-for': `198.51.100.${i}` } }),
    );
    try {
      await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.once('connect', () => resolve()))));
      const loose = (s: (typeof sockets)[number]) => s as unknown as { timeout(ms: number): { emitWithAck(e: string, p: unknown): Promise<unknown> } };
      const acks = await Promise.all(
        sockets.flatMap((s) => Array.from({ length: 6 }, () => loose(s).timeout(5000).emitWithAck('hello', { sessionId: session.sessionId, token: nanoid(43) }))),
      );
      expect(tally(acks.map(codeOf))).toEqual({ unauthorized: 20, rate_limited: 40 });
    } finally {
      for (const s of sockets) s.close();
    }
  });

  it('counts sync against the address too, so many sockets of one token cannot multiply full reads', async () => {
    // A sync from 0 answers with the whole view and every message (about 10 ms of CPU and 600 KB for
    // 2,000 messages): per socket alone, 50 sockets holding one token could ask 150 a second.
    const server = await serve({ HELLO_RATE_LIMIT_BURST: '20', HELLO_RATE_LIMIT_PER_SEC: '0.2', SOCKET_RATE_LIMIT_BURST: '100' });
    const session = await createSession(server.url, { scenarioId: 'april-2024' });
    const { token } = await joinCode(server.url, codeFor(session, 'iran'));
    const sockets = await Promise.all(Array.from({ length: 5 }, (_, i) => connect(server.url, session.sessionId, token, `iran-${i}`)));
    clients.push(...sockets);
    const acks = await Promise.all(sockets.flatMap((s) => Array.from({ length: 6 }, () => s.raw('sync', { sinceVersion: 0 }))));
    expect(tally(acks.map(codeOf))).toEqual({ ok: 15, rate_limited: 15 });
    const refusal = acks.find((a) => codeOf(a) === 'rate_limited') as { ok: false; error: { message: string; retryAfterMs?: number } };
    expect(refusal.error.message).toMatch(/from this address/);
    expect(refusal.error.retryAfterMs).toBeGreaterThan(0);
  });

  it('closes every socket that never says hello', async () => {
    // Long enough that all 20 join the namespace (connectTimeout, the same deadline) on a loaded host: each is then
    // closed by the hello deadline ('io server disconnect'), not before its CONNECT ('transport close').
    const server = await serve({ HELLO_TIMEOUT_MS: '1500' });
    const silent = Array.from({ length: 20 }, () => io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true }));
    const reasons = await Promise.all(silent.map((s) => new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)))));
    expect(new Set(reasons)).toEqual(new Set(['io server disconnect']));
    await waitFor(() => server.app.io.of('/').sockets.size === 0, 5000, 'no sockets left on the server');
  });
});

describe('HTTP limits hold across processes and forged addresses', () => {
  it('counts one address across two processes sharing Redis as one', async () => {
    const prefix = uniquePrefix('http-limit');
    prefixes.push(prefix);
    const env = { HTTP_RATE_LIMIT_BURST: '10', HTTP_RATE_LIMIT_PER_SEC: '0.1' };
    const [a, b] = [await serve(env, 'redis', prefix), await serve(env, 'redis', prefix)];
    const answers = [];
    for (let i = 0; i < 30; i++) answers.push(await joinAgain((i % 2 === 0 ? a : b).url, `ZZZZ${i}ZZ`));
    const refused503 = answers.reduce((n, r) => n + r.refused503, 0);
    const counts = tally(answers.map((r) => String(r.status)));
    expectWithinBudget(refused503 ? { ...counts, 503: refused503 } : counts, 10, 30 + refused503);
  });

  it('makes join-code guessing stop at the address’s budget of wrong codes, on every process, while right codes cost nothing', async () => {
    const prefix = uniquePrefix('join-guess');
    prefixes.push(prefix);
    const env = { JOIN_FAILURES_PER_WINDOW: '5', JOIN_FAILURE_WINDOW_MS: '600000' };
    const [a, b] = [await serve(env, 'redis', prefix), await serve(env, 'redis', prefix)];
    const session = await createSession(a.url, { scenarioId: 'april-2024' });
    // A class joining: right codes, many times, spend none of the budget.
    for (let i = 0; i < 12; i++) expect((await joinAgain(b.url, codeFor(session, 'iran'))).status).toBe(200);
    // Guesses sent all at once are each counted before any is looked up.
    const guesses = await Promise.all(Array.from({ length: 40 }, (_, i) => api<HttpError>((i % 2 ? a : b).url, '/api/join', { body: { code: `GUESS${String(i).padStart(3, '2')}` } })));
    expectWithinBudget(tally(guesses.map((g) => String(g.status))), 5, 40);
    const refused = guesses.find((g) => g.status === 429)!;
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(60);
    // Past the budget a right code is refused too: the answer must not tell a right guess from a wrong one.
    expect((await joinAgain(a.url, codeFor(session, 'us'))).status).toBe(429);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY names the peer it came from', async () => {
    const forged = (url: string, i: number, chain = `203.0.113.${i}`) =>
      fetch(new URL('/api/join', url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': chain }, body: '{"code":"ZZZZZZZZ"}' }).then((r) => r.status);
    const limited = { HTTP_RATE_LIMIT_BURST: '5', HTTP_RATE_LIMIT_PER_SEC: '0.05' };
    for (const trust of [undefined, '10.9.9.9']) {
      const server = await serve({ ...limited, ...(trust ? { TRUST_PROXY: trust } : {}) });
      const statuses = [];
      for (let i = 0; i < 12; i++) statuses.push(await forged(server.url, i));
      expect(tally(statuses.map(String)), `TRUST_PROXY=${trust}`).toEqual({ 404: 5, 429: 7 });
    }
    // Behind a proxy on this host (TRUST_PROXY=loopback): the proxy appends the real client, and
    // whatever the client wrote in front of it is not believed.
    const proxied = await serve({ ...limited, TRUST_PROXY: 'loopback' });
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push(await forged(proxied.url, i, `10.0.${i}.1, 192.0.2.50`));
    expect(tally(statuses.map(String))).toEqual({ 404: 5, 429: 7 });
    expect(await forged(proxied.url, 0, '192.0.2.51')).toBe(404);
  });

  it('counts an IPv6 client by its /56, which it can send from any address of, over HTTP and hello alike', async () => {
    // Behind a trusted proxy (here: loopback) the forwarded IPv6 address is believed; a client holding
    // 2001:db8:0:100::/56 could otherwise pick a new one for every join-code guess and every hello.
    const env = { HTTP_RATE_LIMIT_BURST: '5', HTTP_RATE_LIMIT_PER_SEC: '0.05', HELLO_RATE_LIMIT_BURST: '5', HELLO_RATE_LIMIT_PER_SEC: '0.05', TRUST_PROXY: 'loopback' };
    const server = await serve(env);
    const inBlock = (i: number) => `2001:db8:0:1${(i % 16).toString(16)}${i.toString(16)}:${i}::${i + 1}`;
    const join = (from: string) =>
      fetch(new URL('/api/join', server.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: '{"code":"ZZZZZZZZ"}' }).then((r) => r.status);
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push(await join(inBlock(i)));
    expect(tally(statuses.map(String))).toEqual({ 404: 5, 429: 7 });
    // Another customer's block, and an IPv4 client, keep their own budgets.
    expect(await join('2001:db8:0:200::1')).toBe(404);
    expect(await join('192.0.2.60')).toBe(404);

    const session = await createSession(server.url, { scenarioId: 'april-2024' });
    const sockets = Array.from({ length: 12 }, (_, i) =>
      io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { 'x-forwarded-for': inBlock(i) } }),
    );
    try {
      await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.once('connect', () => resolve()))));
      const acks = [];
      for (const s of sockets) acks.push(await s.timeout(5000).emitWithAck('hello', { sessionId: session.sessionId, token: nanoid(43) }));
      expect(tally(acks.map(codeOf))).toEqual({ unauthorized: 5, rate_limited: 7 });
    } finally {
      for (const s of sockets) s.close();
    }
  });

  it('does not count the server’s own bots, all on 127.0.0.1, as one stranger; a guessed bot header counts', async () => {
    // Budgets of 3: the session's creation and the facilitator's hello spend one each, so before, two of the
    // four bots got in and the others were refused (and refused again at every scan until the window ended).
    const server = await serve({ HTTP_RATE_LIMIT_BURST: '3', HTTP_RATE_LIMIT_PER_SEC: '0.01', HELLO_RATE_LIMIT_BURST: '3', HELLO_RATE_LIMIT_PER_SEC: '0.01' });
    const session = await createSession(server.url, { scenarioId: 'april-2024' });
    const fac = await connect(server.url, session.sessionId, session.facilitatorToken, 'facilitator');
    clients.push(fac);
    const seats = { iran: 'hard-liner', israel: 'restore-deterrence', us: 'restrain-israel', mediators: 'shuttle-broker' };
    for (const [seat, bot] of Object.entries(seats)) await fac.must({ type: 'SET_SEAT_BOT', seat, bot });
    const seated = async () => {
      const summary = await api<{ presence: { seats: Record<string, number> } }>(server.url, `/api/sessions/${session.sessionId}`, { token: session.facilitatorToken });
      return Object.keys(seats).filter((s) => (summary.body.presence.seats[s] ?? 0) > 0);
    };
    await waitFor(async () => (await seated()).length === 4, 5000, 'all four bots seated').catch(() => undefined);
    expect(await seated()).toEqual(Object.keys(seats));
    // A stranger who sends the header with anything but this process's secret is counted as before.
    const guesses = [];
    for (let i = 0; i < 4; i++)
      guesses.push(
        (await fetch(new URL('/api/join', server.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-rubicon-own-bot': 'x'.repeat(43) }, body: '{"code":"ZZZZZZZZ"}' })).status,
      );
    expect(guesses).toContain(429);
  });

  it('with a hop count and the proxy bypassed, believes any forged address (which is why the server warns)', async () => {
    const log = recordingLogger();
    const server = await startServer({ backend: 'memory', env: { HTTP_RATE_LIMIT_BURST: '5', HTTP_RATE_LIMIT_PER_SEC: '0.05', TRUST_PROXY: '1' }, deps: { logger: log.logger } });
    servers.push(server);
    expect(log.lines().some((l) => l.level === 40 && /TRUST_PROXY believes X-Forwarded-For from any client/.test(l.msg))).toBe(true);
    const statuses = [];
    for (let i = 0; i < 12; i++)
      statuses.push(
        (await fetch(new URL('/api/join', server.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i}` }, body: '{"code":"ZZZZZZZZ"}' }))
          .status,
      );
    expect(statuses.every((s) => s === 404)).toBe(true);
  });
});
