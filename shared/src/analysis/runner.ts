import { refuse, type Refusal } from '../errors.ts';
import { nextFloat, seedFrom, type PrngState } from '../prng.ts';
import type { SeatId } from '../scenario/schema.ts';
import type { ChoiceRecord } from '../game/adjudication.ts';
import { beatById } from '../game/adjudication.ts';
import type { Message, Viewer } from '../game/channel-policy.ts';
import { SendMessage, type Actor, type Command, type LogEntry } from '../game/commands.ts';
import { applyEntry, initialState, phaseOf, type Game, type GameState } from '../game/game.ts';
import { messagesFor, viewFor, type GameView } from '../game/view.ts';
import { botViewFor, type BotView } from '../game/bot-view.ts';

/**
 * The one headless game loop. It plays a whole game through the real
 * `applyEntry` — the same path as a live session's log, minus sockets — so
 * the sensitivity report, `rubicon scenario check` and `rubicon simulate`
 * all measure the engine players meet. The facilitator's part is played
 * mechanically: close planning, accept the rule engine's proposal, advance.
 */

/** A seeded stream of numbers for a chooser; separate from the game's own draws. */
export class ChooserRng {
  private state: PrngState;
  constructor(seed: string | number) {
    this.state = seedFrom(seed);
  }
  /** `next` as a function of its own, made once per game: a persona's decision takes one (bots/types.ts). */
  readonly random = (): number => this.next();
  /** A float in [0, 1). */
  next(): number {
    const [value, next] = nextFloat(this.state);
    this.state = next;
    return value;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}

export interface ChooseContext {
  game: Game;
  /** The state when this seat is asked: earlier seats of the beat have already acted. */
  state: GameState;
  seat: SeatId;
  beat: string;
  rng: ChooserRng;
  /** What this seat sees (computed on first call, then reused). */
  view(): GameView;
  /** The part of it a bot persona reads (bots/types.ts), built alone: cheaper than the whole view. */
  botView(): BotView;
  /** The messages this seat may read (computed on first call, then reused). */
  messages(): Message[];
}

export interface OutgoingMessage {
  channel: string;
  text: string;
  to?: SeatId;
  relayOf?: string;
}

export interface Decision {
  /** A move id of this seat's menu; null leaves the seat to its beat default. */
  move: string | null;
  /** Moves marked `also` taken beside `move` (none when left out). */
  also?: string[];
  rationale?: string;
  /** Sent (as SEND_MESSAGE from this seat) before the move is locked in. */
  messages?: OutgoingMessage[];
}

export type Chooser = (ctx: ChooseContext) => Decision;

export interface RunOptions {
  choose: Chooser;
  /** Seed of the chooser's stream; by default derived from the game's seed. */
  chooserSeed?: string | number;
  /** Injects the facilitator fires when a beat opens, by beat id. */
  injects?: (beat: string, state: GameState) => readonly string[];
  /** Event time of the first entry (ms); each entry is one second later. */
  startAt?: number;
  /** Keep the log (default true); off saves memory when thousands of games only need their ends. */
  keepLog?: boolean;
  /** Go on from this state (e.g. a shared prefix) instead of the initial one. */
  from?: GameState;
  /** Called when a beat is resolved, before moving on; 'stop' ends the run there. */
  onResolution?: (state: GameState, beat: string) => 'stop' | void;
}

export interface RefusedCommand {
  seq: number;
  by: Actor;
  command: Command;
  refusal: Refusal;
}

export interface HeadlessResult {
  log: LogEntry[];
  state: GameState;
  /** Null only when `onResolution` stopped the run first. */
  outcome: string | null;
  /** Beat ids in the order played. */
  path: string[];
  /** The highest ladder rung the world stood on at any point. */
  peakRung: number;
  /** Every settled choice (chosen or defaulted), beat by beat, with its rationale. */
  choices: ChoiceRecord[];
  /** Commands the engine refused (a chooser's bad move id or message); the game went on without them. */
  refused: RefusedCommand[];
}

const FACILITATOR: Actor = { kind: 'facilitator' };
/** No scenario comes near this; a loop that does is a bug, not a long game. */
const MAX_ENTRIES = 100_000;

/** Plays one whole game from its initial state to its outcome. */
export function runHeadless(game: Game, options: RunOptions): HeadlessResult {
  const keepLog = options.keepLog ?? true;
  const rng = new ChooserRng(options.chooserSeed ?? `chooser:${String(game.setup.seed)}`);
  const log: LogEntry[] = [];
  const refused: RefusedCommand[] = [];
  let state = options.from ?? initialState(game);
  let at = options.startAt ?? 0;
  let peakRung = state.turn.context.world.ladder;

  const send = (by: Actor, command: Command): boolean => {
    if (state.version >= MAX_ENTRIES) throw new Error(`game did not end within ${MAX_ENTRIES} events`);
    at += 1000;
    const entry: LogEntry = { seq: state.version + 1, at, by, commandId: `h${state.version + 1}`, command };
    const r = applyEntry(game, state, entry);
    if (!r.ok) {
      refused.push({ seq: entry.seq, by, command, refusal: r.refusal });
      return false;
    }
    state = r.state;
    if (keepLog) log.push(entry);
    peakRung = Math.max(peakRung, state.turn.context.world.ladder);
    return true;
  };

  if (phaseOf(state.turn) === 'lobby') send(FACILITATOR, { type: 'START' });
  if (phaseOf(state.turn) === 'briefing') send(FACILITATOR, { type: 'ADVANCE' });
  let stopped = false;
  while (!stopped && phaseOf(state.turn) !== 'outcome') {
    const beat = state.turn.context.beat;
    if (!beat) throw new Error(`no beat in phase ${phaseOf(state.turn)}`);
    for (const inject of options.injects?.(beat, state) ?? []) send(FACILITATOR, { type: 'FIRE_INJECT', inject });
    playPlanning(game, beat, rng, options.choose, () => state, send, (by, command, refusal) =>
      refused.push({ seq: state.version + 1, by, command, refusal }),
    );
    if (phaseOf(state.turn) === 'planning') send(FACILITATOR, { type: 'ADVANCE' });
    if (phaseOf(state.turn) === 'adjudication') send(FACILITATOR, { type: 'ACCEPT_ADJUDICATION' });
    if (phaseOf(state.turn) !== 'resolution') throw new Error(`beat ${beat} did not resolve (phase ${phaseOf(state.turn)})`);
    stopped = options.onResolution?.(state, beat) === 'stop';
    if (!stopped && !send(FACILITATOR, { type: 'ADVANCE' })) throw new Error(`beat ${beat} could not be left`);
  }

  const ctx = state.turn.context;
  return {
    log,
    state,
    outcome: ctx.outcome?.outcome ?? null,
    path: ctx.path,
    peakRung,
    choices: ctx.resolutions.flatMap((r) => r.choices),
    refused,
  };
}

/** Asks each acting seat in play, in the beat's order, and applies what it decides. */
function playPlanning(
  game: Game,
  beat: string,
  rng: ChooserRng,
  choose: Chooser,
  current: () => GameState,
  send: (by: Actor, command: Command) => boolean,
  reject: (by: Actor, command: Command, refusal: Refusal) => void,
): void {
  for (const actor of beatById(game.scenario, beat).actors) {
    const state = current();
    if (phaseOf(state.turn) !== 'planning') return;
    if (!state.turn.context.options.seatsInPlay.includes(actor.seat)) continue;
    const by: Actor = { kind: 'seat', seat: actor.seat };
    const decision = choose(chooseContext(game, state, actor.seat, beat, rng));
    for (const m of decision.messages ?? []) {
      // The wire schema, as the server would apply it: a malformed message is refused, not sent.
      const parsed = SendMessage.safeParse({ type: 'SEND_MESSAGE', ...m });
      if (parsed.success) send(by, parsed.data);
      else reject(by, { type: 'SEND_MESSAGE', ...m }, refuse('invalid', parsed.error.issues.map((i) => i.message).join('; ')));
    }
    if (decision.move !== null)
      send(
        by,
        Object.assign(
          { type: 'SUBMIT_MOVE' as const, move: decision.move, rationale: decision.rationale ?? '', lock: true },
          decision.also && decision.also.length > 0 ? { also: decision.also } : {},
        ),
      );
  }
}

function chooseContext(game: Game, state: GameState, seat: SeatId, beat: string, rng: ChooserRng): ChooseContext {
  return new SeatContext(game, state, seat, beat, rng);
}

/**
 * A seat's ChooseContext, its parts built on first call. A class rather than an object of three
 * closures: a seat is asked every beat of every simulated game, and each closure cost an allocation
 * (and, loaded through tsx, a `name` property defined on it), some 3 % of a worker's time.
 */
class SeatContext implements ChooseContext {
  private readonly viewer: Viewer;
  private seen: GameView | undefined = undefined;
  private botSeen: BotView | undefined = undefined;
  private read: Message[] | undefined = undefined;
  constructor(
    readonly game: Game,
    readonly state: GameState,
    readonly seat: SeatId,
    readonly beat: string,
    readonly rng: ChooserRng,
  ) {
    this.viewer = { kind: 'seat', seat };
  }
  view(): GameView {
    return (this.seen ??= viewFor(this.game, this.state, this.viewer));
  }
  botView(): BotView {
    return (this.botSeen ??= this.seen ?? botViewFor(this.game, this.state, this.seat));
  }
  messages(): Message[] {
    return (this.read ??= messagesFor(this.game, this.state, this.viewer));
  }
}

/**
 * A chooser that picks uniformly among the seat's moves in the beat and, where
 * the menu has `also` moves, takes each of the others with even odds (up to
 * the actor's limit), so random play covers the combinations too.
 */
export const randomChooser: Chooser = (ctx) => {
  const actor = beatById(ctx.game.scenario, ctx.beat).actors.find((a) => a.seat === ctx.seat);
  if (!actor) return { move: null };
  const move = ctx.rng.pick(actor.moves).id;
  const also: string[] = [];
  for (const m of actor.moves) if (m.also && m.id !== move && also.length < actor.maxAlso && ctx.rng.next() < 0.5) also.push(m.id);
  return also.length > 0 ? { move, also } : { move };
};
