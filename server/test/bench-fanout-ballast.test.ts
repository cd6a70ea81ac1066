/**
 * The fan-out bench's heap ballast for the bare server (FANOUT_BALLAST,
 * bench/fanout/ballast.ts): how the option is read, that it is off unless
 * asked for, and that what it makes is really kept, about what Rubicon's
 * message log keeps a message (586 B, docs/performance/fan-out-log.md,
 * "Bare with Rubicon's heap…"), not optimised
 * away and not far more.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Ballast, ballastFromSetting, ballastName, BYTES_PER_MESSAGE, parseBallasts } from '../bench/fanout/ballast.ts';
import { fanoutOptionsFromEnv } from '../bench/fanout/options.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use after full collections, so only what is reachable counts. */
function liveHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const SEATS = ['iran', 'israel', 'us', 'mediators'];

describe('FANOUT_BALLAST', () => {
  it('is off unless set: no further contender', () => {
    const before = process.env.FANOUT_BALLAST;
    delete process.env.FANOUT_BALLAST;
    try {
      expect(fanoutOptionsFromEnv('redis://x').ballasts).toEqual([]);
      process.env.FANOUT_BALLAST = 'grow; static=24+grow';
      expect(fanoutOptionsFromEnv('redis://x').ballasts).toEqual([{ staticMb: 0, grow: true }, { staticMb: 24, grow: true }]);
    } finally {
      if (before === undefined) delete process.env.FANOUT_BALLAST;
      else process.env.FANOUT_BALLAST = before;
    }
    expect(parseBallasts('')).toEqual([]);
    expect(parseBallasts(' ; ')).toEqual([]);
  });

  it('names each contender the way its server reads it back', () => {
    for (const text of ['grow', 'static=8', 'grow+static=1.5']) {
      const [spec] = parseBallasts(text);
      if (!spec) throw new Error('no spec');
      expect(ballastFromSetting({ BALLAST: ballastName(spec) })).toEqual(spec);
    }
    expect(ballastName({ staticMb: 1.5, grow: true })).toBe('static=1.5+grow');
    expect(parseBallasts('burn=25;grow+burn=7.5')).toEqual([{ staticMb: 0, grow: false, burnUs: 25 }, { staticMb: 0, grow: true, burnUs: 7.5 }]);
    expect(ballastFromSetting({ BALLAST: 'burn=25' })).toEqual({ staticMb: 0, grow: false, burnUs: 25 });
    expect(ballastFromSetting({})).toBeNull();
  });

  it('refuses what it cannot read, naming the entry', () => {
    expect(() => parseBallasts('grew')).toThrow('FANOUT_BALLAST: "grew"');
    expect(() => parseBallasts('static=0')).toThrow('"static=0"');
    expect(() => parseBallasts('grow+grow')).toThrow('"grow+grow"');
    expect(() => parseBallasts('burn=0')).toThrow('"burn=0"');
    expect(() => parseBallasts('burn=5+burn=5')).toThrow('"burn=5+burn=5"');
    expect(() => parseBallasts('static=8;static=8')).toThrow('"static=8" named twice');
    expect(() => ballastFromSetting({ BALLAST: 'grow;static=8' })).toThrow('not one ballast');
  });
});

describe('a CPU ballast (burn)', () => {
  it('spends about the µs asked for per message, and keeps nothing', () => {
    const ballast = new Ballast({ staticMb: 0, grow: false, burnUs: 200 });
    const started = performance.now();
    for (let i = 0; i < 50; i++) ballast.beforeBroadcast();
    const perMessageUs = ((performance.now() - started) * 1000) / 50;
    expect(perMessageUs).toBeGreaterThanOrEqual(200);
    expect(perMessageUs).toBeLessThan(2000);
    ballast.onMessage('room', 'iran', 'text', 1, Date.now());
    expect(ballast.messages).toBe(0);
    const none = performance.now();
    new Ballast({ staticMb: 0, grow: true }).beforeBroadcast();
    expect(performance.now() - none).toBeLessThan(0.2);
  });
});

describe('the ballast keeps what it makes', () => {
  const MESSAGES = 20_000;

  /** Bytes the heap keeps per message once the ballast saw MESSAGES, the texts made as the socket's parser makes them. */
  function keptPerMessage(spec: { staticMb: number; grow: boolean }): { perMessage: number; ballast: Ballast } {
    const before = liveHeap();
    const ballast = new Ballast(spec);
    for (let i = 0; i < MESSAGES; i++) ballast.onMessage(`room-${i % 200}`, SEATS[i % 4] ?? 'us', JSON.parse(`"${'t'.repeat(175)}${i}"`) as string, i + 1, Date.now());
    return { perMessage: (liveHeap() - before) / MESSAGES, ballast };
  }

  it('grow: about what Rubicon keeps a message (586 B), for every message', () => {
    const { perMessage, ballast } = keptPerMessage({ staticMb: 0, grow: true });
    expect(ballast.messages).toBe(MESSAGES);
    expect(perMessage).toBeGreaterThan(450);
    expect(perMessage).toBeLessThan(700);
  });

  it('static: about the MB asked for, made at once; and nothing per message without grow', () => {
    const before = liveHeap();
    const { perMessage, ballast } = keptPerMessage({ staticMb: 8, grow: false });
    const mb = (liveHeap() - before) / 2 ** 20;
    expect(ballast.messages).toBe(Math.round((8 * 2 ** 20) / BYTES_PER_MESSAGE));
    expect(mb).toBeGreaterThan(8 * 0.85);
    expect(mb).toBeLessThan(8 * 1.15);
    // The static ballast is made inside keptPerMessage's window, hence its bytes over MESSAGES; grow off adds nothing on top.
    expect(perMessage * MESSAGES).toBeCloseTo(mb * 2 ** 20, -6);
  });
});
