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

  /** The positions known at this state, made empty on first use. */
  private known(state: GameState): Map<string, StreamPosition> {
    let known = this.atState.get(state);
    if (!known) {
      known = new Map();
      this.atState.set(state, known);
    }
    return known;
  }

  private positionIn(known: Map<string, StreamPosition>, game: Game, state: GameState, viewer: Viewer): StreamPosition {
    const key = keyOf(viewer);
    let position = known.get(key);
    if (!position) {
      position = streamPosition(game, state, viewer);
      known.set(key, position);
    }
    return position;
  }

  position(game: Game, state: GameState, viewer: Viewer): StreamPosition {
    return this.positionIn(this.known(state), game, state, viewer);
  }

  /**
   * For each of `viewers` in turn: what `entry` (which took `before` to
   * `after`) shows it, and where its stream stands after it. The two states'
   * tables are looked up once for the event, not once per viewer.
   */
  followEach<V extends { viewer: Viewer }>(
    game: Game,
    before: GameState,
    after: GameState,
    entry: LogEntry,
    viewers: readonly V[],
    visit: (viewer: V, step: StreamStep, position: StreamPosition) => void,
  ): void {
    const from = this.known(before);
    const to = this.known(after);
    for (const v of viewers) {
      const step = streamStep(game, before, after, entry, v.viewer);
      const position = advance(this.positionIn(from, game, before, v.viewer), step);
      to.set(keyOf(v.viewer), position);
      visit(v, step, position);
    }
  }
}
