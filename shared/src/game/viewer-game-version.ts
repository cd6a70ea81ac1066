/**
 * Each viewer's game version: the game commands it can see. A seat's move
 * saved again over its own changes nothing the others can see, so it is
 * counted apart (DraftCounts) and left out of every other viewer's count,
 * its staleness checks and the versions in its view.
 */
import type { SeatId } from '../scenario/schema.ts';
import type { Viewer } from './channel-policy.ts';
import type { Actor, Command } from './commands.ts';
import type { GameState } from './game.ts';

/** Who sees what an actor sees: the system clock acts with the facilitator's eyes. */
export function viewerOf(actor: Actor): Viewer {
  if (actor.kind === 'seat') return { kind: 'seat', seat: actor.seat };
  return actor.kind === 'system' ? { kind: 'facilitator' } : actor;
}

/**
 * Seat-private game commands applied (privateGameEvent): the log's game
 * version of each, in order, all of them and each seat's own. Their number is
 * what a viewer's game version leaves out; their places turn a game version
 * the game recorded into the viewer's own (versionSeenBy).
 */
export interface DraftCounts {
  at: readonly number[];
  bySeat: Readonly<Record<SeatId, readonly number[]>>;
}

export const NO_DRAFTS: DraftCounts = { at: [], bySeat: {} };

/**
 * The seat that alone (with the white cell) can see this game command, or
 * null if others can: a move saved again over the seat's own, as a draft over
 * a draft or locked in over a locked move. Every other viewer sees only who
 * has a move and who has locked in (view.ts: `submitted`, `lockedIn`), and
 * neither changes; a first move, a lock-in and an unlock each change one of
 * them, so they are public.
 */
export function privateGameEvent(state: GameState, by: Actor, command: Command): SeatId | null {
  if (command.type !== 'SUBMIT_MOVE' || by.kind !== 'seat') return null;
  const held = state.turn.context.submissions[by.seat];
  return held !== undefined && held.locked === command.lock ? by.seat : null;
}

export function withPrivateSave(drafts: DraftCounts, seat: SeatId, gameVersion: number): DraftCounts {
  return { at: [...drafts.at, gameVersion], bySeat: { ...drafts.bySeat, [seat]: [...(drafts.bySeat[seat] ?? []), gameVersion] } };
}

/** How many of these ascending versions are at or below `version`. */
function countUpTo(versions: readonly number[], version: number): number {
  let lo = 0;
  let hi = versions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((versions[mid] ?? 0) <= version) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A game version of the log (one the game recorded: a resolution's, a
 * ledger change's, a timer's) as this viewer counts: without the drafts of
 * other seats before it. So the numbers in a view say nothing of how often
 * others revised their drafts.
 */
export function versionSeenBy(drafts: DraftCounts, viewer: Viewer, version: number): number {
  if (viewer.kind === 'facilitator' || drafts.at.length === 0) return version;
  const own = viewer.kind === 'seat' ? countUpTo(drafts.bySeat[viewer.seat] ?? [], version) : 0;
  return version - countUpTo(drafts.at, version) + own;
}

/**
 * The game version as one viewer knows it: the game commands it can see. The
 * white cell sees them all; a seat, all but other seats' drafts; an observer,
 * none of the drafts. A game command is stale only if this moved (isStale).
 */
export function viewerGameVersion(state: GameState, viewer: Viewer): number {
  return versionSeenBy(state.drafts, viewer, state.gameVersion);
}

/**
 * Whether a game command made on the view at `expected` is stale: whether the
 * game moved since as its actor sees it. Other seats' drafts move nothing it
 * can see, so they never make its move stale. The system clock acts with the
 * white cell's eyes.
 */
export function isStale(state: GameState, by: Actor, expected: number): boolean {
  return expected !== viewerGameVersion(state, viewerOf(by));
}
