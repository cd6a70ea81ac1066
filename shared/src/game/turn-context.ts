/**
 * What the turn machine keeps (its context) and receives (its events), and the reads of them that
 * views, adjudication and timers share; machine.ts builds the machine itself on these.
 */
import type { Scenario, SeatId } from '../scenario/schema.ts';
import type { PrngState } from '../prng.ts';
import type { Actor, GameCommand } from './commands.ts';
import type { RelayFact } from './relays.ts';
import { beatById, type ChoiceRecord, type CountedRelay, type DrawRecord, type NarrativeLine, type Proposal, type Submission } from './adjudication.ts';
import { conditionHolds, type Change, type World } from './world.ts';
import type { BeatTexts, VariantIndex } from './texts.ts';
import { stepGuard } from '../scenario/facts.ts';

/** Bumped when the machine's structure or context changes meaning; stored with every snapshot. */
export const MACHINE_VERSION = 3;

export interface SessionOptions {
  /** Multiplies every beat's default timer (0.1 for a fast test, 2 for a long seminar). */
  timerScale: number;
  /** Per-beat timer overrides in seconds. */
  timerSeconds: Record<string, number>;
  /** When false, the rule engine's proposal is applied without waiting for the facilitator. */
  review: boolean;
  /** Shared between sessions with the same seats (sharedSeatsInPlay, game.ts): never changed. */
  seatsInPlay: readonly SeatId[];
}

export interface Timer {
  /** Absolute time (ms since epoch, from event fields) when planning closes; null while paused. */
  deadline: number | null;
  /** Left on the clock while paused. */
  remainingMs: number | null;
  /** The state version at which this deadline was set; a TIMER_EXPIRED must name it. */
  setAtVersion: number;
}

export interface Resolution {
  beat: string;
  beatIndex: number;
  choices: ChoiceRecord[];
  draws: DrawRecord[];
  narrative: NarrativeLine[];
  changes: Change[];
  override: { reason: string } | null;
  /** The beat's relays and what each counted for. */
  relays: CountedRelay[];
  version: number;
  at: number;
}

export interface Checkpoint {
  beat: string;
  beatIndex: number;
  /** The texts the beat opened with. */
  texts: BeatTexts;
  world: World;
  rng: PrngState;
  ledgerLength: number;
  resolutionsLength: number;
  injectsLength: number;
  path: string[];
  version: number;
}

export interface FiredInject {
  inject: string;
  version: number;
  at: number;
  changes: Change[];
}

export interface OutcomeRecord {
  outcome: string;
  /** The description shown, chosen against the world when the game ended. */
  variant: VariantIndex;
  by: 'rules' | 'facilitator';
  reason: string | null;
  path: string[];
  version: number;
  at: number;
}

export interface TurnContext {
  scenarioId: string;
  scenarioVersion: number;
  machineVersion: number;
  seed: PrngState;
  rng: PrngState;
  options: SessionOptions;
  beat: string | null;
  /** The situation and briefings the current beat opened with (texts.ts). */
  beatTexts: BeatTexts | null;
  /** 1-based count of beats entered on the current path. */
  beatIndex: number;
  /** Beat ids entered so far on the current path (rewinds cut it back). */
  path: string[];
  timer: Timer | null;
  paused: boolean;
  submissions: Record<SeatId, Submission>;
  proposal: Proposal | null;
  world: World;
  ledger: Change[];
  resolutions: Resolution[];
  checkpoints: Checkpoint[];
  injects: FiredInject[];
  outcome: OutcomeRecord | null;
  /** Seats played by a bot, and which (a persona id or "llm"). Outside checkpoints: a rewind keeps them. */
  bots: Record<SeatId, string>;
}

/**
 * A shallow copy, field by field, in the context factory's order: every assignment of every event
 * makes one, and `{ ...context, ...changes }` costs about 1 µs where this costs a tenth of that.
 * Typed as a whole TurnContext, so a field added to the context cannot be left out here.
 */
export function copyContext(c: TurnContext): TurnContext {
  return {
    scenarioId: c.scenarioId,
    scenarioVersion: c.scenarioVersion,
    machineVersion: c.machineVersion,
    seed: c.seed,
    rng: c.rng,
    options: c.options,
    beat: c.beat,
    beatTexts: c.beatTexts,
    beatIndex: c.beatIndex,
    path: c.path,
    timer: c.timer,
    paused: c.paused,
    submissions: c.submissions,
    proposal: c.proposal,
    world: c.world,
    ledger: c.ledger,
    resolutions: c.resolutions,
    checkpoints: c.checkpoints,
    injects: c.injects,
    outcome: c.outcome,
    bots: c.bots,
  };
}

/**
 * What the machine receives: a command stamped with who sent it, its log
 * position and its time. An event that may close planning also carries the
 * relays sent in the beat so far, read off the message log (relays.ts), so
 * the adjudication sees them without messages ever entering the machine.
 */
export type TurnEvent = GameCommand & { by: Actor; seq: number; at: number; relays?: RelayFact[] };

export interface TurnInput {
  scenario: Scenario;
  seed: PrngState;
  options: SessionOptions;
}

export function beatTimerMs(scenario: Scenario, options: SessionOptions, beatId: string): number {
  const seconds = options.timerSeconds[beatId] ?? beatById(scenario, beatId).timerSeconds * options.timerScale;
  return Math.max(1000, Math.round(seconds * 1000));
}

/**
 * The index of the first `next` step whose guard holds: its condition and,
 * for an outcome, the facts the outcome asserts (facts.ts). The last step is
 * the fallback when none does; the declared-facts test plays thousands of
 * games to show that the shipped scenarios never need it to.
 */
export function nextStepIndex(scenario: Scenario, beatId: string, world: World): number {
  const steps = beatById(scenario, beatId).next;
  const i = steps.findIndex((s) => {
    const guard = stepGuard(scenario, s);
    return guard === undefined || conditionHolds(world, guard);
  });
  return i === -1 ? steps.length - 1 : i;
}

export function actingSeatsInPlay(scenario: Scenario, ctx: TurnContext): SeatId[] {
  // One literal and a push loop (as mapList), so that every list returned has one elements kind, empty or not.
  const seats: SeatId[] = [];
  if (ctx.beat) for (const a of beatById(scenario, ctx.beat).actors) if (ctx.options.seatsInPlay.includes(a.seat)) seats.push(a.seat);
  return seats;
}
