import type { WireMessage, SyncData, UpdatePayload, WireView } from '@rubicon/shared';
import { mergeMessages } from '@rubicon/shared/wire-messages';

/**
 * The client's picture of a session and how server pushes change it. Pure, so
 * the gap and duplicate rules can be tested without a socket. Updates are
 * numbered in this viewer's own stream (1, 2, 3…; docs/protocol.md):
 *
 * - an update for exactly `version + 1` is applied (its view replaces ours
 *   when present; its messages are merged: new ones appended, a message the
 *   white cell hid or showed again replaces the copy held);
 * - an update at or below our version is ignored;
 * - an update that skips ahead means we missed one: ask for a sync;
 * - updates that arrive before the first snapshot are held and replayed.
 */

export { mergeMessages };

export interface Synced {
  /** The latest version this client holds (may be ahead of `view.version` when an update brought no view). */
  version: number;
  /** As it came (without the scenario's text: connection.ts puts that back). */
  view: WireView;
  /** Every message this viewer may read, numbered 1..n (`seq`). */
  messages: readonly WireMessage[];
}

export type SyncNeed = 'none' | 'since' | 'full';

export interface ReconcileState {
  synced: Synced | null;
  /** Updates received before the first snapshot. */
  buffered: readonly UpdatePayload[];
  /** What the connection should ask the server for next. */
  need: SyncNeed;
}

export type ReconcileEvent =
  | { type: 'snapshot'; data: SyncData }
  | { type: 'update'; payload: UpdatePayload }
  /** A command was refused as stale: the session moved on without us noticing. */
  | { type: 'stale'; version: number }
  /** The sync the state asked for was sent; clears the need so it is not sent twice. */
  | { type: 'syncRequested' };

export const initialReconcileState: ReconcileState = { synced: null, buffered: [], need: 'none' };

function sortedUnique(messages: readonly WireMessage[]): readonly WireMessage[] {
  return mergeMessages([], messages);
}

/** After a snapshot: if we do not hold exactly as many messages as the server says we may read, we need everything again. */
function checkCount(synced: Synced, messageCount: number): SyncNeed {
  return messageCount !== synced.messages.length ? 'full' : 'none';
}

function applyUpdate(synced: Synced, payload: UpdatePayload): { synced: Synced; need: SyncNeed } {
  if (payload.version <= synced.version) return { synced, need: 'none' };
  if (payload.version > synced.version + 1) return { synced, need: 'since' };
  const next: Synced = {
    version: payload.version,
    view: payload.view ?? synced.view,
    messages: mergeMessages(synced.messages, payload.messages),
  };
  return { synced: next, need: 'none' };
}

function strongest(a: SyncNeed, b: SyncNeed): SyncNeed {
  if (a === 'full' || b === 'full') return 'full';
  if (a === 'since' || b === 'since') return 'since';
  return 'none';
}

export function reconcile(state: ReconcileState, event: ReconcileEvent): ReconcileState {
  switch (event.type) {
    case 'snapshot': {
      const { data } = event;
      const prev = state.synced;
      // A snapshot older than what we hold (a slow sync racing a newer update) changes nothing.
      if (prev && data.version < prev.version) return { ...state, need: 'none' };
      let synced: Synced = {
        version: data.version,
        view: data.view,
        messages: data.full || !prev ? sortedUnique(data.messages) : mergeMessages(prev.messages, data.messages),
      };
      let need = checkCount(synced, data.messageCount);
      for (const payload of state.buffered) {
        const r = applyUpdate(synced, payload);
        synced = r.synced;
        need = strongest(need, r.need);
      }
      return { synced, buffered: [], need };
    }
    case 'update': {
      if (!state.synced) return { ...state, buffered: [...state.buffered, event.payload] };
      const r = applyUpdate(state.synced, event.payload);
      if (r.synced === state.synced && r.need === 'none') return state;
      return { ...state, synced: r.synced, need: strongest(state.need, r.need) };
    }
    case 'stale': {
      if (!state.synced || event.version <= state.synced.version) return state;
      return { ...state, need: strongest(state.need, 'since') };
    }
    case 'syncRequested':
      return state.need === 'none' ? state : { ...state, need: 'none' };
  }
}

/** What to tell the server we hold when asking for a sync of the given kind (nothing, for everything again). */
export function heldFor(state: ReconcileState, need: SyncNeed): { sinceVersion: number; messagesHeld?: number } {
  if (need === 'full' || !state.synced) return { sinceVersion: 0 };
  return { sinceVersion: state.synced.version, messagesHeld: state.synced.messages.length };
}
