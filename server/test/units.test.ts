/** Small pieces: configuration, join codes and tokens, the rate limiter, the oversize check, room names. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { CODE_ALPHABET, hashToken, newJoinCode, newToken, normalizeCode } from '../src/session/secrets.ts';
import { TokenBucket } from '../src/socket/token-bucket.ts';
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
    expect(c).toMatchObject({ port: 8080, redisUrl: 'redis://r:6379', logLevel: 'debug', rateLimit: { burst: 3, perSecond: 0.5 }, redisPrefix: 'x:' });
    expect(loadConfig({ REDIS_URL: '' }).redisUrl).toBeUndefined();
    expect([loadConfig({}).trustProxy, loadConfig({ TRUST_PROXY: 'true' }).trustProxy, loadConfig({ TRUST_PROXY: '2' }).trustProxy]).toEqual([false, true, 2]);
  });

  it('refuses nonsense with a message naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ SNAPSHOT_EVERY: '0' })).toThrow(/SNAPSHOT_EVERY/);
  });
});

describe('secrets', () => {
  it('draws codes without look-alike characters', () => {
    for (const bad of '01OIl') expect(CODE_ALPHABET).not.toContain(bad);
    for (let i = 0; i < 200; i++) expect(newJoinCode()).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
    expect(normalizeCode(' ab3 k7q ')).toBe('AB3K7Q');
  });

  it('makes long tokens and stores only their hash', () => {
    const t = newToken();
    expect(t.length).toBeGreaterThanOrEqual(32);
    expect(hashToken(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(t)).not.toContain(t);
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then refills at its rate', () => {
    const b = new TokenBucket(3, 2, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.take(400)).toBe(false);
    expect(b.take(500)).toBe(true);
    expect(b.take(10_000)).toBe(true);
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
});

describe('canonicalJson', () => {
  it('ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { x: 2, y: 1 }] }, b: 1 }));
  });
});
