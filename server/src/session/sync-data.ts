import { scenarioText, viewFor, wireMessagesFor, wireView, type Game, type GameState, type SyncData, type Viewer, type WireView } from '@rubicon/shared';
import type { ViewerStreams } from './viewer-streams.ts';

/** A viewer's view of a state as it goes on the wire: numbered in its own stream, without the scenario's text. */
export function wireViewFor(game: Game, state: GameState, viewer: Viewer, version?: number): WireView {
  return wireView(viewFor(game, state, viewer, version), scenarioText(game.scenario).digest);
}

/** What the client says it holds, in its own stream's numbers. */
export interface Held {
  lastVersion?: number | undefined;
  messagesHeld?: number | undefined;
}

/**
 * A full view and the messages a client lacks: those after the ones it
 * holds, and any the white cell moderated; everything when it holds nothing,
 * or says it holds more than there is (a store restored from an older copy).
 */
export function syncData(session: { game: Game; state: GameState }, viewer: Viewer, streams: ViewerStreams, held: Held): SyncData {
  const { game, state } = session;
  const position = streams.position(game, state, viewer);
  const { lastVersion, messagesHeld } = held;
  const partial =
    lastVersion !== undefined && lastVersion > 0 && lastVersion <= position.version && messagesHeld !== undefined && messagesHeld <= position.messages;
  const { messages, count } = wireMessagesFor(game, state, viewer, partial ? messagesHeld : 0);
  return { version: position.version, view: wireViewFor(game, state, viewer, position.version), messages, full: !partial, messageCount: count };
}
