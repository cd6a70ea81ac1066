import { wireMessageFor, wireMessageVariant, type Game, type GameState, type Message, type UpdatePayload, type Viewer } from '@rubicon/shared';
import { viewerRooms } from './rooms.ts';
import type { AppliedEvent } from './session-service.ts';
import { wireViewFor } from './sync-data.ts';
import type { ViewerStreams } from './viewer-streams.ts';

export interface RoomUpdate {
  room: string;
  payload: UpdatePayload;
}

/**
 * A new message's update already built, with what it depends on besides the message (wireMessageVariant);
 * chained to the one built before it. An event has one or a few: a chain, not an array grown for each event.
 */
interface Alike {
  version: number;
  n: number;
  variant: 'hidden' | 'shown';
  payload: UpdatePayload;
  next: Alike | null;
}

/** The updates of one event so far: the list, and the new message's updates built (the head of their chain). */
interface Built {
  updates: RoomUpdate[];
  alike: Alike | null;
}

/**
 * The `update` each role room gets for one applied event: only rooms it
 * shows something get one, numbered in that role's own stream
 * (viewer-stream.ts), so no room learns that an event it cannot see
 * happened, nor when. A game command brings every room its view; a message
 * brings its readers the message alone. `wanted` lets the caller skip the
 * work of a view or a moderation for rooms nobody is in (their streams still
 * move on); a new message's update is made for every reader's room. Rooms
 * whose update is the same share one payload object.
 */
export function updatesFor(event: AppliedEvent, streams: ViewerStreams, wanted: (room: string) => boolean = () => true): RoomUpdate[] {
  const { sessionId, game, entry, before, after } = event;
  const rooms = viewerRooms(sessionId, game, after.turn.context.options.seatsInPlay);
  // Sized for every room and cut to those that get an update, not grown by push from empty (room for 17).
  // A new message's updates built so far are in `alike`: viewers whose streams stand alike get the same object.
  const built: Built = { updates: new Array<RoomUpdate>(rooms.length), alike: null };
  let count = 0;
  streams.followEach(game, before, after, entry, rooms, ({ viewer, room }, step, version, n) => {
    // A new message's update is one shared object for viewers alike, so rooms nobody is in cost nothing worth a
    // lookup per room and event; and with every room counted, a public message can go to the session's room.
    if (step.kind === 'none' || (step.kind !== 'message' && !wanted(room))) return;
    let payload: UpdatePayload;
    if (step.kind === 'view') payload = { version, view: wireViewFor(game, after, viewer, version), messages: [] };
    else if (step.kind === 'moderation') payload = { version, messages: [wireMessageFor(game, after, viewer, step.message)] };
    else payload = newMessageUpdate(built, game, after, viewer, step.message, version, n);
    built.updates[count++] = { room, payload };
  });
  built.updates.length = count;
  return built.updates;
}

/**
 * The one payload of an event whose update every role room of its session gets alike (a public message at a
 * table with no private talk), or null. Only then may it go to the session's room (rooms.ts, sessionRoom):
 * every socket there is in one of those role rooms and gets exactly what that room would have got.
 */
export function sessionWideUpdate(event: AppliedEvent, updates: readonly RoomUpdate[]): UpdatePayload | null {
  const first = updates[0];
  if (!first || updates.length !== viewerRooms(event.sessionId, event.game, event.after.turn.context.options.seatsInPlay).length) return null;
  for (const u of updates) if (u.payload !== first.payload) return null;
  return first.payload;
}

/** A new message's update for one viewer, the object another viewer got if its copy is the same (same version, number and variant). */
function newMessageUpdate(built: Built, game: Game, after: GameState, viewer: Viewer, message: Message, version: number, n: number): UpdatePayload {
  const variant = wireMessageVariant(viewer, message);
  if (variant === null) return { version, messages: [wireMessageFor(game, after, viewer, message, n)] };
  for (let a = built.alike; a; a = a.next) if (a.version === version && a.n === n && a.variant === variant) return a.payload;
  const payload: UpdatePayload = { version, messages: [wireMessageFor(game, after, viewer, message, n)] };
  built.alike = { version, n, variant, payload, next: built.alike };
  return payload;
}
