import type { Game, Viewer } from '@rubicon/shared';

/**
 * Socket.IO rooms. A socket joins exactly one: its role's room in its
 * session. Everything sent to a room was computed for that role, so a socket
 * can only ever receive what its role may see.
 */
export function roomFor(sessionId: string, viewer: Viewer): string {
  switch (viewer.kind) {
    case 'seat':
      return `s:${sessionId}:seat:${viewer.seat}`;
    case 'observer':
      return `s:${sessionId}:observers`;
    case 'facilitator':
      return `s:${sessionId}:facilitator`;
  }
}

/**
 * The room of every socket that said hello to a session, whatever its role: each is also in its role's room.
 * An update goes here only when every role room of the session gets the very same bytes (sessionWideUpdate,
 * broadcast.ts), so no socket receives anything its role room would not have: one room to look up and walk
 * for a public message instead of six. Not an `s:` name: sessionOfRoom counts role rooms only.
 */
export function sessionRoom(sessionId: string): string {
  return `v:${sessionId}`;
}

/** The room of every socket holding a grant of one access key (a seat's code, the observers', co-facilitators', the owner's token). */
export function accessRoom(sessionId: string, key: string): string {
  return `a:${sessionId}:${key}`;
}

/** The session a role room belongs to; null for a room that is not one (each socket's own room). */
export function sessionOfRoom(room: string): string | null {
  const match = /^s:([^:]+):(?:seat:|observers$|facilitator$)/.exec(room);
  return match?.[1] ?? null;
}

/** Every viewer a session can have: one per seat in play, observers and the facilitator. */
export function viewersOf(seatsInPlay: readonly string[]): Viewer[] {
  return [
    ...seatsInPlay.map((seat): Viewer => ({ kind: 'seat', seat })),
    { kind: 'observer' },
    { kind: 'facilitator' },
  ];
}

export interface ViewerRoom {
  viewer: Viewer;
  room: string;
}

/**
 * Per session's engine (one Game per loaded session, shared by all its states): the viewers and their
 * rooms, built once. Not per list of seats in play: sessions alike share that array (sharedSeatsInPlay).
 */
const viewerRoomsCache = new WeakMap<Game, { sessionId: string; rooms: readonly ViewerRoom[] }>();

/** Every viewer of a session with its room (viewersOf, roomFor), built once per session rather than for each event. */
export function viewerRooms(sessionId: string, game: Game, seatsInPlay: readonly string[]): readonly ViewerRoom[] {
  const cached = viewerRoomsCache.get(game);
  if (cached?.sessionId === sessionId) return cached.rooms;
  const rooms = viewersOf(seatsInPlay).map((viewer) => ({ viewer, room: roomFor(sessionId, viewer) }));
  viewerRoomsCache.set(game, { sessionId, rooms });
  return rooms;
}
