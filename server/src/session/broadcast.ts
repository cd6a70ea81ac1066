import { wireMessageFor, wireMessageVariant, type Game, type GameState, type Message, type StreamPosition, type UpdatePayload, type Viewer } from '@rubicon/shared';
import { viewerRooms } from './rooms.ts';
import type { AppliedEvent } from './session-service.ts';
import { wireViewFor } from './sync-data.ts';
import type { ViewerStreams } from './viewer-streams.ts';

export interface RoomUpdate {
  room: string;
  payload: UpdatePayload;
}

/** A new message's update already built, with what it depends on besides the message (wireMessageVariant). */
interface Alike {
  version: number;
  n: number;
  variant: 'hidden' | 'shown';
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
  // A new message's updates built so far: viewers whose streams stand alike get the same object (built once).
  const alike: Alike[] = [];
  streams.followEach(game, before, after, entry, viewerRooms(sessionId, game, after.turn.context.options.seatsInPlay), ({ viewer, room }, step, position) => {
    if (step.kind === 'none' || !wanted(room)) return;
    const { version } = position;
    if (step.kind === 'view') updates.push({ room, payload: { version, view: wireViewFor(game, after, viewer, version), messages: [] } });
    else if (step.kind === 'moderation') updates.push({ room, payload: { version, messages: [wireMessageFor(game, after, viewer, step.message)] } });
    else updates.push({ room, payload: newMessageUpdate(alike, game, after, viewer, step.message, position) });
  });
  return updates;
}

/** A new message's update for one viewer, the object another viewer got if its copy is the same (same version, number and variant). */
function newMessageUpdate(alike: Alike[], game: Game, after: GameState, viewer: Viewer, message: Message, position: StreamPosition): UpdatePayload {
  const { version, messages: n } = position;
  const variant = wireMessageVariant(viewer, message);
  if (variant === null) return { version, messages: [wireMessageFor(game, after, viewer, message, n)] };
  for (const a of alike) if (a.version === version && a.n === n && a.variant === variant) return a.payload;
  const payload: UpdatePayload = { version, messages: [wireMessageFor(game, after, viewer, message, n)] };
  alike.push({ version, n, variant, payload });
  return payload;
}
