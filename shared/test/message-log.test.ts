import { describe, expect, it } from 'vitest';
import { MessageLog } from '../src/game/message-log.ts';
import type { Message } from '../src/game/channel-policy.ts';
import type { Actor, Command } from '../src/game/commands.ts';
import { mini } from './fixtures/mini-scenario.ts';
import { facilitator, inFirstPlanning, seat, T0 } from './driver.ts';

const msg = (n: number): Message => ({ id: `m${n}`, seq: n, at: n, channel: 'public', from: 'red', text: `t${n}`, audience: ['red'], to: null, relayOf: null });

const CHANNELS = ['public', 'team', 'red-blue'] as const;
const SENDERS = ['red', 'blue', 'grey', null] as const;
// The cap's edges as well as its values: none, one, fractional (the scan counted while below it), none at all.
const CAPS = [0, -1, 1, 2, 3, 5, 2.5, 600, Infinity, NaN] as const;

/** The statement cap's scan before its index, over the plain messages: the reference. */
function scan(xs: readonly Message[], channel: string, from: string | null, since: number, cap: number) {
  let count = 0;
  let oldest: number | undefined;
  for (let i = xs.length - 1; i >= 0 && count < cap; i--) {
    const m = xs[i]!;
    if (m.at <= since) break;
    if (m.channel === channel && m.from === from) {
      count++;
      oldest = m.at;
    }
  }
  return { count, oldest };
}

/** mulberry32: the same logs every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('MessageLog', () => {
  forkCases();
  countAndCostCases();
});

/** Older logs unchanged by newer ones, forks, and finding a message on either side of one. */
function forkCases(): void {
  it('keeps older logs unchanged when a newer one is extended', () => {
    const a = MessageLog.from([msg(1), msg(2)]);
    const b = a.append(msg(3));
    const c = b.append(msg(4));
    expect([...a].map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(b.toArray().map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect(c.length).toBe(4);
    expect(a.byId('m3')).toBeUndefined();
    expect(c.byId('m3')?.text).toBe('t3');
    expect(a.at(-1)?.id).toBe('m2');
  });

  it('forks when an older log is extended differently, leaving both branches intact', () => {
    const a = MessageLog.from([msg(1)]);
    const b = a.append(msg(2));
    const fork = a.append({ ...msg(2), id: 'x2', text: 'other' });
    expect(b.toArray().map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(fork.toArray().map((m) => m.id)).toEqual(['m1', 'x2']);
    expect(fork.byId('m2')).toBeUndefined();
    expect(b.byId('x2')).toBeUndefined();
    // Both branches go on growing independently.
    expect(b.append(msg(3)).length).toBe(3);
    expect(fork.append(msg(3)).toArray().map((m) => m.id)).toEqual(['m1', 'x2', 'm3']);
    expect(JSON.stringify(b)).toBe(JSON.stringify([msg(1), msg(2)]));
  });

  it('finds a message by id on either side of a fork, whatever its id looks like', () => {
    const a = MessageLog.from([msg(1), msg(2), msg(3)]);
    const b = a.append(msg(4)).append(msg(5));
    const fork = a.append({ ...msg(4), id: 'x4' }).append(msg(6));
    expect(b.byId('m5')?.seq).toBe(5);
    expect(b.byId('x4')).toBeUndefined();
    expect(fork.byId('x4')?.seq).toBe(4);
    expect(fork.byId('m4')).toBeUndefined();
    expect(fork.byId('m5')).toBeUndefined();
    expect(fork.byId('m6')?.seq).toBe(6);
    expect(a.byId('m4')).toBeUndefined();
    // Out of seq order (never made by the engine): still found, by a scan.
    const odd = MessageLog.from([msg(3), msg(1), msg(2)]);
    expect([1, 2, 3].map((n) => odd.byId(`m${n}`)?.seq)).toEqual([1, 2, 3]);
    expect(odd.byId('m4')).toBeUndefined();
    // A replaced message is found under its id, in the new log only.
    const hidden = b.replace('m2', { ...msg(2), text: 'hidden' });
    expect(hidden.byId('m2')?.text).toBe('hidden');
    expect(b.byId('m2')?.text).toBe('t2');
  });
}

/** Counting a sender's recent messages, and the cost of an append. */
function countAndCostCases(): void {
  it('counts a sender\'s recent messages as a scan of the messages would, across forks, replacements, imports and times that step back', () => {
    // Each seed: a pool of logs grown by every way a MessageLog is made, each beside the plain array it must hold.
    for (let seed = 1; seed <= 60; seed++) {
      const rnd = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
      // Some seeds step back often (an imported log, two processes' clocks), some never.
      const backwards = pick([0, 0, 0.05, 0.3]);
      let seq = 0;
      const make = (after: number): Message => {
        seq++;
        const step = rnd() < backwards ? -Math.floor(rnd() * 30_000) : pick([0, 0, 1, 7, 250, 1_000, 20_000]);
        return { ...msg(seq), at: after + step, channel: pick(CHANNELS), from: pick(SENDERS) };
      };
      const lastAt = (xs: readonly Message[]) => xs.at(-1)?.at ?? 1_000_000;
      const pool: { log: MessageLog; xs: Message[] }[] = [{ log: MessageLog.empty, xs: [] }];
      for (let op = 0; op < 120; op++) {
        // Mostly the newest log (the shared arrays), else an older one (a fork).
        const base = rnd() < 0.6 ? pool[pool.length - 1]! : pick(pool);
        const roll = rnd();
        let next: { log: MessageLog; xs: Message[] };
        if (roll < 0.7) {
          const m = make(lastAt(base.xs));
          next = { log: base.log.append(m), xs: [...base.xs, m] };
        } else if (roll < 0.8 && base.xs.length > 0) {
          // Moderation changes only the text's visibility; a replace must keep any change straight.
          const target = pick(base.xs);
          const changed = { ...target, text: 'hidden', ...(rnd() < 0.5 ? { channel: pick(CHANNELS), from: pick(SENDERS) } : {}), ...(rnd() < 0.3 ? { at: target.at + pick([-5_000, -1, 0, 1, 60_000]) } : {}) };
          next = { log: base.log.replace(target.id, changed), xs: base.xs.map((x) => (x.id === target.id ? changed : x)) };
        } else if (roll < 0.9) {
          const more = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => make(lastAt(base.xs)));
          next = { log: base.log.appendAll(more), xs: [...base.xs, ...more] };
        } else {
          const xs = rnd() < 0.5 ? base.xs.slice(0, Math.floor(rnd() * (base.xs.length + 1))) : [...base.xs];
          next = { log: MessageLog.from(xs), xs };
        }
        pool.push(next);
        // The new log, and another that newer appends may have pushed past its end.
        for (const { log, xs } of [next, pick(pool)]) {
          expect(log.toArray()).toEqual(xs);
          const times = xs.map((x) => x.at);
          for (let q = 0; q < 6; q++) {
            const since = pick([...times, ...times.map((t) => t - 1), -Infinity, Infinity, lastAt(xs) - 60_000, lastAt(xs) - 1_000]);
            const [channel, from, cap] = [pick([...CHANNELS, 'nowhere']), pick([...SENDERS, 'nobody']), pick(CAPS)];
            expect([channel, from, since, cap, log.senderCount(channel, from, since, cap)]).toEqual([channel, from, since, cap, scan(xs, channel, from, since, cap)]);
          }
        }
      }
    }
  });

  it('appends in constant time: 50,000 messages take well under a second', () => {
    // Not a benchmark (that is `npm run bench`): a quadratic copy would take minutes here.
    let log = MessageLog.empty;
    for (let i = 1; i <= 50_000; i++) log = log.append(msg(i));
    expect(log.length).toBe(50_000);
    expect(log.byId('m25000')?.seq).toBe(25_000);
  });
}

describe('a sent message (applyEntry)', () => {
  it('has the same fields in the same order whether or not it carries a name or is a note to the white cell', () => {
    const d = inFirstPlanning(mini);
    const sent = (by: Actor, command: Command): Message => {
      const r = d.send(by, command);
      if (!r.ok || !r.message) throw new Error(r.ok ? 'no message' : r.refusal.message);
      return r.message;
    };
    const plain = sent(seat('red'), { type: 'SEND_MESSAGE', channel: 'public', text: 'a' });
    const named = sent({ kind: 'seat', seat: 'red', name: 'Ali' }, { type: 'SEND_MESSAGE', channel: 'public', text: 'b' });
    const note = sent({ kind: 'seat', seat: 'red', name: 'Ali' }, { type: 'SEND_MESSAGE', channel: 'team-red', text: 'c', toWhiteCell: true });
    const fromWhiteCell = sent(facilitator, { type: 'SEND_MESSAGE', channel: 'red-blue', text: 'd' });
    // Export files and snapshots write a message's keys in this order.
    expect(Object.keys(plain)).toEqual(['id', 'seq', 'at', 'channel', 'from', 'text', 'audience', 'to', 'relayOf', 'gameVersion']);
    expect(Object.keys(named)).toEqual(['id', 'seq', 'at', 'channel', 'from', 'fromName', 'text', 'audience', 'to', 'relayOf', 'gameVersion']);
    expect(Object.keys(note)).toEqual(['id', 'seq', 'at', 'channel', 'from', 'fromName', 'text', 'audience', 'to', 'relayOf', 'toWhiteCell', 'gameVersion']);
    expect(plain).toEqual({ id: `m${plain.seq}`, seq: plain.seq, at: T0, channel: 'public', from: 'red', text: 'a', audience: ['red', 'blue', 'grey'], to: null, relayOf: null, gameVersion: plain.gameVersion });
    expect(named.fromName).toBe('Ali');
    expect(note).toMatchObject({ toWhiteCell: true, audience: [] });
    expect(fromWhiteCell).toMatchObject({ from: null, audience: ['red', 'blue'] });
    expect('fromName' in fromWhiteCell).toBe(false);
  });
});

describe('a message\'s audience', () => {
  const sendAll = (d: ReturnType<typeof inFirstPlanning>, count: number, channel = 'public'): Message[] => {
    const out: Message[] = [];
    for (let i = 0; i < count; i++) {
      const r = d.send(seat(i % 2 === 0 ? 'red' : 'blue'), { type: 'SEND_MESSAGE', channel, text: `t${i}` });
      if (!r.ok || !r.message) throw new Error(r.ok ? 'no message' : r.refusal.message);
      out.push(r.message);
    }
    return out;
  };

  it('is one frozen list per session\'s seats and channel, kept by every message sent to all the channel\'s members', () => {
    // Each message kept a list of its own, 184 B of what it left alive for good (docs/performance/fan-out-log.md,
    // "What a public message keeps alive").
    const without = inFirstPlanning(mini, { seed: 3 });
    const withGreen = inFirstPlanning(mini, { seed: 3, optionalSeats: ['green'] });
    const a = sendAll(without, 4);
    const b = sendAll(withGreen, 4);
    const other = sendAll(inFirstPlanning(mini, { seed: 4 }), 2);
    expect(a.map((m) => m.audience)).toEqual(Array.from({ length: 4 }, () => ['red', 'blue', 'grey']));
    expect(b.map((m) => m.audience)).toEqual(Array.from({ length: 4 }, () => ['red', 'blue', 'grey', 'green']));
    for (const m of a) expect(m.audience).toBe(a[0]?.audience);
    for (const m of b) expect(m.audience).toBe(b[0]?.audience);
    expect(Object.isFrozen(a[0]?.audience)).toBe(true);
    // Another session's seats are another array, though the same seats: never one session's list in another's messages.
    expect(other[0]?.audience).toEqual(a[0]?.audience);
    expect(other[0]?.audience).not.toBe(a[0]?.audience);
    // Another channel, another list; its own members.
    const bilateral = sendAll(without, 2, 'red-blue');
    expect(bilateral[0]?.audience).toEqual(['red', 'blue']);
    expect(bilateral[1]?.audience).toBe(bilateral[0]?.audience);
  });

  it('survives a replay and a snapshot as the same lists of seats', () => {
    const d = inFirstPlanning(mini, { seed: 3 });
    sendAll(d, 3);
    const json = JSON.parse(JSON.stringify(d.state.messages)) as Message[];
    expect(json.map((m) => m.audience)).toEqual(Array.from({ length: 3 }, () => ['red', 'blue', 'grey']));
  });
});
