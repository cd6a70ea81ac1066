import { advance, streamPosition, streamStep, type Game, type GameState, type LogEntry, type StreamPosition, type StreamStep, type Viewer } from '@rubicon/shared';

/** A seat's id as it is (no string built per call: this runs for every viewer of every event); the other roles under names no seat id (a slug) can take. */
function keyOf(viewer: Viewer): string {
  if (viewer.kind === 'seat') return viewer.seat;
  return viewer.kind === 'observer' ? '\u0000observer' : '\u0000facilitator';
}

/**
 * Where each viewer's own stream of updates stands (viewer-stream.ts in
 * shared), remembered per state. A session's states follow one another, so
 * following the log costs O(1) per viewer and event; a state met for the
 * first time (a session just loaded) is counted once, O(messages). States
 * are the keys, weakly held: what a state no longer reachable knew goes with it.
 */
export class ViewerStreams {
  private readonly atState = new WeakMap<GameState, Map<string, StreamPosition>>();

  position(game: Game, state: GameState, viewer: Viewer): StreamPosition {
    let known = this.atState.get(state);
    if (!known) {
      known = new Map();
      this.atState.set(state, known);
    }
    const key = keyOf(viewer);
    let position = known.get(key);
    if (!position) {
      position = streamPosition(game, state, viewer);
      known.set(key, position);
    }
    return position;
  }

  /** What `entry` (which took `before` to `after`) shows `viewer`, and where its stream stands after it. */
  follow(game: Game, before: GameState, after: GameState, entry: LogEntry, viewer: Viewer): { step: StreamStep; position: StreamPosition } {
    const step = streamStep(game, before, after, entry, viewer);
    const position = advance(this.position(game, before, viewer), step);
    let known = this.atState.get(after);
    if (!known) {
      known = new Map();
      this.atState.set(after, known);
    }
    known.set(keyOf(viewer), position);
    return { step, position };
  }
}
