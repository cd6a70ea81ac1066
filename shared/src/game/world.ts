import type { Condition, Effect, Scenario, SeatId } from '../scenario/schema.ts';
import { factsNamed } from '../scenario/facts.ts';
import { relayMatches, type RelayFact } from './relays.ts';

/** One seat's choice in one beat, as the conditions see it. */
export interface Choice {
  beat: string;
  seat: SeatId;
  move: string;
  /** True when the seat did not submit and the beat's default was used. */
  defaulted: boolean;
  /** The `also` moves taken beside `move`; absent when none (so old logs' states are unchanged). */
  also?: string[];
}

/** The state the adjudication moves. Plain JSON: it lives in the machine context. */
export interface World {
  ladder: number;
  /** measures[seat][measure] */
  measures: Record<SeatId, Record<string, number>>;
  /** Sorted, unique. */
  flags: string[];
  choices: Choice[];
  /** draw id → option id, for the draws made so far. */
  draws: Record<string, string>;
  seatsInPlay: SeatId[];
  /** Relays in mediated channels, beat by beat, as the adjudications saw them (relays.ts). */
  relays: RelayFact[];
}

/** Why the world changed. Every change in the ledger carries one. */
export type Cause =
  | { kind: 'move'; beat: string; seat: SeatId; move: string }
  | { kind: 'rule'; beat: string; rule: string }
  | { kind: 'draw'; beat: string; draw: string; option: string; roll: number }
  | { kind: 'inject'; inject: string }
  | { kind: 'override'; beat: string; reason: string };

export type ChangeTarget =
  | { kind: 'ladder' }
  | { kind: 'measure'; seat: SeatId; measure: string }
  | { kind: 'flag'; flag: string };

/** A change as recorded: from and to are after clamping to the measure's bounds. */
export interface Change {
  target: ChangeTarget;
  from: number;
  to: number;
  cause: Cause;
  /** The log position of the event that applied the change. */
  version: number;
}

export function initialWorld(scenario: Scenario, seatsInPlay: readonly SeatId[]): World {
  const measures: Record<SeatId, Record<string, number>> = {};
  for (const seat of scenario.seats) {
    const row: Record<string, number> = {};
    for (const m of scenario.measures) row[m.id] = clamp(seat.initial[m.id] ?? m.min, m.min, m.max);
    measures[seat.id] = row;
  }
  return {
    ladder: scenario.ladder.initial,
    measures,
    flags: [...new Set(scenario.initialFlags)].sort(),
    choices: [],
    draws: {},
    seatsInPlay: [...seatsInPlay],
    relays: [],
  };
}

/**
 * A shallow copy, field by field: one object shape for every world an adjudication makes, so the
 * code reading worlds stays monomorphic, and none of the slow paths a spread followed by keys can take.
 */
function copyWorld(w: World): World {
  return { ladder: w.ladder, measures: w.measures, flags: w.flags, choices: w.choices, draws: w.draws, seatsInPlay: w.seatsInPlay, relays: w.relays };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

export function measureValue(world: World, seat: SeatId, measure: string): number {
  return world.measures[seat]?.[measure] ?? 0;
}

function inRange(value: number, range: { gte?: number | undefined; lte?: number | undefined }): boolean {
  return (range.gte === undefined || value >= range.gte) && (range.lte === undefined || value <= range.lte);
}

type Test = (world: World) => boolean;

// Conditions are scenario data, read thousands of times in every simulated game: each condition
// object is turned once into a function (keyed by the object, so two loaded copies of a scenario
// never share one) instead of finding its kind by testing its keys on every read.
const tests = new WeakMap<Condition, Test>();

export function conditionHolds(world: World, c: Condition): boolean {
  return testOf(c)(world);
}

function testOf(c: Condition): Test {
  let test = tests.get(c);
  if (!test) {
    test = compileCondition(c);
    tests.set(c, test);
  }
  return test;
}

function compileCondition(c: Condition): Test {
  if ('all' in c) {
    const parts = c.all.map(testOf);
    return (world) => parts.every((t) => t(world));
  }
  if ('any' in c) {
    const parts = c.any.map(testOf);
    return (world) => parts.some((t) => t(world));
  }
  if ('not' in c) {
    const inner = testOf(c.not);
    return (world) => !inner(world);
  }
  if ('flag' in c) {
    const flag = c.flag;
    return (world) => world.flags.includes(flag);
  }
  if ('chose' in c) {
    const { seat, move } = c.chose;
    return (world) => world.choices.some((x) => x.seat === seat && (x.move === move || (x.also?.includes(move) ?? false)));
  }
  if ('ladder' in c) {
    const range = c.ladder;
    return (world) => inRange(world.ladder, range);
  }
  if ('measure' in c) {
    const m = c.measure;
    return (world) => inRange(measureValue(world, m.seat, m.measure), m);
  }
  if ('drew' in c) {
    const { draw, option } = c.drew;
    return (world) => world.draws[draw] === option;
  }
  if ('relayed' in c) {
    const relayed = c.relayed;
    return (world) => world.relays.some((r) => relayMatches(r, relayed));
  }
  const seat = c.seatInPlay;
  return (world) => world.seatsInPlay.includes(seat);
}

/**
 * The relays that made a holding condition hold: those matching a `relayed`
 * test it passed, outside any `not` (a relay cannot be the reason a
 * condition about its absence held).
 */
export function relaysThatMet(world: World, c: Condition): RelayFact[] {
  if (!conditionHolds(world, c)) return [];
  if ('all' in c) return c.all.flatMap((x) => relaysThatMet(world, x));
  if ('any' in c) return c.any.flatMap((x) => relaysThatMet(world, x));
  if ('relayed' in c) return world.relays.filter((r) => relayMatches(r, c.relayed));
  return [];
}

export function effectApplies(world: World, effect: Effect): boolean {
  return effect.when === undefined || conditionHolds(world, effect.when);
}

/** True when every fact the rung asserts holds (a rung without facts always does). */
export function rungAllowed(scenario: Scenario, world: World, level: number): boolean {
  const rung = scenario.ladder.rungs[level];
  if (rung === undefined) return false;
  for (const f of factsNamed(scenario, rung.facts)) if (!conditionHolds(world, f.when)) return false;
  return true;
}

/**
 * Where the ladder stands when it aims at `target`: the target if its facts
 * hold, else the nearest rung below whose facts hold, else the nearest above
 * (facts can lift the ladder: a strike on a state's soil leaves no room on
 * the rungs that say no state has struck). A world that fits no rung keeps
 * the target; the loader and the declared-facts test keep scenarios out of it.
 */
export function settleRung(scenario: Scenario, world: World, target: number): number {
  if (rungAllowed(scenario, world, target)) return target;
  for (let level = target - 1; level >= 0; level--) if (rungAllowed(scenario, world, level)) return level;
  for (let level = target + 1; level < scenario.ladder.rungs.length; level++) if (rungAllowed(scenario, world, level)) return level;
  return target;
}

/**
 * Applies one effect, clamped to bounds; a ladder step also settles on a rung
 * whose facts hold in `facts` (the world the step's batch leads to). Returns
 * the change, or null when nothing moved.
 */
export function applyEffect(
  scenario: Scenario,
  world: World,
  effect: Effect,
  cause: Cause,
  version: number,
  facts: World = world,
): { world: World; change: Change | null } {
  if (effect.kind === 'ladder') {
    const to = settleRung(scenario, facts, clamp(world.ladder + effect.delta, 0, scenario.ladder.rungs.length - 1));
    if (to === world.ladder) return { world, change: null };
    const next = copyWorld(world);
    next.ladder = to;
    return {
      world: next,
      change: { target: { kind: 'ladder' }, from: world.ladder, to, cause, version },
    };
  }
  if (effect.kind === 'measure') {
    const def = scenario.measures.find((m) => m.id === effect.measure);
    if (!def) return { world, change: null };
    const from = measureValue(world, effect.seat, effect.measure);
    const to = clamp(from + effect.delta, def.min, def.max);
    if (to === from) return { world, change: null };
    // Copies set by key, not `{ ...row, [key]: to }`: a computed key after a spread takes V8's slow
    // path (about 2.5× the time), and every adjudication applies dozens of these.
    const row = { ...world.measures[effect.seat] };
    row[effect.measure] = to;
    const next = copyWorld(world);
    next.measures = { ...world.measures };
    next.measures[effect.seat] = row;
    return {
      world: next,
      change: { target: { kind: 'measure', seat: effect.seat, measure: effect.measure }, from, to, cause, version },
    };
  }
  const has = world.flags.includes(effect.flag);
  if (has === effect.set) return { world, change: null };
  const next = copyWorld(world);
  next.flags = effect.set ? [...world.flags, effect.flag].sort() : world.flags.filter((f) => f !== effect.flag);
  return {
    world: next,
    change: { target: { kind: 'flag', flag: effect.flag }, from: has ? 1 : 0, to: effect.set ? 1 : 0, cause, version },
  };
}

/**
 * Applies planned effects in order; returns the new world and the changes
 * that really happened. The ladder obeys the rungs' facts as they stand once
 * the whole batch has happened, so the order of a move's effects (a ladder
 * step listed before the flag that justifies it) does not matter. When the
 * facts leave the ladder on a rung they contradict, it first settles (with
 * the cause of the change that made the rung untenable) and the batch's
 * ladder steps count from there.
 */
export function applyEffects(
  scenario: Scenario,
  world: World,
  planned: ReadonlyArray<{ effect: Effect; cause: Cause }>,
  version: number,
): { world: World; changes: Change[] } {
  // Measures and flags do not depend on the ladder, so the first pass's changes to them are the
  // batch's: the second pass places the ladder's steps among them without applying them again.
  let facts = world;
  let untenableBy: Cause | null = null;
  const factChanges: (Change | null)[] = [];
  for (const p of planned) {
    if (p.effect.kind === 'ladder') {
      factChanges.push(null);
      continue;
    }
    const r = applyEffect(scenario, facts, p.effect, p.cause, version);
    facts = r.world;
    factChanges.push(r.change);
    if (r.change && untenableBy === null && !rungAllowed(scenario, facts, world.ladder)) untenableBy = p.cause;
  }
  // `ladderWorld` only ever differs from `world` in its ladder: applyEffect reads nothing else for a ladder step.
  let ladderWorld = world;
  const changes: Change[] = [];
  const settle = (cause: Cause) => {
    const to = settleRung(scenario, facts, ladderWorld.ladder);
    if (to === ladderWorld.ladder) return;
    changes.push({ target: { kind: 'ladder' }, from: ladderWorld.ladder, to, cause, version });
    ladderWorld = copyWorld(ladderWorld);
    ladderWorld.ladder = to;
  };
  // The last change to a measure or a flag, kept as it is pushed: reading it back from `changes` by its
  // target's kind made V8 recompile this function whenever a target of a shape not seen yet came by.
  let lastFactChange: Change | null = null;
  for (let i = 0; i < planned.length; i++) {
    const p = planned[i]!;
    const factChange = factChanges[i];
    if (p.effect.kind !== 'ladder') {
      if (factChange) changes.push((lastFactChange = factChange));
      continue;
    }
    settle(untenableBy ?? p.cause);
    const r = applyEffect(scenario, ladderWorld, p.effect, p.cause, version, facts);
    ladderWorld = r.world;
    if (r.change) changes.push(r.change);
  }
  if (lastFactChange) settle(untenableBy ?? lastFactChange.cause);
  if (ladderWorld.ladder === facts.ladder) return { world: facts, changes };
  const result = copyWorld(facts);
  result.ladder = ladderWorld.ladder;
  return { world: result, changes };
}
