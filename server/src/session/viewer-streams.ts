import { eventSteps, stepMessages, stepVersions, streamPosition, type Game, type GameState, type LogEntry, type StreamPosition, type StreamStep, type Viewer } from '@rubicon/shared';

/** A seat's id as it is (no string built per call: this runs for every viewer of every event); the other roles under names no seat id (a slug) can take. */
function keyOf(viewer: Viewer): string {
  if (viewer.kind === 'seat') return viewer.seat;
  return viewer.kind === 'observer' ? '\u0000observer' : '\u0000facilitator';
}

/**
 * One state's positions, by the viewer indices of its game: viewer i's version at 2i, its message count at
 * 2i + 1, -1 (or past the end) where not counted yet. Numbers, not a position object per viewer and event.
 */
export interface Known {
  state: GameState;
  readonly positions: number[];
}

/**
 * How many states a game remembers the positions of at first: the last ones met. Following the log needs the
 * state before an event (the last one met) and the one after it; an acknowledgement asks for the state after its
 * command. Two, no more: in memory a batch is mostly one command, and each state remembered outlives its session's
 * next message. With three, a state (and its message log's record) lived for three of its session's messages,
 * about 0.75 s at the fan-out bench's 4 a second, past a scavenge or two (docs/performance/fan-out-log.md, "What a
 * public message keeps alive", 5 December, where the saving in promotion was too small to show).
 */
const REMEMBERED = 2;

/**
 * The most a game's ring grows to. With Redis a batch holds up to APPEND_BATCH_MAX (128) commands and each
 * acknowledgement asks for its own command's state: a ring shorter than the batch left the early ones to be
 * counted from scratch, O(messages) each, and pushed the newest states out, so following the next event counted
 * every viewer from scratch too (docs/performance/contention-log.md, "Where main's extra CPU per command
 * went…"). When an acknowledgement asks for a state it has let go, the ring grows to hold as many as lie
 * between it and the newest.
 */
const REMEMBERED_MAX = 256;

/**
 * The positions `ring` remembers at `state`, or null; the newest states (just before `next`) are looked at first.
 * `newest` is the highest version ever remembered in it: every state in the ring has a version at most that,
 * and a state's version never changes, so a state newer than it cannot be there and the scan is skipped. That
 * is the state after each event followed, a miss that scanned the whole ring (up to REMEMBERED_MAX once batches
 * grew it) once per event.
 */
export function rememberedIn(ring: readonly (Known | null)[], next: number, newest: number, state: GameState): number[] | null {
  if (state.version > newest) return null;
  for (let i = 1; i <= ring.length; i++) {
    const k = ring[(next - i + ring.length) % ring.length];
    if (k?.state === state) return k.positions;
  }
  return null;
}

/** One game's viewer indices and its remembered states (a ring, oldest overwritten). */
interface GameStreams {
  indices: Map<string, number>;
  /**
   * The last list of viewers followed (a session's room list, made once per session: rooms.ts) and their indices
   * in its order, so following an event does not look each viewer's key up again.
   */
  listed: readonly unknown[] | null;
  listIndices: number[];
  recent: (Known | null)[];
  next: number;
  /** The highest log version among the remembered states. */
  newest: number;
}

/**
 * Where each viewer's own stream of updates stands (viewer-stream.ts in
 * shared), remembered for a session's latest states. A session's states
 * follow one another, so following the log costs O(1) per viewer and event;
 * a state not remembered (a session just loaded) is counted once, O(messages).
 *
 * Each state's positions are a short array indexed by the viewer's number in
 * its session (numbered once per Game, as viewers are met). They are kept in
 * a small ring per game, not a WeakMap keyed by every state: every applied
 * event makes a state, and a weak map entry whose key is young is work for
 * every scavenge (1.6-2.1 µs an event in a micro-benchmark, against 0.07 µs
 * for the ring; docs/performance/fan-out-log.md, "Map lookups and a weak
 * map…").
 */
export class ViewerStreams {
  private readonly games = new WeakMap<Game, GameStreams>();

  /** This game's record, made empty on first use. */
  private gameStreams(game: Game): GameStreams {
    let streams = this.games.get(game);
    if (!streams) {
      streams = { indices: new Map(), listed: null, listIndices: [], recent: new Array<Known | null>(REMEMBERED).fill(null), next: 0, newest: -1 };
      this.games.set(game, streams);
    }
    return streams;
  }

  /** The positions remembered at this state, or null. */
  private static remembered(streams: GameStreams, state: GameState): number[] | null {
    return rememberedIn(streams.recent, streams.next, streams.newest, state);
  }

  /**
   * The positions known at this state, made empty (sized for the viewers numbered so far) and remembered if it is
   * not. The record it pushes out of the ring is reused for it, unless its positions are `held` (the caller's
   * other array): every applied event remembers a state, and a new record and array for each was about a tenth
   * of what following the log allocated.
   */
  private static known(streams: GameStreams, state: GameState, held: number[] | null = null): number[] {
    const found = ViewerStreams.remembered(streams, state);
    if (found) return found;
    const size = 2 * streams.indices.size;
    const old = streams.recent[streams.next];
    let known: Known;
    if (old && old.positions !== held && old.positions.length === size) {
      old.state = state;
      old.positions.fill(-1);
      known = old;
    } else {
      known = { state, positions: new Array<number>(size).fill(-1) };
      streams.recent[streams.next] = known;
    }
    streams.next = (streams.next + 1) % streams.recent.length;
    if (state.version > streams.newest) streams.newest = state.version;
    return known.positions;
  }

  /**
   * The ring long enough for `needed` states (doubled until it is, up to REMEMBERED_MAX), oldest first, so the
   * next batch as long is remembered whole when its acknowledgements ask.
   */
  private static grow(streams: GameStreams, needed: number): void {
    const { recent, next } = streams;
    let length = recent.length;
    while (length < needed && length < REMEMBERED_MAX) length = Math.min(REMEMBERED_MAX, 2 * length);
    if (length === recent.length) return;
    const grown = new Array<Known | null>(length).fill(null);
    for (let i = 0; i < recent.length; i++) grown[i] = recent[(next + i) % recent.length] ?? null;
    streams.recent = grown;
    streams.next = recent.length;
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

  /**
   * The indices of `viewers` in order, given on first use: kept for the list last asked about. A viewer's index
   * never changes once given, so the kept ones stay right while the list is the same array.
   */
  private static indicesOf(streams: GameStreams, viewers: readonly { viewer: Viewer }[]): number[] {
    if (streams.listed === viewers) return streams.listIndices;
    const out = new Array<number>(viewers.length);
    for (let i = 0; i < viewers.length; i++) out[i] = ViewerStreams.indexIn(streams.indices, (viewers[i] as { viewer: Viewer }).viewer);
    streams.listed = viewers;
    streams.listIndices = out;
    return out;
  }

  /** Viewer `index`'s slots in `known` counted (from scratch the first time): its version at 2 × index. */
  private static countIn(known: number[], index: number, game: Game, state: GameState, viewer: Viewer): void {
    if ((known[2 * index] ?? -1) >= 0) return;
    const { version, messages } = streamPosition(game, state, viewer);
    known[2 * index] = version;
    known[2 * index + 1] = messages;
  }

  /**
   * Where `viewer`'s stream stands at `state`. A state older than the newest remembered, and not remembered
   * (an acknowledgement early in a batch longer than the ring), is counted but not remembered: remembering
   * it would push out the newest states, which following the log needs next. The ring grows instead.
   */
  position(game: Game, state: GameState, viewer: Viewer): StreamPosition {
    const streams = this.gameStreams(game);
    const index = ViewerStreams.indexIn(streams.indices, viewer);
    const found = ViewerStreams.remembered(streams, state);
    if (!found && state.version < streams.newest) {
      // Each entry moves the log's version by one: the ring needs that many states, and the one after.
      ViewerStreams.grow(streams, streams.newest - state.version + 2);
      return streamPosition(game, state, viewer);
    }
    const known = found ?? ViewerStreams.known(streams, state);
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
    const streams = this.gameStreams(game);
    const from = ViewerStreams.known(streams, before);
    const to = ViewerStreams.known(streams, after, from);
    const stepOf = eventSteps(game, before, after, entry);
    const listIndices = ViewerStreams.indicesOf(streams, viewers);
    for (let i = 0; i < viewers.length; i++) {
      const v = viewers[i] as V;
      const index = listIndices[i] ?? 0;
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
