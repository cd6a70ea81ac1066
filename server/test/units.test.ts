/** Small pieces: configuration, join codes and tokens, rate limits, the oversize check, room names. */
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { JOIN_CODE_ALPHABET as CODE_ALPHABET } from '@rubicon/shared/limits';
import { hashToken, newJoinCode, newToken, normalizeCode } from '../src/session/secrets.ts';
import { RateLimit, budgetOf } from '../src/limits/rate-limit.ts';
import { oversizedField } from '../src/socket/oversize.ts';
import { roomFor, sessionOfRoom, viewersOf } from '../src/session/rooms.ts';
import { KeyedQueue } from '../src/session/keyed-queue.ts';
import { canonicalJson } from '@rubicon/shared';

describe('loadConfig', () => {
  it('has defaults that need nothing installed', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.redisUrl).toBeUndefined();
    expect(c.redisPrefix).toBe('rubicon:');
    expect(c.clientDist).toMatch(/client[/\\]dist$/);
    expect(c.snapshotEvery).toBeGreaterThan(0);
  });

  it('reads the environment', () => {
    const c = loadConfig({ PORT: '8080', REDIS_URL: 'redis://r:6379', LOG_LEVEL: 'debug', RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_SEC: '0.5', REDIS_PREFIX: 'x:' });
    expect(c).toMatchObject({ port: 8080, redisUrl: 'redis://r:6379', logLevel: 'debug', redisPrefix: 'x:' });
    expect(c.limits.seat).toEqual({ burst: 3, perSecond: 0.5 });
    expect(loadConfig({ REDIS_URL: '' }).redisUrl).toBeUndefined();
    expect([loadConfig({}).trustProxy, loadConfig({ TRUST_PROXY: 'true' }).trustProxy, loadConfig({ TRUST_PROXY: '2' }).trustProxy]).toEqual([false, true, 2]);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(loadConfig({ ALLOWED_ORIGINS: 'https://a.example, https://b.example:8443 ' }).allowedOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(loadConfig({}).allowedOrigins).toBeNull();
    expect(loadConfig({}).metrics).toEqual({ token: undefined, port: undefined, host: '127.0.0.1', hosts: [] });
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_TOKEN: 's3cret' }).metrics).toEqual({ token: 's3cret', port: 9464, host: '127.0.0.1', hosts: [] });
    expect(loadConfig({ JOIN_FAILURES_PER_WINDOW: '5', JOIN_FAILURE_WINDOW_MS: '60000' }).limits.joinFailures).toEqual({ points: 5, windowSeconds: 60 });
  });

  it('refuses nonsense with a message naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ SNAPSHOT_EVERY: '0' })).toThrow(/SNAPSHOT_EVERY/);
    expect(() => loadConfig({ METRICS_PORT: 'x' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ HELLO_RATE_LIMIT_PER_SEC: '0' })).toThrow(/HELLO_RATE_LIMIT_PER_SEC/);
  });

  it('refuses, by name, values that used to pass here and fail later: at listen, in a library, or silently', () => {
    // Each of these started the process and then threw without naming the variable (PORT, REDIS_URL,
    // TRUST_PROXY), or never failed at start while every browser socket, join link or model request was wrong (the rest).
    const bad: Record<string, string> = {
      PORT: '70000',
      REDIS_URL: 'localhost:6379',
      TRUST_PROXY: 'the-proxy',
      ALLOWED_ORIGINS: 'https://ok.example, rubicon.example.org',
      PUBLIC_URL: 'rubicon.example.org',
      LLM_BASE_URL: '127.0.0.1:8080/v1',
    };
    for (const [name, value] of Object.entries(bad)) expect(() => loadConfig({ [name]: value }), name).toThrow(new RegExp(`invalid configuration: ${name}:`));
    // …while the forms the README gives still load.
    const good = loadConfig({ PORT: '65535', REDIS_URL: 'rediss://user:pw@r.example:6380/2', TRUST_PROXY: 'loopback, uniquelocal, 203.0.113.0/24', ALLOWED_ORIGINS: 'https://a.example, http://b.example:8080', PUBLIC_URL: 'https://rubicon.example.org/' });
    expect([good.port, good.redisUrl, good.trustProxy, good.publicUrl]).toEqual([65535, 'rediss://user:pw@r.example:6380/2', 'loopback, uniquelocal, 203.0.113.0/24', 'https://rubicon.example.org/']);
  });

  it('refuses half a language model (LLM_BASE_URL without LLM_MODEL, or the reverse) instead of starting without one', () => {
    expect(() => loadConfig({ LLM_BASE_URL: 'http://127.0.0.1:8080/v1' })).toThrow(ConfigError);
    expect(() => loadConfig({ LLM_BASE_URL: 'http://127.0.0.1:8080/v1' })).toThrow(/LLM_BASE_URL is set but LLM_MODEL is not/);
    expect(() => loadConfig({ LLM_MODEL: 'llama3.1' })).toThrow(/LLM_MODEL is set but LLM_BASE_URL is not/);
    expect(loadConfig({}).llm).toBeNull();
    expect(loadConfig({ LLM_BASE_URL: 'http://127.0.0.1:8080/v1', LLM_MODEL: 'local' }).llm).toMatchObject({ baseUrl: 'http://127.0.0.1:8080/v1', model: 'local', timeoutMs: 20_000 });
  });
});

describe('secrets', () => {
  it('draws codes without look-alike characters', () => {
    for (const bad of '01OIl') expect(CODE_ALPHABET).not.toContain(bad);
    for (let i = 0; i < 200; i++) expect(newJoinCode()).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    expect(normalizeCode(' ab3k 7q-xy ')).toBe('AB3K7QXY');
  });

  it('makes long tokens and stores only their hash', () => {
    const t = newToken();
    expect(t.length).toBeGreaterThanOrEqual(32);
    expect(hashToken(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(t)).not.toContain(t);
  });
});

describe('RateLimit (in memory)', () => {
  it('turns a burst and a rate into a fixed window of whole seconds', () => {
    expect(budgetOf({ burst: 20, perSecond: 5 })).toEqual({ points: 20, windowSeconds: 4 });
    expect(budgetOf({ burst: 10, perSecond: 0.1 })).toEqual({ points: 10, windowSeconds: 100 });
    expect(budgetOf({ burst: 1000, perSecond: 5000 })).toEqual({ points: 1000, windowSeconds: 1 });
  });

  it('allows the budget per key, refuses past it with the wait, and takes back what is given back', async () => {
    const limit = new RateLimit('unit', { points: 3, windowSeconds: 60 }, { redis: null, prefix: 't:', timeoutMs: 100 });
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await limit.take('a'));
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, false]);
    const refused = verdicts[3]!;
    expect(refused.allowed ? 0 : refused.retryAfterMs).toBeGreaterThan(50_000);
    expect((await limit.take('b')).allowed).toBe(true);
    await limit.giveBack('b');
    expect((await limit.take('b', 3)).allowed).toBe(true);
    expect((await limit.take('b')).allowed).toBe(false);
  });
});

describe('oversizedField', () => {
  it('names the free-text field that is too long', () => {
    expect(oversizedField({ command: { type: 'SEND_MESSAGE', text: 'x'.repeat(2001) } })).toMatch(/^text/);
    expect(oversizedField({ command: { type: 'SUBMIT_MOVE', rationale: 'x'.repeat(2001) } })).toMatch(/^rationale/);
    expect(oversizedField({ command: { type: 'SEND_MESSAGE', text: 'fine' } })).toBeNull();
    expect(oversizedField('nonsense')).toBeNull();
    expect(oversizedField(null)).toBeNull();
  });
});

describe('rooms', () => {
  it('names one room per role and finds the session again', () => {
    expect(viewersOf(['iran', 'us']).map((v) => roomFor('abc_-1', v))).toEqual(['s:abc_-1:seat:iran', 's:abc_-1:seat:us', 's:abc_-1:observers', 's:abc_-1:facilitator']);
    expect(sessionOfRoom('s:abc_-1:seat:iran')).toBe('abc_-1');
    expect(sessionOfRoom('s:abc_-1:observers')).toBe('abc_-1');
    expect(sessionOfRoom('Xk2j3-socket-id')).toBeNull();
  });
});

describe('KeyedQueue', () => {
  laneOrderCases();
  laneFailureCases();
});

/** Tasks one at a time per key, and lanes kept only while needed. */
function laneOrderCases(): void {
  it('runs tasks one at a time per key, in order, and survives a failure', async () => {
    const q = new KeyedQueue();
    const order: string[] = [];
    const slow = (label: string, ms: number) => () => new Promise<string>((r) => setTimeout(() => (order.push(label), r(label)), ms));
    const results = await Promise.allSettled([
      q.run('a', slow('a1', 30)),
      q.run('a', () => Promise.reject(new Error('boom'))),
      q.run('a', slow('a2', 1)),
      q.run('b', slow('b1', 5)),
    ]);
    expect(order).toEqual(['b1', 'a1', 'a2']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  });

  it('keeps a lane per key only while it may be needed: idle lanes go in bulk, busy ones stay in order', async () => {
    // Lanes count as idle at once here (idle time 0), so every sweep may drop them.
    const q = new KeyedQueue(0);
    for (let i = 0; i < 1000; i++) await q.run(`k${i}`, async () => i);
    // Idle lanes are swept whenever the map reaches its mark (64 when nothing is busy).
    expect(q.size).toBeLessThanOrEqual(64);
    // A key whose task is still running keeps its lane (and its order) through a sweep.
    const order: string[] = [];
    let release = () => {};
    const first = q.run('busy', () => new Promise<void>((r) => (release = () => (order.push('first'), r()))));
    const second = q.run('busy', async () => void order.push('second'));
    for (let i = 0; i < 200; i++) await q.run(`other${i}`, async () => i);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
  });
}

/** A task that throws before its promise, and lanes past the mark. */
function laneFailureCases(): void {
  it('turns a task that throws before returning a promise into a rejection, and counts it finished', async () => {
    const q = new KeyedQueue(0);
    const thrown = q.run('a', (): Promise<number> => {
      throw new Error('at once');
    });
    const next = q.run('a', async () => 2);
    await expect(thrown).rejects.toThrow('at once');
    await expect(next).resolves.toBe(2);
    // The lane's tail settled (drain waits for it), and the lane was counted idle: the sweep as the 65th key comes drops it with the other idle lanes.
    await q.drain();
    for (let i = 0; i < 64; i++) await q.run(`k${i}`, async () => i);
    expect(q.size).toBe(1);
  });

  it('keeps the lanes of more keys than the mark while they were used lately, and drops them once idle', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const q = new KeyedQueue(1000);
      const keys = Array.from({ length: 200 }, (_, i) => `s${i}`);
      // 200 keys in turn, as 200 busy sessions: none is made anew (a made lane would be counted by size only if kept).
      for (let round = 0; round < 3; round++) for (const key of keys) await q.run(key, async () => key);
      expect(q.size).toBe(200);
      vi.advanceTimersByTime(1000);
      for (let i = 0; i < 256; i++) await q.run(`other${i}`, async () => i);
      // The 200 went at the sweep the map's mark brought (by then idle for a second); the new keys stay.
      expect(q.size).toBe(256);
    } finally {
      vi.useRealTimers();
    }
  });
}

describe('canonicalJson', () => {
  it('ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { x: 2, y: 1 }] }, b: 1 }));
  });
});
