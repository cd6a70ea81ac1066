/**
 * Web hardening against a real server: security headers and the CSP on every
 * kind of response, the Origin check on the socket handshake, /metrics kept
 * off the public port, typed answers to odd ids and unknown events, and the
 * hello deadline. (The browser check of the CSP is e2e/tests/security.spec.ts.)
 */
import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import type { HttpError } from '@rubicon/shared';
import { ErrorCode } from '@rubicon/shared';
import { TestClient, api, codeFor, connect, createSession, joinCode, recordingLogger, seatTable, startServer, type Table, type TestServer } from './harness.ts';

let server: TestServer;
let dist: string;
let table: Table;
const log = recordingLogger();

beforeAll(async () => {
  dist = await mkdtemp(path.join(tmpdir(), 'rubicon-dist-'));
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>Rubicon</title>');
  server = await startServer({
    backend: 'memory',
    // The default hello deadline: with 400 ms every client here (the table's seats too) had to join the namespace
    // and say hello within 400 ms of its handshake, which a loaded CI host did not always give (connectTimeout).
    env: { CLIENT_DIST: dist, METRICS_TOKEN: 'metrics-secret-1234', METRICS_PORT: '0' },
    deps: { logger: log.logger },
  });
  table = await seatTable(server.url);
});

afterAll(async () => {
  table?.close();
  await server?.close();
  await rm(dist, { recursive: true, force: true });
});

/** The CSP as a map of directive → sources. */
function csp(headers: Headers): Map<string, string[]> {
  const policy = headers.get('content-security-policy') ?? '';
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

function expectHardened(headers: Headers, what: string): void {
  const policy = csp(headers);
  expect(policy.get('script-src'), what).toEqual(["'self'"]);
  expect(policy.get('script-src-attr'), what).toEqual(["'none'"]);
  expect(policy.get('style-src'), what).toEqual(["'self'"]);
  expect(policy.get('object-src'), what).toEqual(["'none'"]);
  expect(policy.get('frame-ancestors'), what).toEqual(["'none'"]);
  expect(policy.get('default-src'), what).toEqual(["'self'"]);
  expect(headers.get('content-security-policy'), what).not.toMatch(/unsafe-(inline|eval)|upgrade-insecure-requests/);
  expect(headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(headers.get('x-frame-options'), what).toBe('DENY');
  expect(headers.get('referrer-policy'), what).toBe('no-referrer');
  expect(headers.get('cross-origin-opener-policy'), what).toBe('same-origin');
  expect(headers.get('permissions-policy'), what).toMatch(/camera=\(\)/);
  expect(headers.get('x-powered-by'), what).toBeNull();
  // Plain http here: no HSTS, which would lock a classroom server's name to https.
  expect(headers.get('strict-transport-security'), what).toBeNull();
}

describe('security headers', () => {
  it('go on pages, assets, API replies, errors and health checks alike', async () => {
    const id = table.session.sessionId;
    const responses = {
      page: await api(server.url, '/'),
      'client route': await api(server.url, '/s/abc/play'),
      'API reply': await api(server.url, '/api/scenarios'),
      'API error': await api(server.url, '/api/nothing-here'),
      'refused token': await api(server.url, `/api/sessions/${id}`, { token: 'x'.repeat(43) }),
      health: await api(server.url, '/healthz'),
    };
    for (const [what, r] of Object.entries(responses)) expectHardened(r.headers, what);
    expect(responses.page.status).toBe(200);
    // The socket's own origin is allowed for browsers that do not let 'self' cover ws:.
    const host = new URL(server.url).host;
    expect(csp(responses.page.headers).get('connect-src')).toEqual(["'self'", `ws://${host}`, `wss://${host}`]);
  });

  it('never let a forged Host header write into the policy', async () => {
    const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      const url = new URL(server.url);
      const req = request({ host: url.hostname, port: url.port, path: '/', headers: { host: "evil.example; script-src 'unsafe-inline'" } }, (res) => {
        res.resume();
        resolve(res.headers);
      });
      req.on('error', reject);
      req.end();
    });
    const policy = String(headers['content-security-policy']);
    expect(policy).not.toContain('evil');
    expect(policy).not.toContain('unsafe-inline');
  });

  it('go on Socket.IO polling responses too', async () => {
    const r = await fetch(new URL('/socket.io/?EIO=4&transport=polling', server.url));
    await r.text();
    expect(r.status).toBe(200);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
  });

  it('add HSTS only when the public address is https', async () => {
    const tls = await startServer({ backend: 'memory', env: { PUBLIC_URL: 'https://rubicon.example' } });
    try {
      const r = await api(tls.url, '/healthz');
      expect(r.headers.get('strict-transport-security')).toMatch(/^max-age=\d+$/);
    } finally {
      await tls.close();
    }
  });
});

/** Tries a WebSocket handshake with the given Origin; resolves with whether it connected. */
function handshake(url: string, origin: string | undefined): Promise<boolean> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...(origin ? { extraHeaders: { origin } } : {}) });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.close();
      resolve(true);
    });
    socket.once('connect_error', () => {
      socket.close();
      resolve(false);
    });
  });
}

describe('the Origin check on the socket', () => {
  it('lets the page’s own origin and clients without an Origin in, and refuses other sites and "null"', async () => {
    const own = new URL(server.url).origin;
    expect(await handshake(server.url, own)).toBe(true);
    expect(await handshake(server.url, undefined)).toBe(true);
    expect(await handshake(server.url, 'https://evil.example')).toBe(false);
    expect(await handshake(server.url, own.replace('127.0.0.1', '127.0.0.1.evil.example'))).toBe(false);
    expect(await handshake(server.url, 'null')).toBe(false);
  });

  it('with ALLOWED_ORIGINS, lets exactly those in', async () => {
    const listed = await startServer({ backend: 'memory', env: { ALLOWED_ORIGINS: 'https://class.example.org, http://lab.local:8080' } });
    try {
      expect(await handshake(listed.url, 'https://class.example.org')).toBe(true);
      expect(await handshake(listed.url, 'http://lab.local:8080')).toBe(true);
      expect(await handshake(listed.url, new URL(listed.url).origin)).toBe(false);
      expect(await handshake(listed.url, undefined)).toBe(true);
    } finally {
      await listed.close();
    }
  });
});

describe('/metrics', () => {
  it('asks for the token on the public port', async () => {
    expect((await api(server.url, '/metrics')).status).toBe(401);
    expect((await api(server.url, '/metrics', { token: 'metrics-secret-9999' })).status).toBe(403);
    const r = await api<string>(server.url, '/metrics', { token: 'metrics-secret-1234' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/plain/);
    for (const name of ['rubicon_sockets', 'rubicon_sessions_loaded', 'rubicon_events_applied_total', 'rubicon_command_duration_seconds_bucket', 'process_cpu_user_seconds_total'])
      expect(r.body).toContain(name);
  });

  it('is served on its own port when METRICS_PORT is set (with the same token), and nothing else is', async () => {
    const url = server.app.metricsUrl();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await api(url!, '/metrics')).status).toBe(401);
    const r = await api<string>(url!, '/metrics', { token: 'metrics-secret-1234' });
    expect(r.status).toBe(200);
    expect(r.body).toContain('rubicon_sockets');
    expect((await api(url!, '/api/scenarios')).status).toBe(404);
  });
});

const errorOf = (body: unknown) => (body as HttpError).error;

describe('typed answers to odd input', () => {
  httpOddInputCases();
  httpBodyFormCases();
  socketOddInputCases();
});

/** Odd ids on the session routes, and bodies not sent as JSON. */
function httpOddInputCases(): void {
  it('answers odd ids on every session route with a typed 4xx, never internal, and logs no error', async () => {
    const odd = ['%E0%A4%A', '%', '%ZZ', 'a%00b', 'x'.repeat(300), '..%2F..', '__proto__', 'constructor', '%F0%9F%92%A3', 'a.b', '%20'];
    const routes = (id: string) => [
      ['GET', `/api/sessions/${id}`],
      ['GET', `/api/sessions/${id}/export`],
      ['GET', `/api/sessions/${id}/scenario`],
      ['GET', `/api/sessions/${id}/view-as/iran`],
      ['GET', `/api/sessions/${table.session.sessionId}/view-as/${id}`],
      ['POST', `/api/sessions/${id}/branch`],
      ['POST', `/api/sessions/${id}/access/iran/revoke`],
      ['POST', `/api/sessions/${table.session.sessionId}/access/${id}/revoke`],
      ['GET', `/api/scenarios/${id}/teaching`],
      ['GET', `/api/scenarios/${id}/bots`],
    ];
    const seen = new Set<number>();
    for (const id of odd) {
      for (const [method, route] of routes(id)) {
        for (const token of [undefined, table.session.facilitatorToken]) {
          const r = await api(server.url, route!, { method: method!, ...(token ? { token } : {}), ...(method === 'POST' ? { body: { version: 0 } } : {}) });
          expect(r.status, `${method} ${route}`).toBeGreaterThanOrEqual(400);
          expect(r.status, `${method} ${route}`).toBeLessThan(500);
          expect(ErrorCode.options, `${method} ${route}`).toContain(errorOf(r.body).code);
          seen.add(r.status);
        }
      }
    }
    expect([...seen].sort()).toEqual([400, 401, 403, 404]);
    expect(log.errors()).toEqual([]);
  });

  it('says the body must be JSON when a request does not send it as JSON', async () => {
    // These routes answered "Invalid input: expected object, received undefined" (the import routes take any type).
    const routes = [
      ['/api/sessions', JSON.stringify({ scenarioId: 'april-2024' }), {}],
      ['/api/join', JSON.stringify({ code: 'ABCD2345' }), {}],
      [`/api/sessions/${table.session.sessionId}/branch`, JSON.stringify({ version: 0 }), { authorization: `Bearer ${table.session.facilitatorToken}` }],
    ] as const;
    for (const [route, body, auth] of routes) {
      for (const headers of [{ 'content-type': 'text/plain' }, {}] as Record<string, string>[]) {
        const r = await fetch(server.url + route, { method: 'POST', body: new Blob([body]), headers: { ...auth, ...headers } });
        expect(r.status, route).toBe(400);
        expect(errorOf(await r.json()), route).toMatchObject({ code: 'invalid', message: expect.stringMatching(/Content-Type: application\/json/) });
      }
    }
    expect(log.errors()).toEqual([]);
  });
}

/** Bodies that may be valid JSON, sent in a charset or encoding the server does not read. */
function httpBodyFormCases(): void {
  it('names the charset or Content-Encoding it refuses, rather than calling valid JSON invalid', async () => {
    // Both answered "The request body is not valid JSON." for a body that was valid JSON: a client author
    // whose library adds `charset=ISO-8859-1` looked for a syntax error that was not there.
    const body = JSON.stringify({ code: 'ABCD2345' });
    const cases = [
      [{ 'content-type': 'application/json; charset=latin1' }, /charset "latin1".*UTF-8/],
      [{ 'content-type': 'application/json', 'content-encoding': 'compress' }, /Content-Encoding "compress".*gzip/],
    ] as const;
    for (const [headers, words] of cases) {
      const r = await fetch(`${server.url}/api/join`, { method: 'POST', body: new Blob([body]), headers });
      expect(r.status, JSON.stringify(headers)).toBe(400);
      const error = errorOf(await r.json());
      expect(error, JSON.stringify(headers)).toMatchObject({ code: 'invalid', message: expect.stringMatching(words) });
      expect(error.message).not.toMatch(/not valid JSON/);
    }
    expect(log.errors()).toEqual([]);
  });
}

/** Socket events known or not, with or without an ack. */
function socketOddInputCases(): void {
  it('acknowledges every socket event, known or not, with a typed refusal, and survives events without an ack', async () => {
    const client = new TestClient(server.url, table.session.sessionId, table.tokens.iran, 'prober');
    try {
      for (const event of ['helo', 'COMMAND', 'update', 'presence', 'appended', '__proto__', 'x'.repeat(200)]) {
        const ack = (await client.raw(event, { anything: true })) as { ok: boolean; error: { code: string; message: string } };
        expect(ack, event).toMatchObject({ ok: false, error: { code: 'unknown_event' } });
      }
      // Known events before hello, and with broken payloads.
      expect(await client.raw('command', { commandId: 'abcdefgh', command: { type: 'PAUSE' }, expectedGameVersion: 0 })).toMatchObject({ error: { code: 'unauthorized' } });
      expect(await client.raw('sync', { sinceVersion: 0 })).toMatchObject({ error: { code: 'unauthorized' } });
      expect(await client.raw('hello')).toMatchObject({ error: { code: 'invalid' } });
      expect(await client.raw('hello', 42, 'extra', null)).toMatchObject({ error: { code: 'invalid' } });
      // No ack asked for: nothing comes back, nothing breaks.
      const untyped = client.socket as unknown as { emit(event: string, ...args: unknown[]): void };
      untyped.emit('no-such-event', { x: 1 });
      untyped.emit('hello', { junk: true });
      untyped.emit('command');
      expect((await client.hello()).ok).toBe(true);
      expect(await client.raw('nope')).toMatchObject({ ok: false, error: { code: 'unknown_event' } });
    } finally {
      client.close();
    }
    expect(log.errors()).toEqual([]);
  });
}

describe('the hello deadline', () => {
  // Its own server: long enough that a client joins the namespace and says hello well within it on a loaded host
  // (Socket.IO's connectTimeout is the same deadline), short enough to wait out.
  const DEADLINE_MS = 1500;
  let quick: TestServer;
  beforeAll(async () => {
    quick = await startServer({ backend: 'memory', env: { HELLO_TIMEOUT_MS: String(DEADLINE_MS) }, deps: { logger: log.logger } });
  });
  afterAll(async () => {
    await quick?.close();
  });

  it('closes a socket that never says hello, and keeps one that did', async () => {
    const session = await createSession(quick.url, { scenarioId: 'april-2024' });
    const silent = io(quick.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    const closed = new Promise<string>((resolve) => silent.once('disconnect', (reason) => resolve(reason)));
    await new Promise<void>((resolve) => silent.once('connect', () => resolve()));
    const connectedAt = Date.now();
    const greeted = await connect(quick.url, session.sessionId, (await joinCode(quick.url, codeFor(session, 'us'))).token, 'greeted');
    const greetedAt = Date.now();
    expect(await closed).toBe('io server disconnect');
    expect(Date.now() - connectedAt).toBeGreaterThanOrEqual(DEADLINE_MS / 2);
    // Past the greeted socket's own deadline too.
    await new Promise((r) => setTimeout(r, Math.max(0, greetedAt + DEADLINE_MS + 300 - Date.now())));
    expect(greeted.socket.connected).toBe(true);
    greeted.close();
  });

  it('also closes a socket whose hellos all fail', async () => {
    const session = await createSession(quick.url, { scenarioId: 'april-2024' });
    const guesser = new TestClient(quick.url, session.sessionId, 'y'.repeat(43), 'guesser');
    const closed = new Promise<string>((resolve) => guesser.socket.once('disconnect', (reason) => resolve(reason)));
    expect(await guesser.hello()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await closed).toBe('io server disconnect');
  });
});
