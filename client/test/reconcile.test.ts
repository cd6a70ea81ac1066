import { describe, expect, it } from 'vitest';
import type { GameView, Message, SyncData, UpdatePayload } from '@rubicon/shared';
import { initialReconcileState, mergeMessages, reconcile, sinceVersionFor, type ReconcileState } from '../src/net/reconcile.ts';

function view(version: number): GameView {
  return { version } as unknown as GameView;
}

function msg(seq: number, channel = 'public'): Message {
  return { id: `m${seq}`, seq, at: seq * 1000, channel, from: 'iran', text: `message ${seq}`, audience: ['iran'], to: null, relayOf: null };
}

function snapshot(version: number, messages: Message[], full = true, messageCount = messages.length): SyncData {
  return { version, view: view(version), messages, full, messageCount };
}

function start(version: number, messages: Message[] = []): ReconcileState {
  return reconcile(initialReconcileState, { type: 'snapshot', data: snapshot(version, messages) });
}

const update = (version: number, messages: Message[] = [], withView = true): UpdatePayload => ({
  version,
  messages,
  ...(withView ? { view: view(version) } : {}),
});

describe('reconcile', () => {
  it('applies the next version and replaces the view', () => {
    const s = reconcile(start(3), { type: 'update', payload: update(4) });
    expect(s.synced?.version).toBe(4);
    expect(s.synced?.view.version).toBe(4);
    expect(s.need).toBe('none');
  });

  it('keeps the view when an update carries none, but advances the version', () => {
    const s0 = start(3);
    const s = reconcile(s0, { type: 'update', payload: update(4, [], false) });
    expect(s.synced?.version).toBe(4);
    expect(s.synced?.view).toBe(s0.synced?.view);
  });

  it('ignores updates at or below the version held', () => {
    const s0 = start(5);
    expect(reconcile(s0, { type: 'update', payload: update(5) })).toBe(s0);
    expect(reconcile(s0, { type: 'update', payload: update(2) })).toBe(s0);
  });

  it('asks for a sync when an update skips ahead, and does not apply it', () => {
    const s = reconcile(start(5), { type: 'update', payload: update(7) });
    expect(s.synced?.version).toBe(5);
    expect(s.need).toBe('since');
    expect(sinceVersionFor(s, s.need)).toBe(5);
    const cleared = reconcile(s, { type: 'syncRequested' });
    expect(cleared.need).toBe('none');
  });

  it('merges a sync reply and keeps messages in order without duplicates', () => {
    const s0 = start(2, [msg(1), msg(2)]);
    const gap = reconcile(s0, { type: 'update', payload: update(5, [msg(5)]) });
    const s = reconcile(gap, { type: 'snapshot', data: snapshot(5, [msg(2), msg(3), msg(5)], false) });
    expect(s.synced?.messages.map((m) => m.seq)).toEqual([1, 2, 3, 5]);
    expect(s.synced?.version).toBe(5);
  });

  it('replaces messages when a sync is full', () => {
    const s0 = start(2, [msg(1), msg(2)]);
    const s = reconcile(s0, { type: 'snapshot', data: snapshot(4, [msg(3), msg(4)], true) });
    expect(s.synced?.messages.map((m) => m.seq)).toEqual([3, 4]);
  });

  it('holds updates that arrive before the first snapshot and replays them after it', () => {
    let s = reconcile(initialReconcileState, { type: 'update', payload: update(4, [msg(4)], true) });
    s = reconcile(s, { type: 'update', payload: update(3, [], false) });
    expect(s.synced).toBeNull();
    s = reconcile(s, { type: 'snapshot', data: snapshot(3, [msg(1)]) });
    expect(s.synced?.version).toBe(4);
    expect(s.synced?.messages.map((m) => m.seq)).toEqual([1, 4]);
    expect(s.buffered).toEqual([]);
    expect(s.need).toBe('none');
  });

  it('asks for everything when a sync says messages are missing', () => {
    const s = reconcile(start(3, [msg(1)]), { type: 'snapshot', data: snapshot(5, [msg(5)], false, 4) });
    expect(s.need).toBe('full');
    expect(sinceVersionFor(s, 'full')).toBe(0);
  });

  it('ignores a snapshot older than what it holds', () => {
    const s0 = reconcile(start(3), { type: 'update', payload: update(4) });
    const s = reconcile(s0, { type: 'snapshot', data: snapshot(2, []) });
    expect(s.synced?.version).toBe(4);
  });

  it('marks a stale refusal from a newer version as a need to sync', () => {
    const s0 = start(3);
    expect(reconcile(s0, { type: 'stale', version: 3 })).toBe(s0);
    expect(reconcile(s0, { type: 'stale', version: 6 }).need).toBe('since');
  });
});

describe('mergeMessages', () => {
  it('returns the same array when nothing is new', () => {
    const a = [msg(1), msg(2)];
    expect(mergeMessages(a, [])).toBe(a);
    expect(mergeMessages(a, [msg(2)])).toBe(a);
  });

  it('dedupes within one batch and sorts late arrivals into place', () => {
    const merged = mergeMessages([msg(1), msg(4)], [msg(3), msg(3), msg(6), msg(2)]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3, 4, 6]);
  });

  it('handles thousands of messages quickly', () => {
    const many = Array.from({ length: 2000 }, (_, i) => msg(i + 1, i % 2 ? 'public' : 'team-iran'));
    const t0 = performance.now();
    let cur: readonly Message[] = [];
    for (let i = 0; i < many.length; i += 50) cur = mergeMessages(cur, many.slice(i, i + 50));
    expect(cur.length).toBe(2000);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe('moderated messages', () => {
  it('replaces a held message with the copy the white cell hid, keeping its place, and ignores an older copy', () => {
    const held = [msg(1), msg(2), msg(3)];
    const hidden: Message = { ...msg(2), text: '', hidden: 'everyone', hiddenAt: 7 };
    const s = reconcile(start(6, held), { type: 'update', payload: update(7, [hidden], false) });
    expect(s.synced?.messages.map((m) => m.text)).toEqual(['message 1', '', 'message 3']);
    expect(s.synced?.messages[1]?.hidden).toBe('everyone');
    expect(mergeMessages(s.synced!.messages, [msg(2)])).toBe(s.synced!.messages);
  });
});
