import { messageAsSeenBy, messagesFor, messageVisibleTo, viewFor, type Message, type UpdatePayload, type Viewer } from '@rubicon/shared';
import { roomFor, viewersOf } from './rooms.ts';
import type { AppliedEvent } from './session-service.ts';

export interface RoomUpdate {
  room: string;
  payload: UpdatePayload;
}

/**
 * The `update` each role room gets for one applied event. Every room gets one
 * (so a gap in versions always means something was missed); the view only
 * when something it shows changed, and only the messages that role may read.
 * `wanted` lets the caller skip the work for rooms nobody is in.
 */
export function updatesFor(event: AppliedEvent, wanted: (room: string) => boolean = () => true): RoomUpdate[] {
  const { sessionId, game, entry, before, after } = event;
  // Only what this event added: looking through the whole list per room made every message cost O(N).
  // Moderation changes an old message instead; it is rare, so it may look through them all.
  const added = after.messages.length > before.messages.length ? after.messages.slice(before.messages.length) : [];
  const channelOf = (id: string) => game.scenario.channels.find((c) => c.id === id);
  const messagesOf = (viewer: Viewer): Message[] =>
    entry.command.type === 'HIDE_MESSAGE'
      ? messagesFor(game, after, viewer, entry.seq - 1)
      : added.filter((m) => messageVisibleTo(viewer, m, channelOf(m.channel))).map((m) => messageAsSeenBy(viewer, m));
  const updates: RoomUpdate[] = [];
  for (const viewer of viewersOf(after.turn.context.options.seatsInPlay)) {
    const room = roomFor(sessionId, viewer);
    if (!wanted(room)) continue;
    const messages = messagesOf(viewer);
    // A message leaves the turn and the scores, and so every view, untouched: its readers get the message alone.
    if (after.turn === before.turn && after.scores === before.scores) {
      updates.push({ room, payload: { version: after.version, messages } });
      continue;
    }
    const next = viewFor(game, after, viewer);
    const changed = JSON.stringify(viewFor(game, before, viewer)) !== JSON.stringify({ ...next, version: before.version });
    updates.push({ room, payload: changed ? { version: after.version, view: next, messages } : { version: after.version, messages } });
  }
  return updates;
}
