import type { SnapshotFrom, StateValue } from 'xstate';
import { z } from 'zod';
import type { Scenario } from '../scenario/schema.ts';
import { SeatId, Slug } from '../scenario/schema.ts';
import { seedFrom } from '../prng.ts';
import { refuse, type Refusal } from '../errors.ts';
import {
  type Actor,
  type Command,
  type HideMessage,
  type LogEntry,
  type ScoreTeam,
  type SendMessage,
} from './commands.ts';
import { MESSAGE_COMMANDS, messageDecision, turnLegality, type Phase } from './legality.ts';
import { copyContext, createTurnMachine, MACHINE_VERSION, type TurnContext, type TurnEvent, type TurnInput, type TurnMachine } from './machine.ts';
import { TurnTable, type TurnState } from './turn-table.ts';
import { applyHide, type Message } from './channel-policy.ts';
import { MessageLog } from './message-log.ts';
import { messageId } from './message-id.ts';
import { nextState, State } from './game-state.ts';
import { applyScore, NO_SCORES, type RubricScores } from './rubric-scores.ts';
import { relaysSince, type RelayFact } from './relays.ts';
import { mapList } from '../lists.ts';
import { NO_DRAFTS, privateGameEvent, withPrivateSave, type DraftCounts } from './viewer-game-version.ts';

/** How a session was set up: with the scenario and the log, all that determines its state. */
export const GameSetup = z
  .object({
    scenarioId: z.string().min(1),
    seed: z.union([z.string().min(1).max(128), z.number().int()]),
    timerScale: z.number().min(0.01).max(10).default(1),
    timerSeconds: z.record(z.string(), z.number().int().min(5).max(7200)).default({}),
    review: z.boolean().default(true),
    /** Optional seats taking part; required seats always take part. */
    optionalSeats: z.array(SeatId).default([]),
    /** The class-length preset the clock came from (presets.ts), kept for the length estimate. */
    preset: Slug.optional(),
  })
  .strict();
export type GameSetup = z.infer<typeof GameSetup>;
export type GameSetupInput = z.input<typeof GameSetup>;

/** XState's snapshot of the turn machine (the model tests walk the machine with XState itself). */
export type TurnSnapshot = SnapshotFrom<TurnMachine>;

export type { Phase, TurnState };

/**
 * What the white cell did to the flow of play, for the teams' notices: kept
 * for the whole session (a rewind does not undo the record of a rewind).
 */
export interface Intervention {
  kind: 'pause' | 'resume' | 'extend' | 'rewind';
  version: number;
  at: number;
  /** The beat a rewind returned to, or the beat under way. */
  beat: string | null;
  /** Extend: seconds added. */
  seconds?: number;
  /** Rewind: the beats whose results it undid, oldest first, and how many injects it took back. */
  undone?: { beats: string[]; injects: number };
}

/** The whole state of a session: a pure function of scenario, setup and log. */
export interface GameState {
  /** Log entries applied: every accepted command, messages included. */
  version: number;
  /**
   * Game commands applied (everything but messages). The turn machine counts
   * in these, and a game command is stale only if this moved, so chat never
   * races a move.
   */
  gameVersion: number;
  /**
   * The game commands among those that only their seat and the white cell can
   * see (drafts, privateGameEvent): counted apart so that every other viewer's
   * game version (viewerGameVersion) leaves them out.
   */
  drafts: DraftCounts;
  turn: TurnState;
  messages: MessageLog;
  interventions: Intervention[];
  /** The white cell's rubric scores (rubric-scores.ts): beside the game, like the messages. */
  scores: RubricScores;
}

/** The JSON form of a GameState, for snapshots in a store or an export file. */
export interface PersistedGame {
  scenarioId: string;
  scenarioVersion: number;
  machineVersion: number;
  version: number;
  gameVersion: number;
  /** Absent in snapshots made before drafts were counted apart: such a snapshot is refused (the log rebuilds it). */
  drafts?: DraftCounts;
  turn: { value: StateValue; context: TurnContext; status: TurnState['status'] };
  messages: Message[];
  /** Absent in snapshots made before interventions were recorded. */
  interventions?: Intervention[];
  /** Absent in snapshots made before rubric scores were recorded. */
  scores?: RubricScores;
}

/** A scenario, a setup and the machine built for them: everything needed to apply events. */
export interface Game {
  scenario: Scenario;
  setup: GameSetup;
  /** The XState definition of the turn machine (diagrams, model tests). */
  machine: TurnMachine;
  /** The same machine as a transition table: what applies events (turn-table.ts). */
  table: TurnTable;
}

export type ApplyResult = { ok: true; state: GameState; message: Message | null } | { ok: false; refusal: Refusal };

// One machine (and its table) per scenario, shared by all its sessions: it holds no session
// state, and building one per session was most of a session's memory.
const machines = new WeakMap<Scenario, { machine: TurnMachine; table: TurnTable }>();

export function createGame(scenario: Scenario, setupInput: GameSetupInput): Game {
  const setup = GameSetup.parse(setupInput);
  if (setup.scenarioId !== scenario.id) throw new Error(`setup is for ${setup.scenarioId}, not ${scenario.id}`);
  let built = machines.get(scenario);
  if (!built) {
    const machine = createTurnMachine(scenario);
    built = { machine, table: new TurnTable(machine) };
    machines.set(scenario, built);
  }
  return { scenario, setup, machine: built.machine, table: built.table };
}

export function seatsInPlay(scenario: Scenario, setup: GameSetup): string[] {
  return mapList(scenario.seats.filter((s) => !s.optional || setup.optionalSeats.includes(s.id)), (s) => s.id);
}

// One array of seats in play per scenario and choice of seats, shared by every session that plays
// them, and frozen so that no session can change it under the others. The per-viewer parts of views
// are cached by this array (view-parts.ts): sessions alike then build and hold them once between them,
// where an array of their own made each session build its own copies.
const sharedSeats = new WeakMap<Scenario, Map<string, readonly SeatId[]>>();

export function sharedSeatsInPlay(scenario: Scenario, seats: readonly SeatId[]): readonly SeatId[] {
  let byKey = sharedSeats.get(scenario);
  if (!byKey) {
    byKey = new Map();
    sharedSeats.set(scenario, byKey);
  }
  const key = seats.join('\n');
  let shared = byKey.get(key);
  if (!shared) {
    shared = Object.freeze([...seats]);
    byKey.set(key, shared);
  }
  return shared;
}

function turnInput(game: Game): TurnInput {
  return {
    scenario: game.scenario,
    seed: seedFrom(game.setup.seed),
    options: {
      timerScale: game.setup.timerScale,
      timerSeconds: game.setup.timerSeconds,
      review: game.setup.review,
      seatsInPlay: sharedSeatsInPlay(game.scenario, seatsInPlay(game.scenario, game.setup)),
    },
  };
}

export function initialState(game: Game): GameState {
  const turn = game.table.initial(turnInput(game));
  return new State(0, 0, NO_DRAFTS, turn, MessageLog.empty, [], NO_SCORES);
}

/** The phase, from the tag each leaf state of the machine carries. */
export function phaseOf(turn: TurnState): Phase {
  return turn.phase;
}

/**
 * Why this command would be refused now, or null if it would be accepted:
 * the command's own legality function (legality.ts), the same one that guards
 * the machine's transitions.
 */
export function checkCommand(game: Game, state: GameState, by: Actor, command: Command, at: number): Refusal | null {
  const ctx = state.turn.context;
  if (command.type === 'SEND_MESSAGE')
    return MESSAGE_COMMANDS.SEND_MESSAGE({ scenario: game.scenario, ctx, by, command, messages: state.messages, at });
  if (command.type === 'HIDE_MESSAGE')
    return MESSAGE_COMMANDS.HIDE_MESSAGE({ scenario: game.scenario, ctx, by, command, messages: state.messages, at });
  if (command.type === 'SCORE_TEAM') {
    const check = { scenario: game.scenario, ctx, by, command, messages: state.messages, at, phase: phaseOf(state.turn), scores: state.scores };
    return MESSAGE_COMMANDS.SCORE_TEAM(check);
  }
  return turnLegality(game.scenario, ctx, phaseOf(state.turn), toEvent(by, command, state.gameVersion + 1, at));
}

function toEvent(by: Actor, command: Exclude<Command, SendMessage | HideMessage | ScoreTeam>, seq: number, at: number): TurnEvent {
  // Not `{ ...command, by, seq, at }`: in Node 20's V8 a spread followed by new keys takes a
  // slow path (microseconds per call), and every game command passes through here.
  return Object.assign({}, command, { by, seq, at });
}

/**
 * Applies one log entry. The entry must be the next one (seq = version + 1);
 * a refused entry leaves the state exactly as it was.
 */
export function applyEntry(game: Game, state: GameState, entry: LogEntry): ApplyResult {
  if (entry.seq !== state.version + 1)
    return { ok: false, refusal: refuse('stale', `Expected event ${state.version + 1}, got ${entry.seq}.`) };
  const command = entry.command;
  if (command.type === 'HIDE_MESSAGE' || command.type === 'SCORE_TEAM') {
    const refusal = checkCommand(game, state, entry.by, command, entry.at);
    if (refusal) return { ok: false, refusal };
  }
  if (command.type === 'SEND_MESSAGE') {
    // The legality check and the audience in one decision (checkCommand's, made once).
    const check = { scenario: game.scenario, ctx: state.turn.context, by: entry.by, command, messages: state.messages, at: entry.at };
    const r = messageDecision(check);
    if ('code' in r) return { ok: false, refusal: r };
    const message = newMessage(entry, command, r.audience, state.gameVersion);
    return { ok: true, state: nextState(state, entry.seq, state.gameVersion, { messages: state.messages.append(message) }), message };
  }
  if (command.type === 'HIDE_MESSAGE') {
    const messages = applyHide(state.messages, command, entry.seq);
    return { ok: true, state: nextState(state, entry.seq, state.gameVersion, { messages }), message: null };
  }
  if (command.type === 'SCORE_TEAM') {
    const scores = applyScore(state.scores, command, entry.seq, entry.at, state.turn.context);
    return { ok: true, state: nextState(state, entry.seq, state.gameVersion, { scores }), message: null };
  }
  // The machine numbers its events in game versions: what it records (resolutions, injects,
  // timers) then says nothing about how many messages were sent in between. Moderation
  // (above) is about messages, so like them it leaves the game version alone.
  const gameVersion = state.gameVersion + 1;
  const event = toEvent(entry.by, command, gameVersion, entry.at);
  // The same check as checkCommand's, on the event the machine is then given.
  const refusal = turnLegality(game.scenario, state.turn.context, phaseOf(state.turn), event);
  if (refusal) return { ok: false, refusal };
  const turn = game.table.transition(state.turn, closesPlanning(state, command) ? Object.assign({}, event, { relays: beatRelays(game, state) }) : event);
  const note = interventionOf(command, entry, gameVersion, state.turn.context, turn.context);
  const interventions = note ? [...state.interventions, note] : state.interventions;
  const draftBy = privateGameEvent(state, entry.by, command);
  const drafts = draftBy === null ? undefined : withPrivateSave(state.drafts, draftBy, gameVersion);
  return { ok: true, state: nextState(state, entry.seq, gameVersion, { turn, interventions, drafts }), message: null };
}

/**
 * The message an accepted SEND_MESSAGE adds. Most have neither a sender's name nor a note to the white cell:
 * those are one plain literal, where the spreads of the optional fields (each an object, and in Node 20's V8 the
 * keys after a spread a slower path) cost about 0.1 µs a message. The key order is the same either way.
 */
function newMessage(entry: LogEntry, command: SendMessage, audience: readonly SeatId[], gameVersion: number): Message {
  const id = messageId(entry.seq);
  const from = entry.by.kind === 'seat' ? entry.by.seat : null;
  const fromName = entry.by.kind === 'seat' ? entry.by.name : undefined;
  const to = command.to ?? null;
  const relayOf = command.relayOf ?? null;
  if (!fromName && !command.toWhiteCell)
    return { id, seq: entry.seq, at: entry.at, channel: command.channel, from, text: command.text, audience, to, relayOf, gameVersion };
  return {
    id,
    seq: entry.seq,
    at: entry.at,
    channel: command.channel,
    from,
    ...(fromName ? { fromName } : {}),
    text: command.text,
    audience,
    to,
    relayOf,
    ...(command.toWhiteCell ? { toWhiteCell: true as const } : {}),
    gameVersion,
  };
}

/** Whether this command may close the beat's planning (and so needs the beat's relays). */
function closesPlanning(state: GameState, command: Exclude<Command, SendMessage | HideMessage>): boolean {
  if (state.turn.phase !== 'planning') return false;
  return command.type === 'ADVANCE' || command.type === 'TIMER_EXPIRED' || (command.type === 'SUBMIT_MOVE' && command.lock);
}

/** The relays sent since the current beat opened: a pure function of the message log. */
function beatRelays(game: Game, state: GameState): RelayFact[] {
  const ctx = state.turn.context;
  const opened = ctx.checkpoints.at(-1);
  if (!ctx.beat || !opened) return [];
  return relaysSince(game.scenario, state.messages, opened.version, ctx.beat);
}

function interventionOf(command: Command, entry: LogEntry, gameVersion: number, before: TurnContext, after: TurnContext): Intervention | null {
  // Numbered in game versions like everything the game records: a log version would count others' messages.
  const base = { version: gameVersion, at: entry.at, beat: after.beat };
  switch (command.type) {
    case 'PAUSE':
      return { ...base, kind: 'pause' };
    case 'RESUME':
      return { ...base, kind: 'resume' };
    case 'EXTEND_TIMER':
      return { ...base, kind: 'extend', seconds: command.seconds };
    case 'REWIND': {
      const kept = after.resolutions.length;
      return {
        ...base,
        kind: 'rewind',
        undone: { beats: before.resolutions.slice(kept).map((r) => r.beat), injects: before.injects.length - after.injects.length },
      };
    }
    default:
      return null;
  }
}

export class ReplayError extends Error {
  constructor(
    readonly seq: number,
    readonly refusal: Refusal,
  ) {
    super(`log entry ${seq} does not apply: ${refusal.code}: ${refusal.message}`);
    this.name = 'ReplayError';
  }
}

/** Rebuilds the state from the log. A log that does not apply is corrupt, so this throws. */
export function replay(game: Game, entries: readonly LogEntry[], from: GameState = initialState(game)): GameState {
  let state = from;
  for (const entry of entries) {
    const r = applyEntry(game, state, entry);
    if (!r.ok) throw new ReplayError(entry.seq, r.refusal);
    state = r.state;
  }
  return state;
}

export function persistGame(game: Game, state: GameState): PersistedGame {
  return {
    scenarioId: game.scenario.id,
    scenarioVersion: game.scenario.version,
    machineVersion: MACHINE_VERSION,
    version: state.version,
    gameVersion: state.gameVersion,
    drafts: state.drafts,
    turn: { value: state.turn.value, context: state.turn.context, status: state.turn.status },
    messages: state.messages.toArray(),
    interventions: state.interventions,
    scores: state.scores,
  };
}

/** Restores a persisted state; refuses a snapshot made by another scenario or machine version. */
export function restoreGame(game: Game, persisted: PersistedGame): GameState {
  if (persisted.scenarioId !== game.scenario.id || persisted.scenarioVersion !== game.scenario.version)
    throw new Error(`snapshot is for ${persisted.scenarioId} v${persisted.scenarioVersion}`);
  if (persisted.machineVersion !== MACHINE_VERSION)
    throw new Error(`snapshot is for machine v${persisted.machineVersion}, this is v${MACHINE_VERSION}`);
  // Before game versions, the machine counted in log versions: such a snapshot cannot be mixed with new events.
  if (typeof persisted.gameVersion !== 'number') throw new Error('snapshot predates game versions');
  // Past drafts leave no trace in the state: only the log can count them, and every viewer's game version needs them.
  if (persisted.drafts === undefined) throw new Error('snapshot predates counted drafts');
  // A message hidden before hides were counted may have been hidden more than once: its readers'
  // update counts (viewer-stream.ts) cannot be known from such a snapshot, only from the log.
  if (persisted.messages.some((m) => m.hiddenAt !== undefined && m.moderations === undefined))
    throw new Error('snapshot predates counted moderation');
  const context = copyContext(persisted.turn.context);
  context.options = { ...context.options, seatsInPlay: sharedSeatsInPlay(game.scenario, context.options.seatsInPlay) };
  const turn = game.table.restore(persisted.turn.value, context);
  return new State(persisted.version, persisted.gameVersion, persisted.drafts, turn, MessageLog.from(persisted.messages), persisted.interventions ?? [], persisted.scores ?? NO_SCORES);
}
