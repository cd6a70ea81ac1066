import { messageChangedAt, messagesFor, viewFor, type Actor, type SyncData, type Viewer } from '@rubicon/shared';
import type { LoadedSession } from './session-cache.ts';

/** Who sees what an actor sees: the system clock acts with the facilitator's eyes. */
export function viewerOf(actor: Actor): Viewer {
  if (actor.kind === 'seat') return { kind: 'seat', seat: actor.seat };
  return actor.kind === 'system' ? { kind: 'facilitator' } : actor;
}

/** A full view and the messages a client lacks; everything when it holds nothing or something we never had. */
export function syncData(session: LoadedSession, viewer: Viewer, sinceVersion: number | undefined): SyncData {
  const { game, state } = session;
  const full = sinceVersion === undefined || sinceVersion === 0 || sinceVersion > state.version;
  const all = messagesFor(game, state, viewer);
  return {
    version: state.version,
    view: viewFor(game, state, viewer),
    messages: full ? all : all.filter((m) => messageChangedAt(m) > sinceVersion),
    full,
    messageCount: all.length,
  };
}
