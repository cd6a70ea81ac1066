/**
 * METRICS_TOKEN guesses spend the address's budget of wrong metrics tokens (as large as, and apart from,
 * the one wrong join codes spend), on the public port and on the METRICS_PORT listener, in memory and
 * shared across processes on Redis; a right token from another address is never refused for them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { codeFor, createSession, deleteRedisKeys, startServer, uniquePrefix, waitForPeers, type TestServer } from './harness.ts';

const TOKEN = 'metrics-secret-1234';
const servers: TestServer[] = [];
const prefixes: string[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(prefixes.map((p) => deleteRedisKeys(p)));
});

/** A budget of 5 wrong secrets per address; X-Forwarded-For believed from 127.0.0.1 so a test can speak from several addresses. */
const ENV = { METRICS_TOKEN: TOKEN, METRICS_PORT: '0', JOIN_FAILURES_PER_WINDOW: '5', TRUST_PROXY: 'loopback' };

async function serve(backend: 'memory' | 'redis', prefix?: string): Promise<TestServer> {
  const server = await startServer({ backend, env: ENV, ...(prefix ? { prefix } : {}) });
  servers.push(server);
  return server;
}

/** GET /metrics from `address` with `token` (none: no Authorization header); the status and Retry-After. */
async function scrape(url: string, address: string, token?: string): Promise<{ status: number; retryAfter: string | null; code?: string }> {
  const r = await fetch(new URL('/metrics', url), { headers: { 'x-forwarded-for': address, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) } });
  const text = await r.text();
  const code = r.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as { error: { code: string } }).error.code : undefined;
  return { status: r.status, retryAfter: r.headers.get('retry-after'), ...(code ? { code } : {}) };
}

describe('METRICS_TOKEN guesses, in memory', () => {
  it('counts wrong and missing tokens per address, then refuses 429 with Retry-After, even the right token; another address is served', async () => {
    const server = await serve('memory');
    const guesses = [await scrape(server.url, '203.0.113.7'), await scrape(server.url, '203.0.113.7', 'guess-1')];
    guesses.push(...(await Promise.all(['guess-2', 'guess-3', 'guess-4', 'guess-5', 'guess-6'].map((g) => scrape(server.url, '203.0.113.7', g)))));
    expect(guesses.map((g) => g.status)).toEqual([401, 403, 403, 403, 403, 429, 429]);
    const refused = guesses[6]!;
    expect(refused.code).toBe('rate_limited');
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    // Past the budget the right token is refused too, so a 429 tells nothing about a guess.
    expect((await scrape(server.url, '203.0.113.7', TOKEN)).status).toBe(429);
    // Another address's scraper never pays for them.
    expect((await scrape(server.url, '203.0.113.8', TOKEN)).status).toBe(200);
  });

  it('gives a right token back, so a scraper never uses the budget up by scraping', async () => {
    const server = await serve('memory');
    for (let i = 0; i < 12; i++) expect((await scrape(server.url, '203.0.113.9', TOKEN)).status).toBe(200);
    const after = await Promise.all(Array.from({ length: 7 }, () => scrape(server.url, '203.0.113.9', 'wrong')));
    expect(after.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 429, 429]);
  });

  it('is counted apart from wrong join codes: neither locks the other out of the same address, and each still stops at its own budget', async () => {
    const server = await serve('memory');
    const session = await createSession(server.url, { scenarioId: 'april-2024', seed: 'metrics' });
    const join = (address: string, code: string) =>
      fetch(new URL('/api/join', server.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ code }) });
    // A scraper behind the school's NAT with a stale token: the students behind it still join.
    for (let i = 0; i < 5; i++) await scrape(server.url, '203.0.113.10', 'wrong');
    expect((await scrape(server.url, '203.0.113.10', 'wrong')).status).toBe(429);
    expect((await join('203.0.113.10', codeFor(session, 'iran'))).status).toBe(200);
    // A class's mistyped codes: the scraper behind the same address still scrapes, and the joins stop at their budget.
    const wrongCodes = [];
    for (let i = 0; i < 6; i++) wrongCodes.push((await join('203.0.113.12', 'ZZZZZZZZ')).status);
    expect(wrongCodes).toEqual([404, 404, 404, 404, 404, 429]);
    expect((await scrape(server.url, '203.0.113.12', TOKEN)).status).toBe(200);
    expect((await scrape(server.url, '203.0.113.12', 'wrong')).status).toBe(403);
  });

  it('counts on the METRICS_PORT listener by the TCP peer, whatever X-Forwarded-For says', async () => {
    const server = await serve('memory');
    const url = server.app.metricsUrl()!;
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await scrape(url, `198.51.100.${i}`, 'wrong')).status);
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429]);
    // The public port counts the forwarded address, which spent nothing there.
    expect((await scrape(server.url, '198.51.100.77', TOKEN)).status).toBe(200);
  });
});

describe('a guesser trying for more (red team, 6 December)', () => {
  it('gets nothing back on one budget from right answers to the other secret', async () => {
    const server = await serve('memory');
    const session = await createSession(server.url, { scenarioId: 'april-2024', seed: 'metrics-interleaved' });
    const join = (address: string, code: string) =>
      fetch(new URL('/api/join', server.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ code }) }).then((r) => r.status);
    // A student who holds a seat code guesses the metrics token between joins that succeed.
    const guesses = [];
    for (let i = 0; i < 7; i++) {
      expect(await join('203.0.113.30', codeFor(session, 'iran'))).toBe(200);
      guesses.push((await scrape(server.url, '203.0.113.30', `guess-${i}`)).status);
    }
    expect(guesses).toEqual([403, 403, 403, 403, 403, 429, 429]);
    // Whoever holds the metrics token guesses join codes between scrapes that succeed.
    const codes = [];
    for (let i = 0; i < 7; i++) {
      expect((await scrape(server.url, '203.0.113.31', TOKEN)).status).toBe(200);
      codes.push(await join('203.0.113.31', 'ZZZZZZZZ'));
    }
    expect(codes).toEqual([404, 404, 404, 404, 404, 429, 429]);
  });

  it('without TRUST_PROXY, spends one budget over both ports, whatever X-Forwarded-For says', async () => {
    const server = await startServer({ backend: 'memory', env: { ...ENV, TRUST_PROXY: '' } });
    servers.push(server);
    const listener = server.app.metricsUrl()!;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await scrape(server.url, `198.51.100.${i}`, 'wrong')).status);
    for (let i = 3; i < 7; i++) statuses.push((await scrape(listener, `198.51.100.${i}`, 'wrong')).status);
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429]);
  });
});

describe('METRICS_TOKEN guesses, on Redis', () => {
  it('share one budget per address across processes, and another address is served on both', async () => {
    const prefix = uniquePrefix('metrics-guesses');
    prefixes.push(prefix);
    const pair = [await serve('redis', prefix), await serve('redis', prefix)];
    await waitForPeers(pair);
    const at = (i: number) => (pair[i % 2] as TestServer).url;
    const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => scrape(at(i), '203.0.113.20', `guess-${i}`)));
    expect(statuses.filter((r) => r.status === 403)).toHaveLength(5);
    expect(statuses.filter((r) => r.status === 429)).toHaveLength(7);
    for (const i of [0, 1]) {
      expect((await scrape(at(i), '203.0.113.20', TOKEN)).status).toBe(429);
      expect((await scrape(at(i), '203.0.113.21', TOKEN)).status).toBe(200);
    }
    // The guesses spent nothing of the address's joins, on either process.
    const session = await createSession(at(0), { scenarioId: 'april-2024', seed: 'metrics-redis' });
    for (const i of [0, 1]) {
      const r = await fetch(new URL('/api/join', at(i)), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.20' },
        body: JSON.stringify({ code: codeFor(session, i === 0 ? 'iran' : 'israel') }),
      });
      expect(r.status).toBe(200);
    }
  });
});
