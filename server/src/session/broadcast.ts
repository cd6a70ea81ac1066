import { wireMessageFor, type UpdatePayload } from '@rubicon/shared';
import { roomFor, viewersOf } from './rooms.ts';
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
 * work for rooms nobody is in (their streams still move on).
 */
export function updatesFor(event: AppliedEvent, streams: ViewerStreams, wanted: (room: string) => boolean = () => true): RoomUpdate[] {
  const { sessionId, game, entry, before, after } = event;
  const updates: RoomUpdate[] = [];
  for (const viewer of viewersOf(after.turn.context.options.seatsInPlay)) {
    const { step, position } = streams.follow(game, before, after, entry, viewer);
    if (step.kind === 'none') continue;
    const room = roomFor(sessionId, viewer);
    if (!wanted(room)) continue;
    const { version } = position;
    const payload: UpdatePayload =
      step.kind === 'view'
        ? { version, view: wireViewFor(game, after, viewer, version), messages: [] }
        : { version, messages: [wireMessageFor(game, after, viewer, step.message, step.kind === 'message' ? position.messages : undefined)] };
    updates.push({ room, payload });
  }
  return updates;
}
