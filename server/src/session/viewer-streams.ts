import { eventSteps, stepMessages, stepVersions, streamPosition, type Game, type GameState, type LogEntry, type StreamPosition, type StreamStep, type Viewer } from '@rubicon/shared';

/** A seat's id as it is (no string built per call: this runs for every viewer of every event); the other roles under names no seat id (a slug) can take. */
function keyOf(viewer: Viewer): string {
  if (viewer.kind === 'seat') return viewer.seat;
  return viewer.kind === 'observer' ? '\u0000observer' : '\u0000facilitator';
}

/**
 * One state's positions, by the viewer indices of the game they were counted with: viewer i's version at 2i,
 * its message count at 2i + 1, -1 (or past the end) where not counted yet. Numbers, not a position object per
 * viewer and event.
 */
interface Known {
  game: Game;
  positions: number[];
}

/**
 * Where each viewer's own stream of updates stands (viewer-stream.ts in
 * shared), remembered per state. A session's states follow one another, so
 * following the log costs O(1) per viewer and event; a state met for the
 * first time (a session just loaded) is counted once, O(messages). States
 * are the keys, weakly held: what a state no longer reachable knew goes with it.
 *
 * Each state's positions are a short array indexed by the viewer's number in
 * its session (numbered once per Game, as viewers are met), not a Map per
 * state: every applied event makes a state, and a Map with its table for
 * six viewers was the largest allocation of the per-viewer bookkeeping.
 */
export class ViewerStreams {
  private readonly atState = new WeakMap<GameState, Known>();
  /** Per session's engine, each viewer's index in its states' arrays. */
  private readonly indices = new WeakMap<Game, Map<string, number>>();

  /**
   * The positions known at this state, made empty on first use (sized for the viewers numbered so far). They
   * are numbered by this game's indices: a state met with another game (were one ever shared) starts afresh.
   */
  private known(game: Game, state: GameState): number[] {
    let known = this.atState.get(state);
    if (known?.game !== game) {
      known = { game, positions: new Array<number>(2 * this.indicesOf(game).size).fill(-1) };
      this.atState.set(state, known);
    }
    return known.positions;
  }

  /** This game's viewer indices, made empty on first use. */
  private indicesOf(game: Game): Map<string, number> {
    let indices = this.indices.get(game);
    if (!indices) {
      indices = new Map();
      this.indices.set(game, indices);
    }
    return indices;
  }

  /** The viewer's index in its game's arrays, given on first use. */
  private static indexIn(indices: Map<string, number>, viewer: Viewer): number {
    const key = keyOf(viewer);
    let index = indices.get(key);
    if (index === undefined) {
      index = indices.size;
      indices.set(key, index);
    }
    return index;
  }

  /** Viewer `index`'s slots in `known` counted (from scratch the first time): its version at 2 × index. */
  private static countIn(known: number[], index: number, game: Game, state: GameState, viewer: Viewer): void {
    if ((known[2 * index] ?? -1) >= 0) return;
    const { version, messages } = streamPosition(game, state, viewer);
    known[2 * index] = version;
    known[2 * index + 1] = messages;
  }

  position(game: Game, state: GameState, viewer: Viewer): StreamPosition {
    const known = this.known(game, state);
    const index = ViewerStreams.indexIn(this.indicesOf(game), viewer);
    ViewerStreams.countIn(known, index, game, state, viewer);
    return { version: known[2 * index] ?? 0, messages: known[2 * index + 1] ?? 0 };
  }

  /**
   * For each of `viewers` in turn: what `entry` (which took `before` to
   * `after`) shows it, and where its stream stands after it (version, messages). The two states'
   * tables are looked up once for the event, not once per viewer.
   */
  followEach<V extends { viewer: Viewer }>(
    game: Game,
    before: GameState,
    after: GameState,
    entry: LogEntry,
    viewers: readonly V[],
    visit: (viewer: V, step: StreamStep, version: number, messages: number) => void,
  ): void {
    const indices = this.indicesOf(game);
    const from = this.known(game, before);
    const to = this.known(game, after);
    const stepOf = eventSteps(game, before, after, entry);
    for (const v of viewers) {
      const index = ViewerStreams.indexIn(indices, v.viewer);
      ViewerStreams.countIn(from, index, game, before, v.viewer);
      const step = stepOf(v.viewer);
      const version = (from[2 * index] ?? 0) + stepVersions(step);
      const messages = (from[2 * index + 1] ?? 0) + stepMessages(step);
      to[2 * index] = version;
      to[2 * index + 1] = messages;
      visit(v, step, version, messages);
    }
  }
}
