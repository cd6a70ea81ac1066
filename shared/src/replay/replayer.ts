import type { LogEntry } from '../game/commands.ts';
import { applyEntry, initialState, ReplayError, type Game, type GameState } from '../game/game.ts';
import { beatOpened } from './beat-timings.ts';

/**
 * Random access to a session's history: the state after any event, rebuilt
 * from the log with the engine's own applyEntry. It keeps the state every
 * `every` events while building, so a jump anywhere replays at most
 * `every - 1` events. States are immutable, so keeping them costs only what
 * changed between them. It also remembers the last state it returned, so
 * stepping and playing forward apply one event per step.
 */
export class Replayer {
  private readonly checkpoints: GameState[] = [];
  /** Per event, what kind of moment it is, for the scrubber's marks. */
  readonly markers: Marker[] = [];
  private last: GameState;
  private recent: GameState | null = null;

  constructor(
    readonly game: Game,
    readonly log: readonly LogEntry[],
    readonly every = 64,
  ) {
    let state = initialState(game);
    this.checkpoints.push(state);
    for (const entry of log) {
      const before = state;
      state = step(game, state, entry);
      const marker = markerOf(entry, before, state);
      if (marker) this.markers.push(marker);
      if (entry.seq % every === 0) this.checkpoints.push(state);
    }
    this.last = state;
  }

  get length(): number {
    return this.log.length;
  }

  get final(): GameState {
    return this.last;
  }

  /** The state after event `version` (0: before the first). */
  stateAt(version: number): GameState {
    const v = Math.max(0, Math.min(this.log.length, Math.floor(version)));
    if (v === this.log.length) return this.last;
    const index = Math.floor(v / this.every);
    let state = this.checkpoints[index]!;
    // Closer than the kept state: the one returned last, when it lies between that and the target.
    if (this.recent && this.recent.version <= v && this.recent.version > state.version) state = this.recent;
    for (let seq = state.version + 1; seq <= v; seq++) state = step(this.game, state, this.log[seq - 1]!);
    this.recent = state;
    return state;
  }
}

function step(game: Game, state: GameState, entry: LogEntry): GameState {
  const r = applyEntry(game, state, entry);
  if (!r.ok) throw new ReplayError(entry.seq, r.refusal);
  return r.state;
}

export type MarkerKind = 'beat' | 'move' | 'message' | 'inject' | 'override' | 'rewind' | 'outcome' | 'control';

export interface Marker {
  version: number;
  at: number;
  kind: MarkerKind;
  /** The beat that opened, for `beat` marks. */
  beat: string | null;
}

/** What an event was, seen from the states around it; null for events worth no mark. */
function markerOf(entry: LogEntry, before: GameState, after: GameState): Marker | null {
  const mark = (kind: MarkerKind, beat: string | null = null): Marker => ({ version: entry.seq, at: entry.at, kind, beat });
  const c = entry.command;
  if (c.type === 'SEND_MESSAGE') return mark('message');
  if (c.type === 'SUBMIT_MOVE') return mark('move');
  if (c.type === 'FIRE_INJECT') return mark('inject');
  if (c.type === 'OVERRIDE_ADJUDICATION') return mark('override');
  if (c.type === 'REWIND') return mark('rewind', after.turn.context.beat);
  const was = before.turn.context;
  const now = after.turn.context;
  if (now.outcome && !was.outcome) return mark('outcome');
  if (beatOpened(entry, before, after)) return mark('beat', now.beat);
  return mark('control');
}
