import { describe, expect, it } from 'vitest';
import type { WireMessage, SyncData, UpdatePayload, WireView } from '@rubicon/shared';
import { heldFor, initialReconcileState, mergeMessages, reconcile, type ReconcileState } from '../src/net/reconcile.ts';

function view(version: number): WireView {
  return { version, scenario: { id: 's', version: 1, digest: 'd', inPlay: [], injects: [] } } as unknown as WireView;
}

/** The n-th message this viewer may read, numbered as the server numbers it for this viewer. */
function msg(n: number, channel = 'public'): WireMessage {
  return { id: `n${n}`, seq: n, at: n * 1000, channel, from: 'iran', text: `message ${n}` };
}

function snapshot(version: number, messages: WireMessage[], full = true, messageCount = messages.length): SyncData {
  return { version, view: view(version), messages, full, messageCount };
}

function start(version: number, messages: WireMessage[] = []): ReconcileState {
  return reconcile(initialReconcileState, { type: 'snapshot', data: snapshot(version, messages) });
}

const update = (version: number, messages: WireMessage[] = [], withView = true): UpdatePayload => ({
  version,
  messages,
  ...(withView ? { view: view(version) } : {}),
});

describe('reconcile', () => {
  updateCases();
  syncCases();
});

/** Updates in order, out of order and skipped ahead; a sync reply merged. */
function updateCases(): void {
  it('applies the next version and replaces the view', () => {
    const s = reconcile(start(3), { type: 'update', payload: update(4) });
    expect(s.synced?.version).toBe(4);
    expect(s.synced?.view.version).toBe(4);
    expect(s.need).toBe('none');
  });

  it('keeps the view when an update carries only a message, but advances the version', () => {
    const s0 = start(3);
    const s = reconcile(s0, { type: 'update', payload: update(4, [msg(1)], false) });
    expect(s.synced?.version).toBe(4);
    expect(s.synced?.view).toBe(s0.synced?.view);
    expect(s.synced?.messages.map((m) => m.id)).toEqual(['n1']);
  });

  it('ignores updates at or below the version held', () => {
    const s0 = start(5);
    expect(reconcile(s0, { type: 'update', payload: update(5) })).toBe(s0);
    expect(reconcile(s0, { type: 'update', payload: update(2) })).toBe(s0);
  });

  it('asks for a sync when an update skips ahead, naming what it holds, and does not apply it', () => {
    const s = reconcile(start(5, [msg(1), msg(2)]), { type: 'update', payload: update(7, [msg(4)], false) });
    expect(s.synced?.version).toBe(5);
    expect(s.synced?.messages).toHaveLength(2);
    expect(s.need).toBe('since');
    expect(heldFor(s, s.need)).toEqual({ sinceVersion: 5, messagesHeld: 2 });
    const cleared = reconcile(s, { type: 'syncRequested' });
    expect(cleared.need).toBe('none');
  });

  it('merges a sync reply: the messages after those held, in order', () => {
    const s0 = start(2, [msg(1), msg(2)]);
    const gap = reconcile(s0, { type: 'update', payload: update(5, [msg(4)], false) });
    const s = reconcile(gap, { type: 'snapshot', data: snapshot(5, [msg(3), msg(4)], false, 4) });
    expect(s.synced?.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(s.synced?.version).toBe(5);
    expect(s.need).toBe('none');
  });
}

/** Full syncs, updates before the first snapshot, message counts that disagree, old snapshots and stale refusals. */
function syncCases(): void {
  it('replaces messages when a sync is full', () => {
    const s0 = start(2, [msg(1), msg(2)]);
    const s = reconcile(s0, { type: 'snapshot', data: snapshot(4, [msg(1), msg(2), msg(3)], true) });
    expect(s.synced?.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('holds updates that arrive before the first snapshot and replays them after it', () => {
    let s = reconcile(initialReconcileState, { type: 'update', payload: update(4, [msg(2)], false) });
    s = reconcile(s, { type: 'update', payload: update(3, [], true) });
    expect(s.synced).toBeNull();
    s = reconcile(s, { type: 'snapshot', data: snapshot(3, [msg(1)]) });
    expect(s.synced?.version).toBe(4);
    expect(s.synced?.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(s.buffered).toEqual([]);
    expect(s.need).toBe('none');
  });

  it('asks for everything when it holds fewer messages than the server counts', () => {
    const s = reconcile(start(3, [msg(1)]), { type: 'snapshot', data: snapshot(5, [msg(3)], false, 4) });
    expect(s.need).toBe('full');
    expect(heldFor(s, 'full')).toEqual({ sinceVersion: 0 });
  });

  it('asks for everything when it holds more messages than the server counts', () => {
    const s = reconcile(start(3, [msg(1), msg(2), msg(3)]), { type: 'snapshot', data: snapshot(5, [], false, 2) });
    expect(s.need).toBe('full');
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
}

describe('mergeMessages', () => {
  it('returns the same array when nothing is new or changed', () => {
    const a = [msg(1), msg(2)];
    expect(mergeMessages(a, [])).toBe(a);
    expect(mergeMessages(a, [msg(2)])).toBe(a);
  });

  it('dedupes within one batch and appends in order', () => {
    const merged = mergeMessages([msg(1), msg(2)], [msg(4), msg(3), msg(3), msg(5)]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps thousands of messages merged in batches whole and in order', () => {
    const many = Array.from({ length: 2000 }, (_, i) => msg(i + 1, i % 2 ? 'public' : 'team-iran'));
    let cur: readonly WireMessage[] = [];
    for (let i = 0; i < many.length; i += 50) cur = mergeMessages(cur, many.slice(i, i + 50));
    expect(cur.map((m) => m.seq)).toEqual(many.map((m) => m.seq));
  });
});

describe('moderated messages', () => {
  it('replaces a held message with the copy the white cell hid, keeping its place', () => {
    const held = [msg(1), msg(2), msg(3)];
    const hidden: WireMessage = { ...msg(2), text: '', hidden: 'everyone' };
    const s = reconcile(start(6, held), { type: 'update', payload: update(7, [hidden], false) });
    expect(s.synced?.messages.map((m) => m.text)).toEqual(['message 1', '', 'message 3']);
    expect(s.synced?.messages[1]?.hidden).toBe('everyone');
    // A sync sends moderated messages again: an unchanged copy changes nothing.
    expect(mergeMessages(s.synced!.messages, [hidden])).toBe(s.synced!.messages);
    // Shown again: the new copy (with its text) replaces the hidden one.
    const shown = reconcile(s, { type: 'update', payload: update(8, [msg(2)], false) });
    expect(shown.synced?.messages[1]).toEqual(msg(2));
  });
});
