/**
 * What a stranger can make the server do without a token: the public GETs
 * are served from bytes made once (and revalidated by ETag), are limited per
 * address, and sockets that have not said hello are capped per address.
 */
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { scenarioText, teachingDocument } from '@rubicon/shared';
import { serverScenarios } from '../src/scenarios.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { connect, createSession, deleteRedisKeys, joinCode, codeFor, startServer, uniquePrefix, waitFor, type TestClient, type TestServer } from './harness.ts';

const servers: TestServer[] = [];
const clients: TestClient[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(env: Record<string, string>): Promise<TestServer> {
  const server = await startServer({ backend: 'memory', env });
  servers.push(server);
  return server;
}

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET whose body comes back exactly as sent (fetch would decompress it). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

function decoded(r: Raw): Buffer {
  const encoding = r.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(r.body);
  if (encoding === 'gzip') return gunzipSync(r.body);
  return r.body;
}

const scenario = serverScenarios().get('april-2024');
if (!scenario) throw new Error('the april-2024 scenario is missing');

describe('public bodies made once', () => {
  it('serves each encoding byte-identical to the JSON after decoding, with a strong ETag, and 304 for it', async () => {
    const server = await serve({});
    const text = scenarioText(scenario);
    const cases = [
      { path: '/api/scenarios', original: JSON.stringify(serverScenarios().list()), cache: 'no-cache' },
      { path: '/api/scenarios/april-2024/teaching', original: JSON.stringify(teachingDocument(scenario)), cache: 'no-cache' },
      { path: `/api/scenarios/april-2024/v/${scenario.version}?digest=${text.digest}`, original: JSON.stringify(text.text), cache: 'public, max-age=31536000, immutable' },
    ];
    for (const c of cases) {
      const seen = new Set<string>();
      for (const accept of ['br', 'gzip', 'identity', 'gzip, deflate, br']) {
        const r = await rawGet(server.url + c.path, { 'accept-encoding': accept });
        expect(r.status).toBe(200);
        expect(r.headers['content-type']).toMatch(/^application\/json/);
        expect(r.headers['cache-control']).toBe(c.cache);
        expect(r.headers.vary).toMatch(/Accept-Encoding/);
        expect(r.headers['content-encoding'] ?? 'identity').toBe(accept === 'gzip, deflate, br' ? 'br' : accept);
        expect(decoded(r).equals(Buffer.from(c.original))).toBe(true);
        const etag = String(r.headers.etag);
        expect(etag).toMatch(/^"[^"]+"$/);
        seen.add(etag);
        const again = await rawGet(server.url + c.path, { 'accept-encoding': accept, 'if-none-match': etag });
        expect(again.status).toBe(304);
        expect(again.body.length).toBe(0);
        expect((await rawGet(server.url + c.path, { 'accept-encoding': accept, 'if-none-match': '"something-else"' })).status).toBe(200);
      }
      // One ETag for every encoding: it names the JSON, which is the same.
      expect(seen.size).toBe(1);
    }
    // The text's ETag is still its digest, the one views name.
    expect((await rawGet(`${server.url}/api/scenarios/april-2024/v/${scenario.version}`)).headers.etag).toBe(`"${text.digest}"`);
    expect((await rawGet(`${server.url}/api/scenarios/april-2024/v/${scenario.version}`)).headers['cache-control']).toBe('no-cache');
  });

  it("serves a session's text the same way, made once per scenario version, and a 304 only to a token of the session", async () => {
    const server = await serve({});
    const session = await createSession(server.url, { scenarioId: 'april-2024' });
    const other = await createSession(server.url, { scenarioId: 'april-2024' });
    const { token } = await joinCode(server.url, codeFor(session, 'iran'));
    const path = `/api/sessions/${session.sessionId}/text`;
    const original = Buffer.from(JSON.stringify(scenarioText(scenario)));
    const etags = new Set<string>();
    for (const [id, bearer] of [[session.sessionId, token], [session.sessionId, session.facilitatorToken], [other.sessionId, other.facilitatorToken]] as const) {
      for (const accept of ['br', 'gzip', 'identity']) {
        const auth = { authorization: `Bearer ${bearer}`, 'accept-encoding': accept };
        const r = await rawGet(`${server.url}/api/sessions/${id}/text`, auth);
        expect(r.status).toBe(200);
        expect(r.headers['cache-control']).toBe('private, no-cache');
        expect(r.headers['content-encoding'] ?? 'identity').toBe(accept);
        expect(decoded(r).equals(original)).toBe(true);
        const etag = String(r.headers.etag);
        etags.add(etag);
        const again = await rawGet(`${server.url}/api/sessions/${id}/text`, { ...auth, 'if-none-match': etag });
        expect(again.status).toBe(304);
        expect(again.body.length).toBe(0);
      }
    }
    // One body for every session, token and encoding of the scenario version, named apart from /v/'s (another body).
    expect([...etags]).toEqual([`"s-${scenarioText(scenario).digest}"`]);
    // The ETag is no key: without the session's token it is still 401 or 403, never 304.
    const etag = [...etags][0] as string;
    expect((await rawGet(server.url + path, { 'if-none-match': etag })).status).toBe(401);
    expect((await rawGet(server.url + path, { 'if-none-match': etag, authorization: `Bearer ${'x'.repeat(30)}` })).status).toBe(401);
    expect((await rawGet(server.url + path, { 'if-none-match': etag, authorization: `Bearer ${other.facilitatorToken}` })).status).toBe(403);
  });

  it('answers 304 to a client that revalidates with fetch(), which adds Cache-Control: no-cache to such a request', async () => {
    // Express's freshness check answered 200 to every request with no-cache, so a script doing what
    // docs/protocol.md says (send the ETag back) never got its 304, on any of the four routes.
    const server = await serve({});
    const session = await createSession(server.url, { scenarioId: 'april-2024' });
    const auth = { authorization: `Bearer ${session.facilitatorToken}` };
    const text = scenarioText(scenario);
    const paths = ['/api/scenarios', '/api/scenarios/april-2024/teaching', `/api/scenarios/april-2024/v/${scenario.version}?digest=${text.digest}`, `/api/sessions/${session.sessionId}/text`];
    for (const path of paths) {
      const first = await fetch(server.url + path, { headers: auth });
      const etag = first.headers.get('etag') ?? '';
      await first.arrayBuffer();
      const again = await fetch(server.url + path, { headers: { ...auth, 'if-none-match': etag } });
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      const named = { ...auth, 'cache-control': 'no-cache', pragma: 'no-cache' };
      expect((await rawGet(server.url + path, { ...named, 'if-none-match': `"other", W/${etag}` })).status).toBe(304);
      expect((await rawGet(server.url + path, { ...named, 'if-none-match': '"other"' })).status).toBe(200);
    }
  });

  it('still answers 404 for a scenario or version that does not exist', async () => {
    const server = await serve({});
    expect((await rawGet(`${server.url}/api/scenarios/nope/teaching`)).status).toBe(404);
    expect((await rawGet(`${server.url}/api/scenarios/april-2024/v/999999`)).status).toBe(404);
  });
});

describe('the public GETs, per address', () => {
  it('counts one address across two processes on one Redis as one budget', async () => {
    const prefix = uniquePrefix('public');
    try {
      const env = { PUBLIC_RATE_LIMIT_BURST: '10', PUBLIC_RATE_LIMIT_PER_SEC: '0.2' };
      const pair = [await startServer({ backend: 'redis', env, prefix }), await startServer({ backend: 'redis', env, prefix })];
      servers.push(...pair);
      const statuses: number[] = [];
      for (let i = 0; i < 16; i++) statuses.push((await rawGet(`${(pair[i % 2] as TestServer).url}/api/scenarios`)).status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(6);
    } finally {
      await deleteRedisKeys(prefix);
    }
  });

  it('refuses a flood from one address with 429 and Retry-After, while another address is served', async () => {
    const server = await serve({ PUBLIC_RATE_LIMIT_BURST: '20', PUBLIC_RATE_LIMIT_PER_SEC: '0.5', TRUST_PROXY: 'loopback' });
    const from = (address: string, path: string) => rawGet(server.url + path, { 'x-forwarded-for': address });
    const paths = ['/api/scenarios', '/api/scenarios/april-2024/teaching', `/api/scenarios/april-2024/v/${scenario.version}`];
    const flood = await Promise.all(Array.from({ length: 30 }, (_, i) => from('203.0.113.7', paths[i % 3] as string)));
    const statuses = flood.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    const refused = flood.find((r) => r.status === 429) as Raw;
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(decoded(refused).toString()) as unknown).toMatchObject({ error: { code: 'rate_limited' } });
    for (const p of paths) expect((await from('203.0.113.8', p)).status).toBe(200);
    // Health checks are not counted: an orchestrator behind the same address is never refused.
    expect((await from('203.0.113.7', '/healthz/live')).status).toBe(200);
  });
});

/** Opens one socket and says whether it connected, or the connect_error it got. */
function open(url: string, address: string): Promise<{ socket: Socket; refusal: { message: string; data: unknown } | null }> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { 'x-forwarded-for': address } });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket, refusal: null }));
    socket.once('connect_error', (err: Error & { data?: unknown }) => resolve({ socket, refusal: { message: err.message, data: err.data } }));
  });
}

describe('sockets that have not said hello, per address', () => {
  it('refuses sockets past the cap from one address with a reason, while another address connects, and frees a place on hello', async () => {
    const server = await serve({ ANONYMOUS_SOCKETS_PER_ADDRESS: '5', TRUST_PROXY: 'loopback', HELLO_TIMEOUT_MS: '10000' });
    const session = await createSession(server.url, { scenarioId: 'april-2024' });
    const opened = await Promise.all(Array.from({ length: 8 }, () => open(server.url, '198.51.100.1')));
    try {
      expect(opened.filter((o) => o.refusal === null)).toHaveLength(5);
      const refusals = opened.flatMap((o) => (o.refusal ? [o.refusal] : []));
      expect(refusals).toHaveLength(3);
      expect(refusals[0]?.message).toMatch(/Too many connections from this address/);
      expect(refusals[0]?.data).toMatchObject({ code: 'rate_limited', retryAfterMs: 10000 });
      // The refused connections are closed by the server, not left to Socket.IO's connect timeout.
      await waitFor(() => server.app.io.engine.clientsCount === 5, 5000, 'refused connections still open');
      const other = await open(server.url, '198.51.100.2');
      expect(other.refusal).toBeNull();
      other.socket.close();
      // A socket that says hello no longer counts: its address may open another.
      const { token } = await joinCode(server.url, codeFor(session, 'iran'));
      const first = opened.find((o) => o.refusal === null)?.socket as Socket;
      const ack = (await first.timeout(5000).emitWithAck('hello', { sessionId: session.sessionId, token })) as { ok: boolean };
      expect(ack.ok).toBe(true);
      const next = await open(server.url, '198.51.100.1');
      expect(next.refusal).toBeNull();
      next.socket.close();
      // One that goes frees its place as well.
      opened.filter((o) => o.refusal === null && o.socket !== first).forEach((o) => o.socket.close());
      await waitFor(async () => (await open(server.url, '198.51.100.1').then((o) => (o.socket.close(), o.refusal === null))), 5000, 'closed sockets still counted');
    } finally {
      for (const o of opened) o.socket.close();
    }
  });

  it('lets a class of 42 behind one address connect and say hello at once with the default cap', async () => {
    const defaults = loadConfig({});
    expect(defaults.anonymousSocketsPerAddress).toBeGreaterThanOrEqual(42);
    const server = await serve({
      ANONYMOUS_SOCKETS_PER_ADDRESS: String(defaults.anonymousSocketsPerAddress),
      HELLO_RATE_LIMIT_BURST: String(defaults.limits.helloPerAddress.burst),
      HELLO_RATE_LIMIT_PER_SEC: String(defaults.limits.helloPerAddress.perSecond),
    });
    const session = await createSession(server.url, { scenarioId: 'april-2024' });
    const { token } = await joinCode(server.url, codeFor(session, 'iran'));
    const sockets = await Promise.all(Array.from({ length: 42 }, (_, i) => connect(server.url, session.sessionId, token, `phone-${i}`)));
    clients.push(...sockets);
    expect(sockets).toHaveLength(42);
  });
});

describe('their settings', () => {
  it('refuses a cap or budget that is not a positive number with a ConfigError', () => {
    for (const bad of [{ ANONYMOUS_SOCKETS_PER_ADDRESS: '0' }, { ANONYMOUS_SOCKETS_PER_ADDRESS: 'many' }, { PUBLIC_RATE_LIMIT_BURST: '0' }, { PUBLIC_RATE_LIMIT_PER_SEC: '-1' }])
      expect(() => loadConfig(bad)).toThrow(ConfigError);
    const set = loadConfig({ ANONYMOUS_SOCKETS_PER_ADDRESS: '40', PUBLIC_RATE_LIMIT_BURST: '60', PUBLIC_RATE_LIMIT_PER_SEC: '3' });
    expect(set.anonymousSocketsPerAddress).toBe(40);
    expect(set.limits.publicPerAddress).toEqual({ burst: 60, perSecond: 3 });
  });
});
