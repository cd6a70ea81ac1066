import type { DraftCounts } from './viewer-game-version.ts';
import type { GameState, Intervention } from './game.ts';
import type { MessageLog } from './message-log.ts';
import type { RubricScores } from './rubric-scores.ts';
import type { TurnState } from './turn-table.ts';

/**
 * A GameState made by a constructor, not an object literal. V8 tracks each literal's allocation site
 * and, once nearly all of a site's objects survive a young collection, allocates that site's objects
 * straight in the old generation ("pretenuring"). A server keeps each state only until a few more
 * events of its session (the session's newest and ViewerStreams' remembered ones): under the fan-out
 * bench's load most live just past one scavenge, so Node 20 pretenured the state literal and every
 * state went to the old generation as garbage, holding its young MessageLog alive through scavenges
 * until a mark-compact. `new` records no allocation site, so states are made young and die there.
 * The fields are `declare`d so that the class emits no field definitions: the constructor's
 * assignments make one shape, in the literal's key order.
 */
export class State implements GameState {
  declare version: number;
  declare gameVersion: number;
  declare drafts: DraftCounts;
  declare turn: TurnState;
  declare messages: MessageLog;
  declare interventions: Intervention[];
  declare scores: RubricScores;

  constructor(version: number, gameVersion: number, drafts: DraftCounts, turn: TurnState, messages: MessageLog, interventions: Intervention[], scores: RubricScores) {
    this.version = version;
    this.gameVersion = gameVersion;
    this.drafts = drafts;
    this.turn = turn;
    this.messages = messages;
    this.interventions = interventions;
    this.scores = scores;
  }
}

/**
 * The state after one entry, built field by field: every entry makes one, and in Node 20's V8
 * `{ ...state, version, ... }` (a spread followed by keys) takes a slow path, about 1.5 µs a call
 * against a few nanoseconds, which was the largest single cost of applying an entry.
 */
export function nextState(
  state: GameState,
  version: number,
  gameVersion: number,
  changed: Partial<Pick<GameState, 'drafts' | 'turn' | 'messages' | 'interventions' | 'scores'>>,
): GameState {
  return new State(
    version,
    gameVersion,
    changed.drafts ?? state.drafts,
    changed.turn ?? state.turn,
    changed.messages ?? state.messages,
    changed.interventions ?? state.interventions,
    changed.scores ?? state.scores,
  );
}
