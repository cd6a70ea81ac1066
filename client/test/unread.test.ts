import { describe, expect, it } from 'vitest';
import type { Message } from '@rubicon/shared';
import { groupByChannel, markSeen, parseReadState, serializeReadState, unreadCount, unreadCounts, type ReadState } from '../src/net/unread.ts';

function msg(seq: number, channel: string, from: string | null = 'israel'): Message {
  return { id: `m${seq}`, seq, at: seq, channel, from, text: 't', audience: [], to: null, relayOf: null };
}

/** The viewer the counts are for. */
const me = { self: 'iran' };

describe('unread counts', () => {
  it('counts messages by others not yet seen, per channel', () => {
    const messages = [msg(1, 'public'), msg(2, 'public', 'iran'), msg(3, 'oman'), msg(4, 'public')];
    const by = groupByChannel(messages);
    expect(unreadCounts({}, by, ['public', 'oman', 'team'], me)).toEqual({ public: 2, oman: 1, team: 0 });
  });

  it('opening a channel marks what is in it as seen; later messages are unread again', () => {
    let read: ReadState = {};
    let messages = [msg(1, 'public'), msg(2, 'public')];
    read = markSeen(read, 'public', groupByChannel(messages).get('public'));
    expect(unreadCount(read, groupByChannel(messages).get('public'), me)).toBe(0);
    messages = [...messages, msg(3, 'public')];
    expect(unreadCount(read, groupByChannel(messages).get('public'), me)).toBe(1);
  });

  it('counts a late message (lower seq than ones seen) as unread', () => {
    const seenFirst = [msg(1, 'public'), msg(5, 'public')];
    const read = markSeen({}, 'public', seenFirst);
    const afterGap = [msg(1, 'public'), msg(3, 'public'), msg(5, 'public')];
    expect(unreadCount(read, afterGap, me)).toBe(1);
  });

  it('the white cell does not count its own messages', () => {
    expect(unreadCount({}, [msg(1, 'public', null), msg(2, 'public')], { self: null })).toBe(1);
  });

  it('markSeen returns the same state when nothing is new', () => {
    const list = [msg(1, 'public')];
    const read = markSeen({}, 'public', list);
    expect(markSeen(read, 'public', list)).toBe(read);
    expect(markSeen(read, 'public', undefined)).toBe(read);
  });

  it('survives storage as runs and stays exact', () => {
    const read = markSeen(markSeen({}, 'public', [msg(1, 'public'), msg(2, 'public'), msg(3, 'public'), msg(7, 'public')]), 'oman', [msg(5, 'oman')]);
    const text = serializeReadState(read);
    expect(JSON.parse(text)).toEqual({ public: [[1, 3], [7, 7]], oman: [[5, 5]] });
    const back = parseReadState(text);
    expect([...(back.public ?? [])].sort((a, b) => a - b)).toEqual([1, 2, 3, 7]);
    expect(parseReadState('not json')).toEqual({});
    expect(parseReadState(null)).toEqual({});
  });

  it('stays exact and fast with 2,000 messages across channels', () => {
    const channels = ['public', 'oman', 'team', 'us'];
    const messages = Array.from({ length: 2000 }, (_, i) => msg(i + 1, channels[i % 4]!, i % 10 === 0 ? 'iran' : 'israel'));
    const t0 = performance.now();
    const by = groupByChannel(messages);
    let read: ReadState = {};
    read = markSeen(read, 'oman', by.get('oman')?.slice(0, 100));
    const counts = unreadCounts(read, by, channels, me);
    expect(performance.now() - t0).toBeLessThan(200);
    const expected = (c: string) => messages.filter((m) => m.channel === c && m.from !== 'iran').length;
    expect(counts.public).toBe(expected('public'));
    const omanMine = messages.filter((m) => m.channel === 'oman').slice(100).filter((m) => m.from !== 'iran').length;
    expect(counts.oman).toBe(omanMine);
  });
});
