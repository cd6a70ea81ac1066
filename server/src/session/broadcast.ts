import { wireMessageFor, wireMessageKey, type UpdatePayload } from '@rubicon/shared';
import { viewerRooms } from './rooms.ts';
import type { AppliedEvent } from './session-service.ts';
import { wireViewFor } from './sync-data.ts';
import type { ViewerStreams } from './viewer-streams.ts';

export interface RoomUpdate {
  room: string;
  payload: UpdatePayload;
}

/**
 * The `update` each role room gets for one applied event: only rooms it
 * shows something get one, numbered in that role's own stream
 * (viewer-stream.ts), so no room learns that an event it cannot see
 * happened, nor when. A game command brings every room its view; a message
 * brings its readers the message alone. `wanted` lets the caller skip the
 * work for rooms nobody is in (their streams still move on). Rooms whose
 * update is the same share one payload object.
 */
export function updatesFor(event: AppliedEvent, streams: ViewerStreams, wanted: (room: string) => boolean = () => true): RoomUpdate[] {
  const { sessionId, game, entry, before, after } = event;
  const updates: RoomUpdate[] = [];
  // A new message's update, by what it depends on: viewers whose streams stand alike get the same object (built once).
  const alike = new Map<string, UpdatePayload>();
  for (const { viewer, room } of viewerRooms(sessionId, game, after.turn.context.options.seatsInPlay)) {
    const { step, position } = streams.follow(game, before, after, entry, viewer);
    if (step.kind === 'none' || !wanted(room)) continue;
    const { version } = position;
    if (step.kind === 'view') {
      updates.push({ room, payload: { version, view: wireViewFor(game, after, viewer, version), messages: [] } });
      continue;
    }
    const n = step.kind === 'message' ? position.messages : undefined;
    const copy = n === undefined ? null : wireMessageKey(viewer, step.message, n);
    const key = copy === null ? null : `${version}:${copy}`;
    let payload = key === null ? undefined : alike.get(key);
    if (!payload) {
      payload = { version, messages: [wireMessageFor(game, after, viewer, step.message, n)] };
      if (key !== null) alike.set(key, payload);
    }
    updates.push({ room, payload });
  }
  return updates;
}
