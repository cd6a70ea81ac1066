/**
 * What /metrics tells an operator of a filling store (stored-sessions-metrics.ts, metrics.ts): the sessions the
 * store holds against MAX_SESSIONS, every process's with Redis, and the new sessions refused, by the cap
 * (sessions_full) and by the address's budget (sessions_per_address). Until 7 December a full store showed only
 * as one log warning. A store that cannot count in time leaves the scrape its last count, marked stale.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpError } from '@rubicon/shared';
import { StoredSessions } from '../src/stored-sessions-metrics.ts';
import { api, createSession, deleteRedisKeys, startServer, uniquePrefix, type TestServer } from './harness.ts';

const SETUP = { scenarioId: 'april-2024', seed: 'fill-seed' } as const;

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A sample's value in the exposition text (`name` with its labels, as written: `x{reason="y"}`), or null. */
function sample(text: string, name: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? null : Number(line.slice(name.length + 1));
}

async function scrape(server: TestServer): Promise<string> {
  return server.app.metrics.registry.metrics();
}

describe.each(['memory', 'redis'] as const)('the store filling, on %s', (backend) => {
  it('shows the stored count against MAX_SESSIONS on every process, and counts 507s and the address budget\'s 429s', async () => {
    const prefix = uniquePrefix('fill-metrics');
    const env = { MAX_SESSIONS: '1', SESSIONS_PER_ADDRESS: '2' };
    const [a, b] = await Promise.all((backend === 'redis' ? [0, 1] : [0]).map(() => startServer({ backend, prefix, env })));
    servers.push(a!, ...(b ? [b] : []));
    const other = b ?? a!;
    expect(sample(await scrape(other), 'rubicon_sessions_stored')).toBe(0);
    const first = await createSession(a!.url, SETUP);
    for (const server of [a!, other]) {
      const text = await scrape(server);
      expect([sample(text, 'rubicon_sessions_stored'), sample(text, 'rubicon_sessions_max')]).toEqual([1, 1]);
      expect([sample(text, 'rubicon_sessions_stored_stale'), sample(text, 'rubicon_sessions_stored_age_seconds')]).toEqual([0, 0]);
    }
    for (let i = 0; i < 3; i++) expect((await api<HttpError>(a!.url, '/api/sessions', { body: SETUP })).status).toBe(507);
    // Retention frees the place twice; the address's second session then spends its budget of two.
    const store = a!.app.service.store;
    const remove = async (sessionId: string) => {
      await store.retainUntil(sessionId, 1);
      await store.removeDue(Date.now(), 10);
    };
    await remove(first.sessionId);
    await remove((await createSession(a!.url, SETUP)).sessionId);
    expect((await api<HttpError>(a!.url, '/api/sessions', { body: SETUP })).status).toBe(429);
    const text = await scrape(a!);
    expect(sample(text, 'rubicon_new_session_refusals_total{reason="sessions_full"}')).toBe(3);
    expect(sample(text, 'rubicon_new_session_refusals_total{reason="sessions_per_address"}')).toBe(1);
    expect(sample(text, 'rubicon_sessions_stored')).toBe(0);
    if (backend === 'redis') await deleteRedisKeys(prefix);
  });
});

describe('a store that cannot count in time', () => {
  it('leaves the scrape the last count, its age and stale, within the bound', async () => {
    let now = 0;
    let answer: 'count' | 'never' | 'fail' = 'count';
    const counts = new StoredSessions(
      async () => {
        if (answer === 'fail') throw new Error('Redis is not connected.');
        return answer === 'count' ? 7 : new Promise<number>(() => {});
      },
      50,
      () => now,
    );
    expect(await counts.read()).toEqual({ count: 7, ageSeconds: 0, stale: false });
    now = 4000;
    answer = 'never';
    const started = performance.now();
    expect(await counts.read()).toEqual({ count: 7, ageSeconds: 4, stale: true });
    expect(performance.now() - started).toBeLessThan(500);
    answer = 'fail';
    now = 6000;
    expect(await counts.read()).toEqual({ count: 7, ageSeconds: 6, stale: true });
  });

  it('says it knows no count before its first', async () => {
    const counts = new StoredSessions(() => Promise.reject(new Error('Redis is not connected.')), 50);
    expect(await counts.read()).toEqual({ count: Number.NaN, ageSeconds: Number.NaN, stale: true });
  });
});
