/**
 * A deterministic, realistic command stream for april-2024: seats talk on
 * the channels they belong to, draft and lock moves, the facilitator pauses,
 * extends, fires injects, reviews adjudications and advances; now and then a
 * deadline expires. Every generated entry is accepted by the engine, so the
 * logs it records replay cleanly.
 */
import {
  actingSeatsInPlay,
  applyEntry,
  checkCommand,
  beatById,
  ChooserRng,
  channelIsOpen,
  createGame,
  initialState,
  phaseOf,
  type Actor,
  type Command,
  type Game,
  type GameState,
  type LogEntry,
  type Phase,
  type Scenario,
} from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';

export const SCENARIO_ID = 'april-2024';
/** Five seats: the four required ones and Hezbollah. */
export const OPTIONAL_SEATS = ['hezbollah'];
export const T0 = 1_712_000_000_000;

export function benchScenario(): Scenario {
  return shippedScenario(SCENARIO_ID);
}

export function benchGame(seed: string): Game {
  return createGame(benchScenario(), { scenarioId: SCENARIO_ID, seed, optionalSeats: OPTIONAL_SEATS });
}

/** A seeded generator (the shared mulberry32, as the headless runner's choosers draw), so every run produces the same workload. */
export class Rng extends ChooserRng {
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const WORDS = (
  'we urge restraint and expect a proportionate answer our red lines remain the same the consulate strike ' +
  'changes nothing about our commitment to regional security please relay this message to tehran before dawn ' +
  'airspace will close at midnight we are ready to talk if the other side stands down intercept rates matter ' +
  'the cabinet meets tonight keep this channel open washington wants a quiet end to this round'
).split(' ');

export function randomText(rng: Rng, tag: string): string {
  const n = 6 + rng.int(40);
  const words: string[] = [tag];
  for (let i = 0; i < n; i++) words.push(rng.pick(WORDS));
  return words.join(' ');
}

export interface Action {
  by: Actor;
  command: Command;
  /** The entry's time, when it must be a particular one (a deadline). */
  at?: number;
}

const FACILITATOR: Actor = { kind: 'facilitator' };

/** Applies commands like the server does (stamps, checks, logs) and keeps the log. */
export class Driver {
  state: GameState;
  readonly log: LogEntry[] = [];
  now = T0;
  private lastMediated: string | null = null;

  constructor(
    readonly game: Game,
    readonly rng: Rng,
    /** Keep the accepted entries (off for sessions that only need their state). */
    private readonly keepLog = true,
  ) {
    this.state = initialState(game);
  }

  get phase(): Phase {
    return phaseOf(this.state.turn);
  }

  apply(action: Action): LogEntry {
    this.now = Math.max(this.now + 200 + this.rng.int(5000), action.at ?? 0);
    const seq = this.state.version + 1;
    let command = action.command;
    // Public statements are capped per seat and minute: past the cap the seat writes to another of its channels.
    if (command.type === 'SEND_MESSAGE' && action.by.kind === 'seat' && checkCommand(this.game, this.state, action.by, command, this.now)?.code === 'rate_limited') {
      const seat = action.by.seat;
      const world = this.state.turn.context.world;
      const others = this.game.scenario.channels.filter((c) => c.kind !== 'public' && c.kind !== 'mediated' && c.members.includes(seat) && channelIsOpen(world, c));
      if (others.length > 0) command = { type: 'SEND_MESSAGE', channel: this.rng.pick(others).id, text: command.text };
    }
    const entry: LogEntry = { seq, at: this.now, by: action.by, commandId: `bench-${seq}-${this.rng.int(1e9)}`, command };
    const r = applyEntry(this.game, this.state, entry);
    if (!r.ok) throw new Error(`workload bug: ${action.command.type} refused at ${seq} (${this.phase}): ${r.refusal.code}: ${r.refusal.message}`);
    this.state = r.state;
    if (r.message && this.game.scenario.channels.find((c) => c.id === r.message?.channel)?.kind === 'mediated') this.lastMediated = r.message.id;
    if (this.keepLog) this.log.push(entry);
    return entry;
  }

  /** One step of a whole game (START … debrief); null once the game is over. */
  step(mode: 'game' | 'endless'): LogEntry | null {
    const action = this.nextAction(mode);
    return action ? this.apply(action) : null;
  }

  /** A message from a random seat on a channel it may write to now. */
  seatMessage(tag = `m${this.state.version + 1}`): Action {
    const { scenario } = this.game;
    const world = this.state.turn.context.world;
    const seat = this.rng.pick(world.seatsInPlay);
    const channels = scenario.channels.filter((c) => c.members.includes(seat) && channelIsOpen(world, c));
    // Public statements and team chatter dominate, as at a real table.
    const channel = this.rng.chance(0.45) ? (channels.find((c) => c.kind === 'public') ?? this.rng.pick(channels)) : this.rng.pick(channels);
    const command: Command = { type: 'SEND_MESSAGE', channel: channel.id, text: randomText(this.rng, tag) };
    if (channel.kind === 'mediated' && seat === channel.relay) {
      const principals = channel.members.filter((m) => m !== seat && world.seatsInPlay.includes(m));
      if (this.lastMediated && this.rng.chance(0.3)) command.relayOf = this.lastMediated;
      else if (principals.length > 0 && this.rng.chance(0.5)) command.to = this.rng.pick(principals);
    }
    return { by: { kind: 'seat', seat }, command };
  }

  private whiteCell(): Action {
    return { by: FACILITATOR, command: { type: 'SEND_MESSAGE', channel: 'public', text: randomText(this.rng, 'white-cell') } };
  }

  private nextAction(mode: 'game' | 'endless'): Action | null {
    const { scenario } = this.game;
    const ctx = this.state.turn.context;
    const rng = this.rng;
    const fac = (command: Command): Action => ({ by: FACILITATOR, command });
    const rewind = (): Action => fac({ type: 'REWIND', beat: rng.pick(ctx.checkpoints).beat });
    if (ctx.paused) return rng.chance(0.4) ? this.seatMessage() : fac({ type: 'RESUME' });
    switch (this.phase) {
      case 'lobby':
        return fac({ type: 'START' });
      case 'briefing':
        return rng.chance(0.5) ? this.seatMessage() : fac({ type: 'ADVANCE' });
      case 'planning': {
        const r = rng.next();
        if (r < 0.45) return this.seatMessage();
        if (r < 0.49) return this.whiteCell();
        if (r < 0.51) return fac({ type: 'FIRE_INJECT', inject: rng.pick(scenario.injects).id });
        if (r < 0.53) return fac({ type: 'PAUSE' });
        if (r < 0.55 && ctx.timer) return fac({ type: 'EXTEND_TIMER', seconds: 60 + rng.int(240) });
        if (r < 0.56 && ctx.timer?.deadline != null)
          return { by: { kind: 'system' }, command: { type: 'TIMER_EXPIRED', timerVersion: ctx.timer.setAtVersion }, at: ctx.timer.deadline };
        if (r < 0.565) return fac({ type: 'ADVANCE' });
        if (mode === 'endless' && r < 0.57 && ctx.checkpoints.length > 0) return rewind();
        const open = actingSeatsInPlay(scenario, ctx).filter((s) => ctx.submissions[s]?.locked !== true);
        if (open.length === 0) return fac({ type: 'ADVANCE' });
        const seat = rng.pick(open);
        const beat = beatById(scenario, ctx.beat ?? '');
        const actor = beat.actors.find((a) => a.seat === seat);
        if (!actor) throw new Error(`workload bug: ${seat} does not act in ${beat.id}`);
        const move = rng.pick(actor.moves).id;
        const lock = ctx.submissions[seat] ? rng.chance(0.8) : rng.chance(0.5);
        return { by: { kind: 'seat', seat }, command: { type: 'SUBMIT_MOVE', move, rationale: randomText(rng, `${seat} because`), lock } };
      }
      case 'adjudication': {
        const r = rng.next();
        if (r < 0.2) return this.seatMessage();
        if (r < 0.3)
          return fac({ type: 'OVERRIDE_ADJUDICATION', changes: [{ kind: 'ladder', delta: rng.chance(0.5) ? 1 : -1 }], reason: 'The white cell judges the exchange differently.' });
        return fac({ type: 'ACCEPT_ADJUDICATION' });
      }
      case 'resolution': {
        const r = rng.next();
        if (r < 0.25) return this.seatMessage();
        if (mode === 'endless' && r < 0.28) return rewind();
        return fac({ type: 'ADVANCE' });
      }
      case 'outcome':
        if (rng.chance(0.2)) return this.seatMessage();
        return mode === 'endless' ? rewind() : fac({ type: 'ADVANCE' });
      case 'debrief':
        return null;
    }
  }
}

/** One whole game, START to debrief. */
export function playWholeGame(seed: string): { game: Game; log: LogEntry[] } {
  const driver = new Driver(benchGame(seed), new Rng(seed));
  for (let i = 0; i < 5000 && driver.step('game'); i++);
  if (driver.phase !== 'debrief') throw new Error('workload bug: the game did not end');
  return { game: driver.game, log: driver.log };
}

/** A long-running session: games played to their outcome and rewound, `events` entries in all. */
export function endlessLog(seed: string, events: number): { game: Game; log: LogEntry[]; driver: Driver } {
  const driver = new Driver(benchGame(seed), new Rng(seed));
  while (driver.log.length < events) driver.step('endless');
  return { game: driver.game, log: driver.log, driver };
}

export function kindOf(entry: LogEntry): 'message' | 'move' | 'facilitator' {
  if (entry.command.type === 'SEND_MESSAGE') return 'message';
  if (entry.command.type === 'SUBMIT_MOVE') return 'move';
  return 'facilitator';
}
