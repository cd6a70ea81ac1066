/**
 * SOCKETS_PER_TOKEN with REDIS_URL set (docs/security.md §3, "Sockets per token"): the cap holds across every
 * process sharing Redis, where it was per process (N processes, N × the cap). Two apps in this test process
 * with their own key prefix stand for two processes: they share only Redis. A killed process's places come
 * back once its lease (TOKEN_SOCKETS_LEASE_MS, short here) runs out; a place taken in a hello that is then
 * refused, or whose socket goes during the take, is given back; a recovering socket takes its place in the shared count before it is restored.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { REDIS_URL, TestClient, codeFor, createSession, deleteRedisKeys, joinCode, startServer, uniquePrefix, waitFor, type TestServer } from './harness.ts';
import { hashToken } from '../src/session/secrets.ts';
import { StoreUnavailableError } from '../src/store/redis-availability.ts';
import { RENEW_LEASE, TAKE_PLACE } from '../src/socket/token-places-scripts.ts';
import { helloThenDrop, reconnect } from './connection-drop.ts';

const servers: TestServer[] = [];
const clients: TestClient[] = [];
const prefixes: string[] = [];
const redis: RedisClientType = createClient({ url: REDIS_URL });

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(prefixes.map((p) => deleteRedisKeys(p)));
  if (redis.isOpen) await redis.close();
});

const CAP = 3;
/** The harness's HELLO_TIMEOUT_MS is the default, 10 s: a refused hello is told to come again in half of it, as in one process. */
const RETRY_AFTER_MS = 5000;

async function pair(env: Record<string, string> = {}): Promise<[TestServer, TestServer]> {
  const prefix = uniquePrefix('token-places');
  prefixes.push(prefix);
  const settings = { SOCKETS_PER_TOKEN: String(CAP), TOKEN_SOCKETS_LEASE_MS: '600', ...env };
  const a = await startServer({ backend: 'redis', prefix, env: settings });
  servers.push(a);
  const b = await startServer({ backend: 'redis', prefix, env: settings });
  servers.push(b);
  return [a, b];
}

function client(server: TestServer, sessionId: string, token: string, label: string): TestClient {
  const c = new TestClient(server.url, sessionId, token, label);
  clients.push(c);
  return c;
}

/** The socket's rooms and grant on the process it is connected to. */
async function heldOn(server: TestServer, c: TestClient) {
  const held = (await server.app.io.local.fetchSockets()).find((s) => s.id === c.socket.id);
  return held && { rooms: [...held.rooms], grant: held.data.grant };
}

/** The token's places in Redis: socket id → the process holding it. */
async function placesOf(server: TestServer, token: string): Promise<Record<string, string>> {
  if (!redis.isOpen) await redis.connect();
  return redis.hGetAll(`${server.prefix}token-sockets:${hashToken(token)}`);
}

type Eval = (script: string, options?: { keys?: string[]; arguments?: string[] }) => Promise<unknown>;

/**
 * Puts `wrap` around EVAL on the store's client of `server` (the one its token places use), for the token places'
 * scripts only: the anonymous sockets' count runs the same scripts on it, under its own keys. Returns the undo.
 */
function wrapEval(server: TestServer, wrap: (original: Eval) => Eval): () => void {
  const client = (server.app.service.store as unknown as { client: { eval: Eval } }).client;
  const original = client.eval;
  const bound = original.bind(client);
  const wrapped = wrap(bound);
  const tokens = `${server.prefix}token-sockets:`;
  client.eval = (script, options) => (options?.keys?.some((k) => k.startsWith(tokens)) ? wrapped(script, options) : bound(script, options));
  return () => {
    client.eval = original;
  };
}

async function iranToken(server: TestServer): Promise<{ sessionId: string; token: string; other: string }> {
  const session = await createSession(server.url, { scenarioId: 'april-2024' });
  const { token } = await joinCode(server.url, codeFor(session, 'iran'));
  const { token: other } = await joinCode(server.url, codeFor(session, 'israel'));
  return { sessionId: session.sessionId, token, other };
}

/** One cap over both processes: a hello past it refused on either, a place freed on one taken on the other. */
function capCases(): void {
  it('refuses a hello past the cap on either process, counts a socket once, and frees a place on the other process when one goes or moves', async () => {
    const [a, b] = await pair();
    const { sessionId, token, other } = await iranToken(a);
    const tabs = [client(a, sessionId, token, 'a0'), client(a, sessionId, token, 'a1'), client(b, sessionId, token, 'b0')];
    for (const tab of tabs) expect((await tab.hello()).ok).toBe(true);
    for (const tab of tabs) expect((await tab.hello()).ok).toBe(true);
    expect(Object.keys(await placesOf(a, token))).toHaveLength(CAP);

    const lateA = client(a, sessionId, token, 'late-a');
    const lateB = client(b, sessionId, token, 'late-b');
    for (const [late, server] of [[lateA, a], [lateB, b]] as const) {
      const refused = await late.hello();
      // The count is over both processes, so the words name no one server (a refusal on A counts B's tab).
      const message = `This token is already connected on ${CAP} tabs or devices; close one of them, and this one says hello again by itself.`;
      expect(!refused.ok && refused.error).toEqual({ code: 'rate_limited', retryAfterMs: RETRY_AFTER_MS, message });
      expect(await heldOn(server, late)).toEqual({ rooms: [late.socket.id], grant: null });
    }

    // A tab closed on A: its place is taken on B.
    tabs[0]?.close();
    await waitFor(async () => (await lateB.hello()).ok, 5000, 'the place of the tab closed on the other process');
    expect((await lateB.command({ type: 'SEND_MESSAGE', channel: 'team-iran', text: 'in on b' })).ok).toBe(true);
    expect((await lateA.hello()).ok).toBe(false);
    // A tab on B moves to another token: its place under the first is taken on A.
    expect((await tabs[2]?.hello(undefined, other))?.ok).toBe(true);
    await waitFor(async () => (await lateA.hello()).ok, 5000, 'the place of the tab that moved on the other process');
    expect(Object.keys(await placesOf(a, token)).sort()).toEqual([tabs[1]?.socket.id, lateA.socket.id, lateB.socket.id].sort());
  });
}

/** Places held by a process that stopped renewing its lease: given back, and its own excess dropped when it renews. */
function leaseCases(): void {
  it('gives the places of a killed process back once its lease runs out, and the cap holds again', async () => {
    const [a, b] = await pair();
    const { sessionId, token } = await iranToken(a);
    for (let i = 0; i < CAP; i++) expect((await client(a, sessionId, token, `a${i}`).hello()).ok).toBe(true);
    const onB = client(b, sessionId, token, 'b0');
    expect((await onB.hello()).ok).toBe(false);
    // A kill's stand-in: the lease is no longer renewed, and the sockets go without giving their places back.
    await a.close({ flush: false });
    expect(Object.keys(await placesOf(b, token))).toHaveLength(CAP);
    await waitFor(async () => (await onB.hello()).ok, 10_000, "the killed process's places");
    for (let i = 1; i < CAP; i++) expect((await client(b, sessionId, token, `b${i}`).hello()).ok).toBe(true);
    expect((await client(b, sessionId, token, 'b-late').hello()).ok).toBe(false);
    expect(Object.keys(await placesOf(b, token))).toHaveLength(CAP);
  });

  it('has a process whose lease lapsed drop its own newest sockets over the cap once it renews again', async () => {
    const [a, b] = await pair();
    const { sessionId, token } = await iranToken(a);
    const onA = [0, 1, 2].map((i) => client(a, sessionId, token, `a${i}`));
    for (const tab of onA) expect((await tab.hello()).ok).toBe(true);
    // A's renewals fail, as a stopped process's or one cut off from Redis do: its lease lapses, its sockets stay.
    const undo = wrapEval(a, (original) => async (script, options) => {
      if (script === RENEW_LEASE) throw new StoreUnavailableError('offline', 'Redis is not connected.');
      return original(script, options);
    });
    const onB = [0, 1].map((i) => client(b, sessionId, token, `b${i}`));
    try {
      await waitFor(async () => (await (onB[0] as TestClient).hello()).ok, 10_000, "a's lease lapsed");
      expect((await (onB[1] as TestClient).hello()).ok).toBe(true);
    } finally {
      undo();
    }
    // Five sockets for three places: A's next renewal finds its lease lapsed and drops its two newest.
    await waitFor(() => !onA[1]?.socket.connected && !onA[2]?.socket.connected, 10_000, "a's sockets over the cap dropped");
    expect(onA[0]?.socket.connected).toBe(true);
    await waitFor(async () => Object.keys(await placesOf(a, token)).length === CAP, 5000, 'the dropped sockets\' places given back');
    expect(Object.keys(await placesOf(a, token)).sort()).toEqual([onA[0], ...onB].map((t) => t?.socket.id).sort());
  });
}

/** A socket that goes while a renewal's answer is on its way. */
function renewalRaceCases(): void {
  it('drops no more than the excess when one of its sockets goes while the renewal that found it is on its way', async () => {
    const [a, b] = await pair();
    const { sessionId, token } = await iranToken(a);
    const onA = [0, 1, 2].map((i) => client(a, sessionId, token, `a${i}`));
    for (const tab of onA) expect((await tab.hello()).ok).toBe(true);
    let mode: 'fail' | 'hold' = 'fail';
    let holding: (() => void) | null = null;
    const undo = wrapEval(a, (original) => async (script, options) => {
      if (script !== RENEW_LEASE) return original(script, options);
      if (mode === 'fail') throw new StoreUnavailableError('offline', 'Redis is not connected.');
      const reply = await original(script, options);
      await new Promise<void>((resolve) => (holding = resolve));
      return reply;
    });
    const onB = [0, 1].map((i) => client(b, sessionId, token, `b${i}`));
    try {
      await waitFor(async () => (await (onB[0] as TestClient).hello()).ok, 10_000, "a's lease lapsed");
      expect((await (onB[1] as TestClient).hello()).ok).toBe(true);
      // The renewal counts five places for three (excess 2); its answer is held while A's newest tab closes.
      mode = 'hold';
      await waitFor(() => holding !== null, 5000, "a's renewal counted and its answer held");
      const id = onA[2]?.socket.id ?? '';
      onA[2]?.close();
      await waitFor(() => !a.app.io.of('/').sockets.has(id), 5000, 'the tab gone on the server');
      (holding as (() => void) | null)?.();
      // One place was already given back: one more socket goes, not two.
      await waitFor(() => !onA[1]?.socket.connected, 10_000, "a's socket over the cap dropped");
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(onA[0]?.socket.connected).toBe(true);
    } finally {
      undo();
    }
    await waitFor(async () => Object.keys(await placesOf(a, token)).length === CAP, 5000, 'the places given back');
    expect(Object.keys(await placesOf(a, token)).sort()).toEqual([onA[0], ...onB].map((t) => t?.socket.id).sort());
  });
}

/** A take whose answer is lost or comes after its socket went. */
function takeCases(): void {
  it('counts no place for a hello refused after its take, nor for a socket gone during it', async () => {
    const [a] = await pair();
    const { sessionId, token } = await iranToken(a);
    // The take's script runs in Redis as it is; what its caller is told, and when, is the test's.
    let mode: 'pass' | 'fail' | 'hold' = 'pass';
    let holding: (() => void) | null = null;
    const undo = wrapEval(a, (original) => async (script, options) => {
      const reply = await original(script, options);
      if (script !== TAKE_PLACE || mode === 'pass') return reply;
      if (mode === 'fail') throw new StoreUnavailableError('timeout', 'Redis did not answer within 1000 ms.');
      await new Promise<void>((resolve) => (holding = resolve));
      return reply;
    });
    try {
      // Counted in Redis, but its answer never came: the hello is refused as in an outage, and the place given back.
      mode = 'fail';
      const unanswered = client(a, sessionId, token, 'unanswered');
      const refused = await unanswered.hello();
      expect(!refused.ok && refused.error.code).toBe('unavailable');
      expect(!refused.ok && refused.error.retryAfterMs).toBeGreaterThan(0);
      expect(await heldOn(a, unanswered)).toEqual({ rooms: [unanswered.socket.id], grant: null });
      await waitFor(async () => Object.keys(await placesOf(a, token)).length === 0, 5000, 'the unanswered take given back');

      // A socket that goes while its take's answer is on its way: counted meanwhile, given back once the answer comes.
      mode = 'hold';
      const leaving = client(a, sessionId, token, 'leaving');
      void leaving.hello().catch(() => undefined);
      await waitFor(() => holding !== null, 5000, 'the take counted and its answer held');
      expect(Object.keys(await placesOf(a, token))).toEqual([leaving.socket.id]);
      const id = leaving.socket.id ?? '';
      leaving.close();
      await waitFor(() => !a.app.io.of('/').sockets.has(id), 5000, 'the socket gone on the server');
      (holding as (() => void) | null)?.();
      await waitFor(async () => Object.keys(await placesOf(a, token)).length === 0, 5000, "the gone socket's place given back");
      mode = 'pass';
      expect((await client(a, sessionId, token, 'after').hello()).ok).toBe(true);
    } finally {
      undo();
    }
  });
}

describe('sockets per token across processes sharing Redis', () => {
  capCases();
  leaseCases();
  renewalRaceCases();
  takeCases();
});

describe('a recovered socket (RECOVERY_MS) across processes sharing Redis', () => {
  it('is not restored when the token has no place left on any process, and counted again when it has one', async () => {
    const [a, b] = await pair({ SOCKETS_PER_TOKEN: '1', RECOVERY_MS: '60000' });
    const { sessionId, token } = await iranToken(a);
    const away = client(a, sessionId, token, 'away');
    await helloThenDrop(a, away);
    const onB = client(b, sessionId, token, 'on-b');
    await waitFor(async () => (await onB.hello()).ok, 5000, 'the dropped socket\'s place');

    await reconnect(away);
    expect(away.socket.recovered).toBe(false);
    expect(await heldOn(a, away)).toEqual({ rooms: [away.socket.id], grant: null });
    expect(Object.keys(await placesOf(a, token))).toEqual([onB.socket.id]);
    away.close();

    // With the place free again, a recovery keeps it and acts.
    onB.close();
    await waitFor(async () => Object.keys(await placesOf(a, token)).length === 0, 5000, 'the place on b given back');
    const back = client(a, sessionId, token, 'back');
    const backId = await helloThenDrop(a, back);
    await reconnect(back);
    expect(back.socket.recovered).toBe(true);
    expect((await back.command({ type: 'SEND_MESSAGE', channel: 'team-iran', text: 'back again' })).ok).toBe(true);
    expect(Object.keys(await placesOf(a, token))).toEqual([backId]);
  });
});
