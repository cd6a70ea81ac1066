import type { Scenario } from '@rubicon/shared';
import { createGame, moveEscalation, runHeadless, type Game, type HeadlessResult } from '@rubicon/shared/engine';
import { personaChooser, personaMix, type PersonaMix } from '@rubicon/shared/bots';
import { beatLine } from './csv.ts';

/** What one batch of simulated games is: a scenario, a persona per seat, a seed and which games. */
export interface BatchSpec {
  scenarioId: string;
  /** seat → persona id; seats not named get their default persona. */
  personas: Record<string, string>;
  seed: string;
  optionalSeats: string[];
  /** Games [from, to) of the run; game i is seeded `${seed}:${i}`. */
  from: number;
  to: number;
  /**
   * The mix's label, to write a beats.csv line per game × beat × seat under it; null writes none.
   * The worker writes the lines itself: a million row objects kept until the batch ends and then
   * cloned to the main thread cost the workers a third more CPU a game than the games did.
   */
  beatsCsvMix: string | null;
}

/** What a batch gives back: a row per game, and beats.csv's lines (without its header) if asked for. */
export interface BatchResult {
  games: GameRow[];
  beatsCsv: string;
}

export interface GameRow {
  game: number;
  outcome: string;
  peakRung: number;
  finalRung: number;
  beats: number;
  /** The sum of the `casualties` measure over the seats (0 when the scenario has none). */
  casualties: number;
  /** Sum of the Rivera et al. (2024) scores of each seat's choices over the game. */
  escalation: Record<string, number>;
}

export interface BeatRow {
  game: number;
  beatIndex: number;
  beat: string;
  seat: string;
  move: string;
  category: string;
  score: number;
  defaulted: boolean;
}

/** The measure summed as "casualties" in reports: named in the issue, looked up in the scenario, absent → 0. */
export const CASUALTY_MEASURE = 'casualties';

export function gameSeed(seed: string, index: number): string {
  return `${seed}:${index}`;
}

/** Game i of a run: its own seed, no review (the rules adjudicate), the optional seats asked for. */
export function simulatedGame(scenario: Scenario, seed: string, index: number, optionalSeats: string[]): Game {
  return createGame(scenario, { scenarioId: scenario.id, seed: gameSeed(seed, index), review: false, optionalSeats });
}

export function playOne(scenario: Scenario, mix: PersonaMix, seed: string, index: number, optionalSeats: string[], keepLog: boolean): HeadlessResult {
  return runHeadless(simulatedGame(scenario, seed, index, optionalSeats), { choose: personaChooser(scenario, mix), keepLog });
}

export function rowsOf(scenario: Scenario, index: number, r: HeadlessResult, withBeats: boolean): { game: GameRow; beats: BeatRow[] } {
  const world = r.state.turn.context.world;
  const escalation: Record<string, number> = {};
  const beats: BeatRow[] = [];
  for (const res of r.state.turn.context.resolutions) {
    for (const c of res.choices) {
      const e = moveEscalation(scenario, c.move);
      escalation[c.seat] = (escalation[c.seat] ?? 0) + e.score;
      if (withBeats)
        beats.push({ game: index, beatIndex: res.beatIndex, beat: res.beat, seat: c.seat, move: c.move, category: e.category, score: e.score, defaulted: c.defaulted });
    }
  }
  const casualties = Object.values(world.measures).reduce((a, m) => a + (m[CASUALTY_MEASURE] ?? 0), 0);
  return {
    game: { game: index, outcome: r.outcome ?? 'none', peakRung: r.peakRung, finalRung: world.ladder, beats: r.path.length, casualties, escalation },
    beats,
  };
}

/** Plays a batch (in a worker, or inline) and reports progress every `every` games. */
export function playBatch(scenario: Scenario, spec: BatchSpec, progress: (done: number) => void = () => {}, every = 250): BatchResult {
  const mix = personaMix(scenario, spec.personas);
  const label = spec.beatsCsvMix;
  const games: GameRow[] = [];
  // One string per game: far fewer and smaller objects to keep than a row object per beat and seat.
  const beatsCsv: string[] = [];
  for (let i = spec.from; i < spec.to; i++) {
    const rows = rowsOf(scenario, i, playOne(scenario, mix, spec.seed, i, spec.optionalSeats, false), label !== null);
    games.push(rows.game);
    if (label !== null) beatsCsv.push(rows.beats.map((b) => beatLine(label, b)).join(''));
    if ((i - spec.from + 1) % every === 0) progress(i - spec.from + 1);
  }
  return { games, beatsCsv: beatsCsv.join('') };
}
