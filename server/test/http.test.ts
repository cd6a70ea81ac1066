/** The REST API, health, metrics and the static client, against a real server (memory store). */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateSessionResponse, HelloData, HttpError, JoinResponse, SessionSummary } from '@rubicon/shared';
import { JOIN_CODE_ALPHABET as CODE_ALPHABET, JOIN_CODE_LENGTH } from '@rubicon/shared/limits';
import { TestClient, api, codeFor, seatTable, settle, startServer, type Table, type TestServer } from './harness.ts';
import { playBeat, startGame } from './play.ts';

let server: TestServer;
let dist: string;
const HASHED = 'index-AbCd1234.js';
const HASHED_BODY = Buffer.from(`export const app = ${JSON.stringify('console '.repeat(400))};\n`);
// At the fastest settings, so they differ from what the compression middleware would make on the fly.
const COPIES = {
  br: brotliCompressSync(HASHED_BODY, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }),
  gzip: gzipSync(HASHED_BODY, { level: 1 }),
  none: HASHED_BODY,
};

/** A GET with this Accept-Encoding, its body as sent (fetch would decode it). */
function rawGet(url: string, acceptEncoding: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}
const tables: Table[] = [];

beforeAll(async () => {
  dist = await mkdtemp(path.join(tmpdir(), 'rubicon-dist-'));
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>Rubicon</title>');
  await writeFile(path.join(dist, 'app.js'), 'console.log("app")');
  // As client/scripts/precompress.ts leaves a built asset: the file, and its brotli and gzip copies.
  await mkdir(path.join(dist, 'assets'));
  await writeFile(path.join(dist, 'assets', HASHED), HASHED_BODY);
  await writeFile(path.join(dist, 'assets', `${HASHED}.br`), COPIES.br);
  await writeFile(path.join(dist, 'assets', `${HASHED}.gz`), COPIES.gzip);
  server = await startServer({ backend: 'memory', env: { CLIENT_DIST: dist, MAX_PAYLOAD_BYTES: '4096', MAX_IMPORT_BYTES: '2000000' } });
});

afterAll(async () => {
  for (const t of tables) t.close();
  await server?.close();
  await rm(dist, { recursive: true, force: true });
});

const errorCode = (body: unknown) => (body as HttpError).error.code;

/** Creating a session: the scenarios offered, what a creation gives, and what it refuses. */
function creationCases(): void {
  it('lists the scenarios', async () => {
    const r = await api<{ id: string; seats: { id: string; optional: boolean }[] }[]>(server.url, '/api/scenarios');
    expect(r.status).toBe(200);
    expect(r.body.map((s) => s.id)).toContain('april-2024');
  });

  it('creates a session with unambiguous codes for the seats in play and an observer code', async () => {
    const r = await api<CreateSessionResponse>(server.url, '/api/sessions', { body: { scenarioId: 'april-2024', optionalSeats: ['jordan'], title: 'Class 3B' } });
    expect(r.status).toBe(201);
    expect(r.body.facilitatorToken.length).toBeGreaterThanOrEqual(32);
    expect(r.body.codes.map((c) => (c.role.kind === 'seat' ? c.role.seat : c.role.kind))).toEqual(['iran', 'israel', 'us', 'mediators', 'jordan', 'observer']);
    for (const { code } of r.body.codes) {
      expect(code).toHaveLength(JOIN_CODE_LENGTH);
      for (const ch of code) expect(CODE_ALPHABET).toContain(ch);
    }
    expect(new Set(r.body.codes.map((c) => c.code)).size).toBe(r.body.codes.length);
  });

  it('records a random seed when none is given, so replays still match', async () => {
    const a = await api<CreateSessionResponse>(server.url, '/api/sessions', { body: { scenarioId: 'april-2024' } });
    const file = await api<{ setup: { seed: string } }>(server.url, `/api/sessions/${a.body.sessionId}/export`, { token: a.body.facilitatorToken });
    expect(typeof file.body.setup.seed).toBe('string');
    expect(file.body.setup.seed.length).toBeGreaterThanOrEqual(8);
  });

  it('refuses invalid bodies with 400 invalid', async () => {
    for (const body of [
      { scenarioId: 'no-such-scenario' },
      { scenarioId: 'april-2024', optionalSeats: ['iran'] },
      { scenarioId: 'april-2024', optionalSeats: ['eu', 'eu'] },
      { scenarioId: 'april-2024', timerSeconds: { 'no-such-beat': 60 } },
      { scenarioId: 'april-2024', timerScale: 100 },
      { scenarioId: 'april-2024', extra: true },
      [],
    ]) {
      const r = await api(server.url, '/api/sessions', { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(errorCode(r.body)).toBe('invalid');
    }
    const notJson = await api(server.url, '/api/sessions', { body: '{"scenarioId":' });
    expect(notJson.status).toBe(400);
    expect(errorCode(notJson.body)).toBe('invalid');
  });

  it('refuses a body over the size limit with 413 too_large', async () => {
    const r = await api(server.url, '/api/sessions', { body: { scenarioId: 'april-2024', title: 'x'.repeat(10_000) } });
    expect(r.status).toBe(413);
    expect(errorCode(r.body)).toBe('too_large');
  });
}

/** What a join code and a facilitator's token open. */
function accessCases(): void {
  it('joins with a code (typed loosely) and issues a new token each time', async () => {
    const s = (await api<CreateSessionResponse>(server.url, '/api/sessions', { body: { scenarioId: 'april-2024' } })).body;
    const code = codeFor(s, 'israel');
    const a = await api<JoinResponse>(server.url, '/api/join', { body: { code: ` ${code.toLowerCase().slice(0, 3)} ${code.toLowerCase().slice(3)} ` } });
    const b = await api<JoinResponse>(server.url, '/api/join', { body: { code } });
    expect(a.status).toBe(200);
    expect(a.body.role).toEqual({ kind: 'seat', seat: 'israel' });
    expect(a.body.sessionId).toBe(s.sessionId);
    expect(a.body.token).not.toBe(b.body.token);
    const bad = await api(server.url, '/api/join', { body: { code: 'ZZZZZZ' } });
    expect(bad.status).toBe(404);
    expect(errorCode(bad.body)).toBe('not_found');
  });

  it('shows the summary to the facilitator only', async () => {
    const t = await seatTable(server.url);
    tables.push(t);
    const id = t.session.sessionId;
    const ok = await api<SessionSummary>(server.url, `/api/sessions/${id}`, { token: t.session.facilitatorToken });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ sessionId: id, version: 0, phase: 'lobby', scenarioId: 'april-2024' });
    expect(ok.body.codes).toEqual(t.session.codes);
    expect((await api(server.url, `/api/sessions/${id}`)).status).toBe(401);
    expect((await api(server.url, `/api/sessions/${id}`, { token: 'not-a-token-at-all-1234' })).status).toBe(401);
    expect((await api(server.url, `/api/sessions/${id}`, { token: t.tokens.iran })).status).toBe(403);
    const other = (await api<CreateSessionResponse>(server.url, '/api/sessions', { body: { scenarioId: 'april-2024' } })).body;
    expect((await api(server.url, `/api/sessions/${id}`, { token: other.facilitatorToken })).status).toBe(403);
    expect((await api(server.url, `/api/sessions/${id}/export`, { token: t.tokens.observer })).status).toBe(403);
  });
}

describe('sessions', () => {
  creationCases();
  accessCases();
});

describe("a session's scenario text", () => {
  it('goes to any token of the session, with the digest its views name, and to nobody else', async () => {
    const s = (await api<CreateSessionResponse>(server.url, '/api/sessions', { body: { scenarioId: 'april-2024' } })).body;
    const other = (await api<CreateSessionResponse>(server.url, '/api/sessions', { body: { scenarioId: 'april-2024' } })).body;
    const seat = (await api<JoinResponse>(server.url, '/api/join', { body: { code: codeFor(s, 'iran') } })).body;
    const byDigest = await api<unknown>(server.url, '/api/scenarios/april-2024/v/4');
    for (const token of [seat.token, s.facilitatorToken]) {
      const r = await api<{ digest: string; text: unknown }>(server.url, `/api/sessions/${s.sessionId}/text`, { token });
      expect(r.status).toBe(200);
      expect(`"${r.body.digest}"`).toBe(byDigest.headers.get('etag'));
      expect(r.body.text).toEqual(byDigest.body);
      expect(r.headers.get('cache-control')).toBe('private, no-cache');
    }
    expect((await api(server.url, `/api/sessions/${s.sessionId}/text`)).status).toBe(401);
    expect((await api(server.url, `/api/sessions/${s.sessionId}/text`, { token: 'x'.repeat(30) })).status).toBe(401);
    const elsewhere = await api(server.url, `/api/sessions/${other.sessionId}/text`, { token: seat.token });
    expect(elsewhere.status).toBe(403);
    expect(errorCode(elsewhere.body)).toBe('forbidden');
  });
});

/** The imported copy says hello at the original's version, view and messages, and can be played on from there. */
async function expectPlayableCopy(imported: CreateSessionResponse, t: Table, version: number): Promise<void> {
  const copy = new TestClient(server.url, imported.sessionId, imported.facilitatorToken, 'copy');
  try {
    const hello = (await copy.hello()) as { ok: true; data: HelloData };
    expect(hello.data.version).toBe(version);
    expect(hello.data.view).toEqual(t.facilitator.view);
    expect(hello.data.messages.map((m) => m.text)).toEqual(t.facilitator.messages.map((m) => m.text));
    await copy.must({ type: 'RESUME' });
  } finally {
    copy.close();
  }
}

describe('export and import', () => {
  it('exports the setup and the whole log, and imports it as a new session with the same history', async () => {
    const t = await seatTable(server.url, { seed: 'export-me' });
    tables.push(t);
    await startGame(t);
    await t.seats.israel.untilVersion(2);
    await t.seats.israel.must({ type: 'SEND_MESSAGE', channel: 'israel-us', text: 'Between us.' });
    await playBeat(t);
    // Stopped, so the copy is the very same state: an import of a running clock adds a pause (import-clock.test.ts).
    await t.facilitator.must({ type: 'PAUSE' });
    await settle(t.all());

    const exported = await api<{ format: string; session: Record<string, unknown>; setup: { seed: string }; log: unknown[] }>(
      server.url,
      `/api/sessions/${t.session.sessionId}/export`,
      { token: t.session.facilitatorToken },
    );
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/^attachment; filename="rubicon-.+\.json"$/);
    expect(exported.body.format).toBe('rubicon-session');
    expect(exported.body.setup.seed).toBe('export-me');
    expect(Object.keys(exported.body.session).sort()).toEqual(['createdAt', 'parent', 'sessionId', 'title']);
    expect(JSON.stringify(exported.body)).not.toContain(t.session.facilitatorToken);
    const version = t.facilitator.version;
    expect(exported.body.log).toHaveLength(version);

    const imported = await api<CreateSessionResponse>(server.url, '/api/sessions/import', { body: exported.body });
    expect(imported.status).toBe(201);
    expect(imported.body.sessionId).not.toBe(t.session.sessionId);
    expect(imported.body.codes.map((c) => c.code)).not.toContain(t.session.codes[0]?.code);

    await expectPlayableCopy(imported.body, t, version);
  });

  it('refuses a file whose log does not apply, or that is not a session file', async () => {
    const t = await seatTable(server.url);
    tables.push(t);
    await startGame(t);
    const file = (await api<{ log: { command: { type: string } }[] }>(server.url, `/api/sessions/${t.session.sessionId}/export`, { token: t.session.facilitatorToken })).body;
    const tampered = structuredClone(file);
    tampered.log.reverse();
    for (const [body, code] of [
      [tampered, 'event_reordered'],
      [{ ...file, format: 'something-else' }, 'not_a_session_file'],
      [{ hello: 'world' }, 'not_a_session_file'],
    ] as const) {
      const r = await api(server.url, '/api/sessions/import', { body });
      expect(r.status).toBe(400);
      expect(errorCode(r.body)).toBe(code);
    }
  });
});

describe('operations', () => {
  it('reports health, without Redis here', async () => {
    const r = await api(server.url, '/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok', live: true, ready: true, store: 'memory', redis: 'absent' });
  });

  it('does not serve /metrics on the public port by default (web-hardening.test.ts covers the token and the metrics port)', async () => {
    const r = await api(server.url, '/metrics');
    expect(r.status).toBe(404);
    expect(errorCode(r.body)).toBe('not_found');
  });

  it('answers unknown API routes with JSON 404', async () => {
    const r = await api(server.url, '/api/nothing-here');
    expect(r.status).toBe(404);
    expect(errorCode(r.body)).toBe('not_found');
    const s = await api(server.url, '/api/sessions/nope', { token: 'x'.repeat(30) });
    expect(s.status).toBe(401);
  });

  it('serves the built client, with client-side routes falling back to index.html', async () => {
    const root = await api<string>(server.url, '/');
    expect(root.status).toBe(200);
    expect(root.body).toContain('<title>Rubicon</title>');
    const deep = await api<string>(server.url, '/session/abc/seat');
    expect(deep.status).toBe(200);
    expect(deep.body).toContain('<title>Rubicon</title>');
    const asset = await api<string>(server.url, '/app.js');
    expect(asset.body).toContain('console.log');
  });

  it('answers a build file that is not there with 404, not the page', async () => {
    // An open tab of the previous build asks for its own chunk; it got index.html with a 200.
    const missing = await api(server.url, '/assets/ComparePage-AbCdEf12.js');
    expect(missing.status).toBe(404);
    expect(errorCode(missing.body)).toBe('not_found');
  });

  it("sends the build's brotli copy of an asset to a browser that takes brotli, its gzip copy to one that takes only gzip, the file itself otherwise", async () => {
    const url = new URL(`/assets/${HASHED}`, server.url).href;
    for (const [accept, encoding] of [
      ['gzip, deflate, br, zstd', 'br'],
      ['gzip', 'gzip'],
      ['br;q=0, gzip', 'gzip'],
      ['identity', 'none'],
    ] as const) {
      const r = await rawGet(url, accept);
      expect(r.status, accept).toBe(200);
      expect(r.headers['content-encoding'] ?? 'none', accept).toBe(encoding);
      expect(r.headers['content-type'], accept).toMatch(/^text\/javascript/);
      expect(r.headers['cache-control'], accept).toBe('public, max-age=31536000, immutable');
      expect(String(r.headers.vary), accept).toMatch(/accept-encoding/i);
      expect(r.body.equals(COPIES[encoding]), accept).toBe(true);
    }
  });
});
