import { z } from 'zod';
import { SeatId, Slug } from './slug.ts';
import { Condition, Effect, Variant } from './condition.ts';
import { Teaching } from './teaching.ts';
import { Presets } from './presets.ts';
import { Rubric } from './rubric.ts';
import { Personas } from './personas.ts';
import { ScenarioMap } from './map.ts';
import { MAX_ALSO } from '../limits.ts';
import { DEFAULT_HISTORICAL_LABEL } from './historical-label.ts';

/**
 * The shape of a scenario. Scenarios are data: the turn machine, the
 * adjudication and the per-seat views are generic over this schema, so a new
 * crisis is a new data file, not new code. Everything is validated at load
 * time (see `loadScenario`), including cross references that a type cannot
 * express (a move id that names no move, a beat that cannot be left).
 */

export { SeatId, Slug };
// The conditions and effects scenario data is written in, with their own module (and re-exported here).
export * from './condition.ts';

/** A measure of one seat, bounded. Every change is clamped to [min, max]. */
export const MeasureDef = z.object({
  id: Slug,
  label: z.string().min(1),
  description: z.string().min(1),
  min: z.number().int(),
  max: z.number().int(),
});
export type MeasureDef = z.infer<typeof MeasureDef>;

export const Seat = z.object({
  id: SeatId,
  name: z.string().min(1),
  /**
   * The name as it reads inside a sentence ("the United States", "the mediators"), where
   * generated text (bots' lines, relays, the debrief's causes) puts it; the name when absent.
   * Written lower-case where English wants it: a sentence that starts with it gets its capital.
   */
  inSentence: z.string().min(1).optional(),
  /** A few letters for tight spaces (map labels, lock-in chips). */
  short: z.string().min(1).max(6),
  /** Optional seats may be left out of a session; their moves then fall back to defaults. */
  optional: z.boolean(),
  /** CSS colour for the seat's chip. Never the only signal: the name is always shown too. */
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  description: z.string().min(1),
  /** Starting value per measure id. Missing measures start at the measure's min. */
  initial: z.record(z.string(), z.number().int()),
});
export type Seat = z.infer<typeof Seat>;


/**
 * A fact about the world that some text asserts, named once. Outcomes and
 * ladder rungs list the facts they assert; the engine takes a `next` step to
 * an outcome only when its facts hold, and the ladder stands only on rungs
 * whose facts hold (shared/src/game/facts.ts).
 */
export const Fact = z
  .object({
    id: Slug,
    /** The fact in words, as a true sentence when `when` holds. */
    says: z.string().min(1),
    when: Condition,
  })
  .strict();
export type Fact = z.infer<typeof Fact>;

/** Fact ids (from the scenario's `facts`) that a text asserts: all must hold. */
const FactRefs = z.array(Slug).default([]);

export const Rung = z
  .object({
    level: z.number().int().min(0),
    name: z.string().min(1),
    description: z.string().min(1),
    /** What standing on this rung asserts: the ladder never stands on a rung whose facts do not hold. */
    facts: FactRefs,
  })
  .strict();
export type Rung = z.infer<typeof Rung>;

/**
 * Who learns that a move was chosen, once the beat resolves. During planning a
 * move is only ever visible to its own seat (and the facilitator).
 */
export const Visibility = z.union([
  z.literal('public'),
  z.literal('actor'),
  z.object({ seats: z.array(SeatId).min(1) }).strict(),
]);
export type Visibility = z.infer<typeof Visibility>;


export const MapMarkKind = z.enum(['strike', 'launch', 'interception', 'retaliation', 'diplomacy', 'deployment', 'cyber']);
export type MapMarkKind = z.infer<typeof MapMarkKind>;

export const MapMark = z
  .object({
    /** A place id from the scenario's `map.places`. */
    place: Slug,
    kind: MapMarkKind,
    label: z.string().min(1),
    /** Where a launch or deployment comes from, a place id too. */
    from: Slug.optional(),
  })
  .strict();
export type MapMark = z.infer<typeof MapMark>;

/**
 * How escalatory a move is, on the scale of Rivera et al. (2024), "Escalation
 * Risks from Language Models in Military and Diplomatic Decision-Making": the
 * category decides the score (see analysis/escalation.ts), so human, bot and
 * AI sessions are compared on one published scale.
 */
export const Escalation = z.enum(['de-escalation', 'status-quo', 'posturing', 'non-violent', 'violent', 'nuclear']);
export type Escalation = z.infer<typeof Escalation>;

export const Move = z
  .object({
    id: Slug,
    title: z.string().min(1),
    /** Where the move sits on the escalation scale (Rivera et al. 2024). */
    escalation: Escalation,
    description: z.string().min(1),
    visibility: Visibility,
    effects: z.array(Effect),
    /** What everyone who may see the move reads in the resolution. */
    outcomeText: z.string().min(1),
    /** Other outcome texts, chosen at adjudication against the picture the rules read. */
    outcomeVariants: z.array(Variant).default([]),
    /** Marks for the projector map when the move is revealed publicly. */
    marks: z.array(MapMark).default([]),
    /** True for the choice made in history (the path `historicalLabel` names), so the debrief can compare. */
    historical: z.boolean().default(false),
    /**
     * May also be taken beside the seat's main move in the beat ("also do"),
     * up to the actor's `maxAlso`. It is still a main move a seat may choose.
     */
    also: z.boolean().default(false),
  })
  .strict();
export type Move = z.infer<typeof Move>;

export const BeatActor = z
  .object({
    seat: SeatId,
    /** The prompt this seat sees above its move cards. */
    prompt: z.string().min(1),
    moves: z.array(Move).min(1),
    /** Applied when the seat does not lock in before the beat closes, or is not in play. */
    defaultMove: Slug,
    /** How many `also` moves the seat may take beside its main move in this beat. */
    maxAlso: z.number().int().min(0).max(MAX_ALSO).default(2),
  })
  .strict();
export type BeatActor = z.infer<typeof BeatActor>;

/** A world rule applied during adjudication when its condition holds. */
export const Rule = z
  .object({
    id: Slug,
    description: z.string().min(1),
    when: Condition,
    effects: z.array(Effect).min(1),
    /** Told to everyone in the resolution when the rule fires. */
    text: z.string().min(1),
    /** Other texts, chosen at adjudication against the picture the rules read. */
    textVariants: z.array(Variant).default([]),
    marks: z.array(MapMark).default([]),
  })
  .strict();
export type Rule = z.infer<typeof Rule>;

export const DrawOption = z
  .object({
    id: Slug,
    label: z.string().min(1),
    /** Base weight; adjustments add to it when their condition holds (never below zero). */
    weight: z.number().int().min(0),
    adjust: z.array(z.object({ when: Condition, add: z.number().int() }).strict()).default([]),
    effects: z.array(Effect),
    text: z.string().min(1),
    /** Other texts, chosen at adjudication against the picture the rules read. */
    textVariants: z.array(Variant).default([]),
    marks: z.array(MapMark).default([]),
    /** True for what happened in history (the path `historicalLabel` names), so the report can set the session's draw beside it. */
    historical: z.boolean().default(false),
  })
  .strict();
export type DrawOption = z.infer<typeof DrawOption>;

/** A seeded, reproducible random draw made during adjudication (e.g. how much gets through). */
export const Draw = z
  .object({
    id: Slug,
    title: z.string().min(1),
    when: Condition.optional(),
    options: z.array(DrawOption).min(2),
  })
  .strict();
export type Draw = z.infer<typeof Draw>;

/** Guards that pick what follows a beat: the first whose condition holds wins. */
export const NextStep = z.union([
  z.object({ beat: Slug, when: Condition.optional() }).strict(),
  z.object({ outcome: Slug, when: Condition.optional() }).strict(),
]);
export type NextStep = z.infer<typeof NextStep>;

export const Beat = z
  .object({
    id: Slug,
    title: z.string().min(1),
    /** In-game date, e.g. "1 April 2024". */
    date: z.string().min(1),
    /** The public situation at the start of the beat. */
    situation: z.string().min(1),
    /** Other situations, chosen when the beat opens against the world then. */
    situationVariants: z.array(Variant).default([]),
    timerSeconds: z.number().int().min(10).max(7200),
    actors: z.array(BeatActor).min(1),
    /** Private per seat: what this seat knows and wants at this point. */
    briefings: z.record(SeatId, z.string().min(1)),
    /** Other briefings per seat, chosen when the beat opens against the world then. */
    briefingVariants: z.record(SeatId, z.array(Variant)).default({}),
    rules: z.array(Rule).default([]),
    draws: z.array(Draw).default([]),
    /** Marks shown on the map when the beat opens. */
    marks: z.array(MapMark).default([]),
    next: z.array(NextStep).min(1),
  })
  .strict();
export type Beat = z.infer<typeof Beat>;

export const Outcome = z
  .object({
    id: Slug,
    title: z.string().min(1),
    description: z.string().min(1),
    /** Other descriptions, chosen when the game ends against the world then. */
    descriptionVariants: z.array(Variant).default([]),
    /** What the outcome asserts: a `next` step leads to it only while these facts hold. */
    facts: FactRefs,
    historical: z.boolean().default(false),
  })
  .strict();
export type Outcome = z.infer<typeof Outcome>;

export const Inject = z
  .object({
    id: Slug,
    title: z.string().min(1),
    text: z.string().min(1),
    effects: z.array(Effect),
    marks: z.array(MapMark).default([]),
  })
  .strict();
export type Inject = z.infer<typeof Inject>;

/**
 * Channels. `mediated`: the principals write to the relay seat only; the relay
 * seat passes a message on (a relay is a new message visible to the whole
 * channel). `opensWhen` keeps a channel closed until a condition holds (e.g. a
 * direct Iran–US line opened by an inject).
 */
export const Channel = z
  .object({
    id: Slug,
    kind: z.enum(['public', 'bilateral', 'mediated', 'team']),
    title: z.string().min(1),
    members: z.array(SeatId),
    relay: SeatId.optional(),
    opensWhen: Condition.optional(),
    /** Public channels: statements one seat may make in any minute (by event times); MAX_STATEMENTS_PER_MINUTE when left out. */
    statementsPerMinute: z.number().int().min(1).max(600).optional(),
  })
  .strict();
export type Channel = z.infer<typeof Channel>;

/** A message the relay seat passed on in history: from one principal of a mediated channel to another. */
export const HistoricalRelay = z
  .object({
    from: SeatId,
    to: SeatId,
    /** What the message said, in a sentence (the debrief shows it; headless history sends it). */
    text: z.string().min(1),
  })
  .strict();
export type HistoricalRelay = z.infer<typeof HistoricalRelay>;

/**
 * What one seat did in one beat in history: its main move, what else it did
 * (`also` moves of the beat's menu), and (for a relay seat) the messages it
 * passed on.
 */
export const HistoricalStep = z
  .object({
    beat: Slug,
    seat: SeatId,
    move: Slug,
    also: z.array(Slug).default([]),
    relays: z.array(HistoricalRelay).default([]),
  })
  .strict();
export type HistoricalStep = z.infer<typeof HistoricalStep>;

export const Scenario = z
  .object({
    id: Slug,
    /** Bumped whenever the data changes meaning; stored with every snapshot. */
    version: z.number().int().min(1),
    title: z.string().min(1),
    summary: z.string().min(1),
    /** Read by everyone in the briefing phase. */
    openingBriefing: z.string().min(1),
    seats: z.array(Seat).min(2),
    measures: z.array(MeasureDef).min(1),
    ladder: z.object({ rungs: z.array(Rung).min(2), initial: z.number().int().min(0) }).strict(),
    /** World flags set at the start. */
    initialFlags: z.array(Slug).default([]),
    /** Facts that outcomes and rungs assert, each named once (see `Fact`). */
    facts: z.array(Fact).default([]),
    startBeat: Slug,
    beats: z.array(Beat).min(1),
    outcomes: z.array(Outcome).min(2),
    injects: z.array(Inject).default([]),
    channels: z.array(Channel).min(1),
    /** The places marks name and the region the projector map shows (map.ts). */
    map: ScenarioMap,
    /** The choices actually made, in order, for the debrief and the historical-path test. */
    historicalPath: z.array(HistoricalStep).min(1),
    historicalOutcome: Slug,
    /**
     * What the report and the comparison call the historical path, written as
     * it reads inside a sentence ("Compared with …", "as in …"), e.g. "April
     * 2024". An invented scenario's path is a reference, not history: the
     * default says so.
     */
    historicalLabel: z.string().min(1).max(60).default(DEFAULT_HISTORICAL_LABEL),
    /** Objectives, role profiles, notes and questions for a class (teaching.ts). */
    teaching: Teaching.optional(),
    /** Class-length presets and pacing estimates (presets.ts). */
    presets: Presets.optional(),
    /** The criteria and scale the white cell scores each team on (rubric.ts). */
    rubric: Rubric.optional(),
    /** Bot personas per seat and the default mix (personas.ts). */
    personas: Personas.optional(),
  })
  .strict();
export type Scenario = z.infer<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;
