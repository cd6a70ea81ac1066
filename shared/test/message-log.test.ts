import { describe, expect, it } from 'vitest';
import { MessageLog } from '../src/game/message-log.ts';
import type { Message } from '../src/game/channel-policy.ts';
import type { Actor, Command } from '../src/game/commands.ts';
import { mini } from './fixtures/mini-scenario.ts';
import { facilitator, inFirstPlanning, seat, T0 } from './driver.ts';

const msg = (n: number): Message => ({ id: `m${n}`, seq: n, at: n, channel: 'public', from: 'red', text: `t${n}`, audience: ['red'], to: null, relayOf: null });

describe('MessageLog', () => {
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

  it('counts a sender\'s recent messages as a scan of the messages would, across forks and replacements', () => {
    // The statement cap's old scan over the messages themselves: the reference.
    const scan = (log: MessageLog, channel: string, from: string | null, since: number, cap: number) => {
      let count = 0;
      let oldest: number | undefined;
      for (let i = log.length - 1; i >= 0 && count < cap; i--) {
        const m = log.at(i)!;
        if (m.at <= since) break;
        if (m.channel === channel && m.from === from) {
          count++;
          oldest = m.at;
        }
      }
      return { count, oldest };
    };
    // A fixed pseudo-random walk (no Math.random: the same logs every run), times mostly rising but not always.
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648), seed % n);
    const senders = ['red', 'blue', null] as const;
    const channels = ['public', 'team'] as const;
    let at = 0;
    const make = (n: number): Message => {
      at += next(10) - 1;
      return { ...msg(n), at, channel: channels[next(2)]!, from: senders[next(3)]! };
    };
    const logs = [MessageLog.empty];
    for (let n = 1; n <= 300; n++) {
      // Extend a recent log (the head, or an older one: a fork), and now and then replace a message.
      const base = logs[logs.length - 1 - next(Math.min(3, logs.length))]!;
      let log = base.append(make(n));
      if (next(10) === 0 && log.length > 1) {
        const target = log.at(next(log.length))!;
        log = log.replace(target.id, { ...target, text: 'hidden' });
      }
      logs.push(log);
      for (const l of [log, base]) {
        const since = at - next(40);
        const cap = 1 + next(8);
        for (const channel of channels)
          for (const from of senders) expect(l.senderCount(channel, from, since, cap)).toEqual(scan(l, channel, from, since, cap));
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
});

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
    // Each message kept a list of its own, 184 B of what it left alive for good (docs/performance.md, 5 December).
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
