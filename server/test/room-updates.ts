import { eventUpdates, type RoomUpdate } from '../src/session/broadcast.ts';
import { viewerRooms } from '../src/session/rooms.ts';
import type { AppliedEvent } from '../src/session/session-service.ts';
import type { ViewerStreams } from '../src/session/viewer-streams.ts';

/**
 * An event's updates as a list, one per room that gets one, for tests that look at each room's: eventUpdates'
 * list, or its one payload spread over the session's role rooms (which the server sends to the session's room).
 */
export function updatesFor(event: AppliedEvent, streams: ViewerStreams, wanted?: (room: string) => boolean): RoomUpdate[] {
  const updates = eventUpdates(event, streams, wanted);
  if (Array.isArray(updates)) return updates;
  const payload = updates.payload();
  return viewerRooms(event.sessionId, event.game, event.after.turn.context.options.seatsInPlay).map(({ room }) => ({ room, payload }));
}
