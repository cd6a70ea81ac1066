/** The fan-out bench's settings, with their defaults and as read from the environment (fanout.ts's header lists them). */
import { parseBallasts, type BallastSpec } from './ballast.ts';
import { DISTURBANCE_DEFAULTS, type DisturbanceLimits } from './disturbance.ts';
import { harnessNode, selfNode, serverNodes, type NodeBinary } from './node-binaries.ts';

export interface FanoutOptions {
  sessions: number;
  loadMs: number;
  /** Sending before each load window, not measured (harness.ts). */
  warmupMs: number;
  drainMs: number;
  rates: number[];
  rounds: number;
  /** The index of this call's first round in a series of calls (FANOUT_ROUND_OFFSET): round r runs its phases in the order of index offset + r (phase-order.ts). */
  roundOffset: number;
  /** The rate of the Redis phases; 0 leaves them out. */
  redisRate: number;
  redisUrl: string;
  /** Settings for a third phase in every condition, Rubicon with these (an A/B in one run); null for none. */
  variant: Record<string, string> | null;
  /** Another checkout whose Rubicon runs as a further phase in every condition (an A/B of code in one run); null for none. */
  baseline: string | null;
  /** Servers under tsx (its keepNames wrappers included) rather than bundled to plain JavaScript like the shipped build. */
  tsx: boolean;
  /** Single-process phases: every server on CPU 0 and the harness on CPU 1 (FANOUT_PIN=1; pin.ts says why). */
  pin: boolean;
  /** The servers' Node binaries (FANOUT_NODE): every contender runs on each; by default the bench's own. */
  serverNodes: NodeBinary[];
  /** The harness's, the same for every phase (FANOUT_HARNESS_NODE). */
  harnessNode: NodeBinary;
  /** Past these, a phase is marked disturbed (FANOUT_STEAL_MAX, FANOUT_STEAL_SECOND_MAX, FANOUT_OTHERS_MAX). */
  disturbance: DisturbanceLimits;
  /** Where to write every condition's rounds (FANOUT_SAVE); null for nowhere. */
  save: string | null;
  /** Where the idle-memory figure is taken (FANOUT_IDLE); several: every contender with each, in the same rounds. */
  idle: IdlePlacement[];
  /** Further bare contenders, each with a heap ballast shaped like Rubicon's message log (FANOUT_BALLAST, ballast.ts); none by default. */
  ballasts: BallastSpec[];
}

/**
 * `separate`: the idle figure from servers of its own, set up and collected
 * with gc() and stopped, before the load phase's fresh servers, which no
 * forced collection touches (what a long-running server sees); `inline`: as
 * before 5 December, 23:50 UTC, the load phase's own servers collected with gc() at the
 * end of set-up, which sets V8's old-generation limit the window then meets.
 */
export type IdlePlacement = 'separate' | 'inline';

/** FANOUT_IDLE: "separate" (the default), "inline", or both ("inline,separate"), in the order named. */
export function idlePlacements(value: string | undefined): IdlePlacement[] {
  const named = (value ?? '').split(',').map((v) => v.trim()).filter(Boolean);
  if (named.length === 0) return ['separate'];
  for (const v of named) if (v !== 'separate' && v !== 'inline') throw new Error(`FANOUT_IDLE: "${v}" is neither "separate" nor "inline"`);
  return [...new Set(named as IdlePlacement[])];
}

export const FANOUT_DEFAULTS: Omit<FanoutOptions, 'redisUrl' | 'variant' | 'baseline'> = {
  sessions: 200,
  loadMs: 20_000,
  warmupMs: 3_000,
  drainMs: 30_000,
  rates: [1, 5],
  rounds: 1,
  roundOffset: 0,
  redisRate: 1,
  tsx: false,
  pin: false,
  serverNodes: [selfNode()],
  harnessNode: selfNode(),
  disturbance: DISTURBANCE_DEFAULTS,
  save: null,
  idle: ['separate'],
  ballasts: [],
};

/** FANOUT_ROUND_OFFSET: a whole number ≥ 0 (0 when unset); anything else is refused, not read as 0, so a series cannot silently repeat one order. */
export function roundOffsetOf(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`FANOUT_ROUND_OFFSET: "${value}" is not a whole number ≥ 0`);
  return n;
}

function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
}

export function fanoutOptionsFromEnv(redisUrl: string): FanoutOptions {
  return {
    ...FANOUT_DEFAULTS,
    sessions: envNumber('FANOUT_SESSIONS', FANOUT_DEFAULTS.sessions),
    loadMs: envNumber('FANOUT_LOAD_MS', FANOUT_DEFAULTS.loadMs),
    warmupMs: envNumber('FANOUT_WARMUP_MS', FANOUT_DEFAULTS.warmupMs),
    rates: process.env.FANOUT_RATES !== undefined ? process.env.FANOUT_RATES.split(',').map(Number).filter((r) => r > 0) : FANOUT_DEFAULTS.rates,
    rounds: envNumber('FANOUT_ROUNDS', FANOUT_DEFAULTS.rounds),
    roundOffset: roundOffsetOf(process.env.FANOUT_ROUND_OFFSET),
    redisRate: envNumber('FANOUT_REDIS_RATE', FANOUT_DEFAULTS.redisRate),
    redisUrl,
    variant: process.env.FANOUT_VARIANT ? Object.fromEntries(process.env.FANOUT_VARIANT.split(',').map((kv) => kv.split('=', 2) as [string, string])) : null,
    baseline: process.env.FANOUT_BASELINE || null,
    tsx: process.env.FANOUT_TSX === '1',
    pin: process.env.FANOUT_PIN === '1',
    serverNodes: serverNodes(process.env.FANOUT_NODE, selfNode()),
    harnessNode: harnessNode(process.env.FANOUT_HARNESS_NODE, selfNode()),
    disturbance: {
      stealPercent: envNumber('FANOUT_STEAL_MAX', DISTURBANCE_DEFAULTS.stealPercent),
      stealSecondPercent: envNumber('FANOUT_STEAL_SECOND_MAX', DISTURBANCE_DEFAULTS.stealSecondPercent),
      othersPercent: envNumber('FANOUT_OTHERS_MAX', DISTURBANCE_DEFAULTS.othersPercent),
    },
    save: process.env.FANOUT_SAVE || null,
    idle: idlePlacements(process.env.FANOUT_IDLE),
    ballasts: parseBallasts(process.env.FANOUT_BALLAST),
  };
}
