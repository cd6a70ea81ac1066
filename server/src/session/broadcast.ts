import { newMessageUpdateJson, wireMessage, wireMessageFor, wireMessageVariant, type Game, type GameState, type Message, type UpdatePayload, type Viewer } from '@rubicon/shared';
import { viewerRooms, type ViewerRoom } from './rooms.ts';
import type { AppliedEvent } from './session-service.ts';
import { wireViewFor } from './sync-data.ts';
import type { ViewerStreams } from './viewer-streams.ts';

export interface RoomUpdate {
  room: string;
  payload: UpdatePayload;
}

/**
 * A new message's update for the viewers that see it alike (the same version, number and variant:
 * wireMessageVariant), made once for all of them and chained to the one made before it (an event has one or a
 * few: a chain, not an array grown for each event). Neither the update object nor its JSON is made until asked: a
 * public message that goes to the session's room is written as JSON straight from the log's message
 * (newMessageUpdateJson), without the update, its list and the wire message, and only a list of rooms (when the
 * rooms part) asks for the object.
 */
export class NewMessageUpdate {
  private built: UpdatePayload | null = null;

  constructor(
    readonly version: number,
    readonly n: number,
    readonly variant: 'hidden' | 'shown',
    private readonly viewer: Viewer,
    private readonly message: Message,
    readonly next: NewMessageUpdate | null,
  ) {}

  /** The update as an object (the same one each time): what a RoomUpdate carries. */
  payload(): UpdatePayload {
    this.built ??= { version: this.version, messages: [wireMessage(this.viewer, this.message, this.n, null)] };
    return this.built;
  }

  /** JSON.stringify(this.payload())'s text, written without the object (update-encoding.test.ts checks the bytes). */
  json(): string {
    return newMessageUpdateJson(this.viewer, this.message, this.version, this.n);
  }
}

/**
 * The updates of one event so far. While every room visited got the same payload (`shared`) and none was
 * skipped, `alike` counts them and no list is made: a public message at a table with no private talk goes to the
 * session's room as one payload, and a RoomUpdate per room and the list of them were made only to be compared
 * and dropped. The list (`updates`) is made when the rooms part. `alike` holds the new message's updates built.
 */
interface Built {
  rooms: readonly ViewerRoom[];
  updates: RoomUpdate[] | null;
  shared: UpdatePayload | NewMessageUpdate | null;
  same: number;
  alike: NewMessageUpdate | null;
}

function payloadOf(update: UpdatePayload | NewMessageUpdate): UpdatePayload {
  return update instanceof NewMessageUpdate ? update.payload() : update;
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
 *
 * When every role room of the session gets one new message's update (a public message at a table with no private
 * talk), that update, not a list: only then may it go to the session's room (rooms.ts, sessionRoom), since every
 * socket there is in one of those role rooms and gets exactly what that room would have got. (A view, a
 * moderation or a relay is an object per viewer: never one for every room of a session, which has at least three.)
 */
export function eventUpdates(event: AppliedEvent, streams: ViewerStreams, wanted: (room: string) => boolean = () => true): NewMessageUpdate | RoomUpdate[] {
  const { sessionId, game, entry, before, after } = event;
  const rooms = viewerRooms(sessionId, game, after.turn.context.options.seatsInPlay);
  const built: Built = { rooms, updates: null, shared: null, same: 0, alike: null };
  streams.followEach(game, before, after, entry, rooms, ({ viewer, room }, step, version, n) => {
    // A new message's update is one shared object for viewers alike, so rooms nobody is in cost nothing worth a
    // lookup per room and event; and with every room counted, a public message can go to the session's room.
    if (step.kind === 'none' || (step.kind !== 'message' && !wanted(room))) {
      listOf(built);
      return;
    }
    let update: UpdatePayload | NewMessageUpdate;
    if (step.kind === 'view') update = { version, view: wireViewFor(game, after, viewer, version), messages: [] };
    else if (step.kind === 'moderation') update = { version, messages: [wireMessageFor(game, after, viewer, step.message)] };
    else update = newMessageUpdate(built, game, after, viewer, step.message, version, n);
    if (built.updates === null && (built.same === 0 || update === built.shared)) {
      built.shared = update;
      built.same++;
    } else listOf(built).push({ room, payload: payloadOf(update) });
  });
  if (built.updates === null && built.shared instanceof NewMessageUpdate && built.same === rooms.length) return built.shared;
  return listOf(built);
}

/** The event's list of updates, made now from the rooms that shared one payload so far (the first `same` rooms: none skipped) if not yet. */
function listOf(built: Built): RoomUpdate[] {
  if (built.updates !== null) return built.updates;
  const updates = new Array<RoomUpdate>(built.same);
  const payload = built.shared === null ? null : payloadOf(built.shared);
  for (let i = 0; i < built.same; i++) updates[i] = { room: (built.rooms[i] as ViewerRoom).room, payload: payload as UpdatePayload };
  built.updates = updates;
  return updates;
}

/** A new message's update for one viewer, the one another viewer got if its copy is the same (same version, number and variant). */
function newMessageUpdate(built: Built, game: Game, after: GameState, viewer: Viewer, message: Message, version: number, n: number): UpdatePayload | NewMessageUpdate {
  const variant = wireMessageVariant(viewer, message);
  if (variant === null) return { version, messages: [wireMessageFor(game, after, viewer, message, n)] };
  for (let a = built.alike; a; a = a.next) if (a.version === version && a.n === n && a.variant === variant) return a;
  built.alike = new NewMessageUpdate(version, n, variant, viewer, message, built.alike);
  return built.alike;
}
