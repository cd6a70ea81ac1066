/**
 * Property-based fuzzing (fast-check) of every socket event and every HTTP
 * endpoint, against a real server on Redis with a session in play: nothing a
 * client sends may crash the process, change the store, earn an `internal`
 * answer or write an error line. Every answer to a socket event is a typed
 * refusal; every HTTP error is a typed 4xx.
 *
 * Inputs are of three kinds: arbitrary values (and arbitrary event names),
 * valid payloads broken in one place (an unknown key, or a field replaced by
 * an object no schema accepts: every schema is strict, so each is invalid
 * wherever it lands), and odd paths, tokens and bodies for every route. The
 * store is compared key by key (Redis DUMP) before and after; only the rate
 * limiters' counters and the Socket.IO adapter's own keys may change.
 * FUZZ_SEED=<n> replays a run; the counts are in FUZZ_RUNS (default 1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RESP_TYPES, createClient, type RedisClientType } from 'redis';
import { io, type Socket } from 'socket.io-client';
import { ErrorCode, type Ack } from '@rubicon/shared';
import { REDIS_URL, deleteRedisKeys, recordingLogger, seatTable, startServer, type Table, type TestServer } from './harness.ts';
import { startGame } from './play.ts';
import { serverScenarios } from '../src/scenarios.ts';

const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const runs = (n: number) => ({ numRuns: Math.max(1, Math.round(n * SCALE)), ...(SEED === undefined ? {} : { seed: SEED }) });
const CODES: readonly string[] = ErrorCode.options;
/** Names socket.io-client will not emit (it throws): a real client cannot send them either. */
const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

let server: TestServer;
let table: Table;
let redis: RedisClientType;
const log = recordingLogger();
const counts = { socketEvents: 0, socketEventsWithoutAck: 0, httpRequests: 0 };

beforeAll(async () => {
  // The hello deadline would close the anonymous socket mid-run; it has its own tests.
  server = await startServer({ backend: 'redis', env: { HELLO_TIMEOUT_MS: '3600000', TOKEN_SOCKETS_LEASE_MS: '300' }, deps: { logger: log.logger } });
  table = await seatTable(server.url);
  await startGame(table);
  await table.facilitator.untilVersion(2);
  redis = createClient({ url: REDIS_URL });
  redis.on('error', () => {});
  await redis.connect();
}, 60_000);

afterAll(async () => {
  table?.close();
  await server?.close();
  await redis?.close();
  if (server) await deleteRedisKeys(server.prefix);
  console.info(
    `fuzz: ${counts.socketEvents} socket events (${counts.socketEventsWithoutAck} without an ack) and ${counts.httpRequests} HTTP requests; ` +
      `(the assertions above say what held)`,
  );
});

/** Every key of this server's prefix with its serialized value, but the counters the limits keep. */
async function storeState(): Promise<Map<string, string>> {
  const prefix = server.prefix;
  const state = new Map<string, string>();
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    for (const key of keys) {
      const rest = key.slice(prefix.length);
      // Counters and transport keys move by themselves, and so does each process's lease under the token cap
      // (renewed on a clock, every third of TOKEN_SOCKETS_LEASE_MS); the token places themselves are compared.
      // The anonymous sockets' places are the fuzzing sockets' own, taken as each connects and given back as it goes.
      if (rest.startsWith('limit:') || rest.startsWith('socket.io') || rest.startsWith('sio:') || rest.startsWith('anonymous-sockets:') || rest === 'token-sockets:leases') continue;

      // So do the start's migrations (store/redis-migration.ts): their lease, progress and marker, while one walks the database.
      if (rest.startsWith('limit:') || rest.startsWith('socket.io') || rest.startsWith('sio:') || rest === 'token-sockets:leases') continue;
      if (rest === 'migrations' || rest.startsWith('migration:')) continue;
      const dump: unknown = await redis.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).dump(key);
      state.set(key, Buffer.isBuffer(dump) ? dump.toString('base64') : '(gone)');
    }
  }
  return state;
}

/** Asserts the store, the session's version and the log did not move while `body` ran. */
async function unchangedAround(body: () => Promise<void>): Promise<void> {
  const before = await storeState();
  const version = table.facilitator.version;
  await body();
  expect(server.app.httpServer.listening).toBe(true);
  expect(Object.fromEntries(await storeState())).toEqual(Object.fromEntries(before));
  const sync = await table.facilitator.sync(0);
  expect(sync.ok && sync.data.version).toBe(version);
  expect(log.errors()).toEqual([]);
}

// ---- arbitrary inputs ------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every object inside a value (the value itself included), by path. */
function objectPaths(value: Json, path: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const here = Array.isArray(value) ? [] : [path];
  const children = Array.isArray(value) ? value.map((v, i) => objectPaths(v, [...path, i])) : Object.entries(value).map(([k, v]) => objectPaths(v, [...path, k]));
  return [...here, ...children.flat()];
}

/** Every field inside a value (not the value itself), by path. */
function fieldPaths(value: Json, path: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...path, k], ...fieldPaths(v, [...path, k])]);
}

function setAt(value: Json, path: (string | number)[], replace: (old: Json) => Json): Json {
  if (path.length === 0) return replace(value);
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as Record<string, Json>) }) as Record<string | number, Json>;
  copy[head!] = setAt(copy[head!] ?? null, rest, replace);
  return copy as Json;
}

/** A key no schema has, so adding it (every schema is strict) or giving a field an object holding it breaks any payload. */
const strayKey = fc.string({ minLength: 1, maxLength: 12 }).map((k) => `zz${k}`);

/** A valid payload broken in exactly one place. */
function broken(valid: Json): fc.Arbitrary<Json> {
  const objects = objectPaths(valid);
  const fields = fieldPaths(valid);
  const addKey = fc.tuple(fc.constantFrom(...objects), strayKey, fc.jsonValue()).map(([path, key, v]) => setAt(valid, path, (o) => ({ ...(o as Record<string, Json>), [key]: v as Json })));
  if (fields.length === 0) return addKey;
  const wrongType = fc.tuple(fc.constantFrom(...fields), strayKey, fc.jsonValue()).map(([path, key, v]) => setAt(valid, path, () => ({ [key]: v as Json })));
  return fc.oneof(addKey, wrongType);
}

/** Valid payloads of every event and every command type, to break. */
function validPayloads(): Record<'hello' | 'sync' | 'command', Json[]> {
  const id = table.session.sessionId;
  const command = (c: Json, extra: Record<string, Json> = { expectedGameVersion: 1 }): Json => ({ commandId: 'fuzz-command-0001', command: c, ...extra });
  return {
    hello: [{ sessionId: id, token: table.tokens.iran, lastVersion: 1, messagesHeld: 0, name: 'Fuzz' }],
    sync: [{ sinceVersion: 0, messagesHeld: 0 }],
    command: [
      command({ type: 'START' }),
      command({ type: 'ADVANCE' }),
      command({ type: 'SUBMIT_MOVE', move: 'some-move', also: ['other-move'], rationale: 'why', lock: true }),
      command({ type: 'ACCEPT_ADJUDICATION' }),
      command({ type: 'OVERRIDE_ADJUDICATION', changes: [{ kind: 'ladder', delta: 1 }, { kind: 'flag', flag: 'f', set: true }], reason: 'because' }),
      command({ type: 'PAUSE' }),
      command({ type: 'RESUME' }),
      command({ type: 'EXTEND_TIMER', seconds: 30 }),
      command({ type: 'FIRE_INJECT', inject: 'some-inject' }),
      command({ type: 'REWIND', beat: 'some-beat' }),
      command({ type: 'END_GAME', outcome: 'some-outcome', reason: 'because' }),
      command({ type: 'TIMER_EXPIRED', timerVersion: 1 }),
      command({ type: 'SET_SEAT_BOT', seat: 'iran', bot: null }),
      command({ type: 'SEND_MESSAGE', channel: 'team-iran', text: 'hello', to: 'us', relayOf: 'm1' }, {}),
      command({ type: 'HIDE_MESSAGE', message: 'm1', from: 'display' }, {}),
      command({ type: 'SEND_MESSAGE', channel: 'team-iran', text: 'a note', toWhiteCell: true }, {}),
      command({ type: 'SCORE_TEAM', seat: 'iran', criterion: 'some-criterion', score: 2, note: 'good' }, {}),
    ],
  };
}

// ---- the socket -------------------------------------------------------------

type LooseSocket = {
  emit(event: string, ...args: unknown[]): void;
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
};

function expectTypedRefusal(ack: unknown, what: string, code?: string): void {
  const a = ack as Ack<unknown>;
  expect(a, what).toMatchObject({ ok: false });
  if (a.ok) return;
  expect(CODES, what).toContain(a.error.code);
  expect(a.error.code, what).not.toBe('internal');
  expect(typeof a.error.message, what).toBe('string');
  if (code) expect(a.error.code, what).toBe(code);
}

describe('socket events', () => {
  const sockets = new Map<string, Socket>();

  beforeAll(async () => {
    // A seat, the white cell (its commands would change the game, if any got through) and a socket that never said hello.
    const anonymous = io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve) => anonymous.once('connect', () => resolve()));
    sockets.set('seat', table.seats.iran.socket as unknown as Socket);
    sockets.set('facilitator', table.facilitator.socket as unknown as Socket);
    sockets.set('anonymous', anonymous);
  });

  afterAll(() => sockets.get('anonymous')?.close());

  const target = () => fc.constantFrom('seat', 'facilitator', 'anonymous').map((name) => ({ name }));
  const send = async (s: { name: string }, event: string, args: unknown[], withAck: boolean): Promise<unknown> => {
    counts.socketEvents++;
    const loose = sockets.get(s.name) as unknown as LooseSocket;
    if (withAck) return loose.timeout(5000).emitWithAck(event, ...args);
    counts.socketEventsWithoutAck++;
    loose.emit(event, ...args);
    return null;
  };

  it('answers any event name with any arguments with a typed refusal, or ignores it safely without an ack', async () => {
    const eventName = fc.oneof(fc.constantFrom('hello', 'command', 'sync'), fc.string({ maxLength: 30 }).filter((n) => !RESERVED.has(n)));
    const args = fc.array(fc.oneof(fc.anything({ maxDepth: 3 }), fc.uint8Array({ maxLength: 64 })), { maxLength: 3 });
    await unchangedAround(() =>
      fc.assert(
        fc.asyncProperty(target(), eventName, args, fc.boolean(), async (s, event, a, withAck) => {
          const ack = await send(s, event, a, withAck);
          if (withAck) expectTypedRefusal(ack, `${s.name} ${event} ${JSON.stringify(a).slice(0, 200)}`);
        }),
        runs(1500),
      ),
    );
    // Still serving: the seat's socket works after all that.
    expect((await table.seats.iran.sync()).ok).toBe(true);
  }, 120_000);

  it('refuses every valid payload broken in one place as invalid, on every socket', async () => {
    const valid = validPayloads();
    const payload = fc.oneof(
      ...(['hello', 'sync', 'command'] as const).flatMap((event) => valid[event].map((p) => broken(p).map((b) => ({ event, payload: b })))),
    );
    await unchangedAround(() =>
      fc.assert(
        fc.asyncProperty(target(), payload, async (s, { event, payload: p }) => {
          const ack = await send(s, event, [p], true);
          // The anonymous socket's commands and syncs may be refused for that first; the rest are malformed first.
          const expected = s.name === 'anonymous' && event !== 'hello' ? undefined : 'invalid';
          expectTypedRefusal(ack, `${s.name} ${event} ${JSON.stringify(p).slice(0, 300)}`, expected);
        }),
        runs(2500),
      ),
    );
  }, 120_000);
});

// ---- HTTP ------------------------------------------------------------------

interface Probe {
  method: string;
  path: string;
  token?: string;
  body?: string | Uint8Array;
  contentType?: string;
}

/** Path segments people and scripts get wrong: broken %-encoding, separators, huge, empty-ish, prototype names. */
const oddSegment = fc.oneof(
  fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%00', '..', '%2e%2e%2f', '__proto__', 'constructor', '%F0%9F%92%A3', ' ', '%20%20', 'a;b', 'a%2Fb'),
  fc.string({ maxLength: 80 }).map((s) => encodeURIComponent(s)),
  fc.string({ minLength: 65, maxLength: 400 }).map((s) => encodeURIComponent(s)),
);

function httpProbes(): fc.Arbitrary<Probe> {
  const real = table.session.sessionId;
  const id = fc.oneof(fc.constant(real), oddSegment);
  const token = fc.oneof(
    fc.constant(undefined),
    fc.constant(table.session.facilitatorToken),
    fc.constant(table.tokens.iran),
    fc.string({ minLength: 1, maxLength: 80 }).filter((t) => /^[\x21-\x7e]+$/.test(t)),
  );
  const junkBody = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.constantFrom('{', '{"a":', 'null', '[]', '""', '\u0000', '{"__proto__":{"x":1}}'),
  );
  const contentType = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', undefined);
  const createBroken = broken({ scenarioId: 'april-2024', seed: 'fuzz', title: 'Fuzz', timerScale: 1, review: true, optionalSeats: [] });
  const branchBroken = broken({ version: 0, title: 'Fuzz' });
  const json = (b: fc.Arbitrary<Json>) => b.map((v) => JSON.stringify(v));
  const notAnAction = fc.string({ maxLength: 20 }).filter((a) => a !== 'revoke' && a !== 'reissue').map((a) => encodeURIComponent(a));
  const notAKey = fc.oneof(oddSegment, fc.constantFrom('nobody', 'creator', 'IRAN'));
  return fc.oneof(
    fc.record({ method: fc.constant('GET'), path: fc.tuple(oddSegment, fc.constantFrom('teaching', 'bots')).map(([s, r]) => `/api/scenarios/${s}/${r}`), token }),
    fc.record({ method: fc.constant('POST'), path: fc.constant('/api/sessions'), token, body: fc.oneof(json(createBroken), junkBody), contentType }),
    fc.record({ method: fc.constant('POST'), path: fc.constant('/api/join'), token, body: fc.oneof(json(fc.record({ code: fc.string({ maxLength: 20 }) })), junkBody), contentType }),
    fc.record({ method: fc.constantFrom('POST'), path: fc.constantFrom('/api/sessions/import', '/api/replays'), token, body: junkBody, contentType }),
    fc.record({ method: fc.constant('GET'), path: id.map((i) => `/api/sessions/${i}`), token }),
    fc.record({ method: fc.constant('GET'), path: fc.tuple(id, fc.constantFrom('export', 'scenario', 'text')).map(([i, r]) => `/api/sessions/${i}/${r}`), token }),
    fc.record({
      method: fc.constant('GET'),
      path: fc.tuple(fc.oneof(fc.constant('april-2024'), oddSegment), fc.oneof(fc.constant(String(serverScenarios().get('april-2024')?.version)), oddSegment), fc.oneof(fc.constant(''), oddSegment.map((d) => `?digest=${d}`))).map(([s, v, q]) => `/api/scenarios/${s}/v/${v}${q}`),
      token,
    }),
    fc.record({ method: fc.constant('GET'), path: fc.tuple(id, fc.oneof(oddSegment, fc.constantFrom('iran', 'observer'))).map(([i, v]) => `/api/sessions/${i}/view-as/${v}`), token }),
    fc.record({ method: fc.constant('POST'), path: id.map((i) => `/api/sessions/${i}/branch`), token, body: fc.oneof(json(branchBroken), junkBody), contentType }),
    // Revoking for real would change the store: with the real session and token, the key or the action is always wrong.
    fc.record({ method: fc.constant('POST'), path: fc.tuple(id, notAKey, fc.constantFrom('revoke', 'reissue')).map(([i, k, a]) => `/api/sessions/${i}/access/${k}/${a}`), token }),
    fc.record({ method: fc.constant('POST'), path: fc.tuple(id, fc.constantFrom('iran', 'observer'), notAnAction).map(([i, k, a]) => `/api/sessions/${i}/access/${k}/${a}`), token }),
    // `owner` (the creator's token) is a key since 3f527dd, re-issued only: revoking it would lock the creator out.
    fc.record({ method: fc.constant('POST'), path: fc.tuple(id, fc.oneof(notAnAction, fc.constant('revoke'))).map(([i, a]) => `/api/sessions/${i}/access/owner/${a}`), token }),
    fc.record({ method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), path: fc.tuple(fc.constantFrom('/api/', '/api/sessions/', '/healthz/', '/metrics/', '/'), oddSegment).map(([a, b]) => a + b), token }),
  );
}

describe('HTTP endpoints', () => {
  it('answer every odd path, token and body with a typed 4xx (or a read), never internal, and change nothing', async () => {
    await unchangedAround(() =>
      fc.assert(
        fc.asyncProperty(httpProbes(), async (probe) => {
          counts.httpRequests++;
          const headers: Record<string, string> = {};
          if (probe.token) headers.authorization = `Bearer ${probe.token}`;
          if (probe.contentType) headers['content-type'] = probe.contentType;
          const res = await fetch(new URL(probe.path, server.url), { method: probe.method, headers, ...(probe.body === undefined ? {} : { body: probe.body }) });
          const text = await res.text();
          const what = `${probe.method} ${probe.path.slice(0, 120)} → ${res.status} ${text.slice(0, 200)}`;
          expect(res.status, what).toBeLessThan(500);
          // Every refusal under /api (and of health and metrics) is the JSON error shape with a known code.
          if (res.status >= 400 && (res.headers.get('content-type')?.includes('json') || /^\/(api|healthz|metrics)(\/|$)/.test(probe.path))) {
            expect(res.headers.get('content-type'), what).toMatch(/^application\/json/);
            const code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
            expect(CODES, what).toContain(code);
          }
          // A read of the real session with the right token is allowed to succeed; nothing else may.
          if (res.status < 400) expect(probe.method, what).toBe('GET');
        }),
        runs(1500),
      ),
    );
  }, 180_000);
});
