import { shippedScenario } from '@rubicon/shared/scenario-files';
import { SEATS, type Seat } from './ui.ts';

export interface HistoricalBeat {
  id: string;
  title: string;
  /** The move each acting seat chose in April 2024 (a seat missing here does not act in the beat). */
  moves: Partial<Record<Seat, string>>;
  /** What else a seat did in the beat: moves it took beside its main one ("also do"). */
  also: Partial<Record<Seat, string[]>>;
}

const scenario = shippedScenario('april-2024');
const isSeat = (id: string): id is Seat => (SEATS as readonly string[]).includes(id);

/** The historical path, read from the scenario data itself so the test plays what the data says happened. */
export const HISTORICAL_PATH: readonly HistoricalBeat[] = [...new Set(scenario.historicalPath.map((s) => s.beat))].map((beatId) => ({
  id: beatId,
  title: scenario.beats.find((b) => b.id === beatId)?.title ?? beatId,
  moves: Object.fromEntries(scenario.historicalPath.filter((s) => s.beat === beatId && isSeat(s.seat)).map((s) => [s.seat, s.move])),
  also: Object.fromEntries(scenario.historicalPath.filter((s) => s.beat === beatId && isSeat(s.seat) && s.also.length > 0).map((s) => [s.seat, s.also])),
}));

/** A move's title, for what a screen shows. */
export function moveTitle(beatId: string, seat: string, move: string): string {
  return scenario.beats.find((b) => b.id === beatId)?.actors.find((a) => a.seat === seat)?.moves.find((m) => m.id === move)?.title ?? move;
}

export const HISTORICAL_OUTCOME = scenario.outcomes.find((o) => o.id === scenario.historicalOutcome)?.title ?? scenario.historicalOutcome;

export function beat(id: string): HistoricalBeat {
  const b = HISTORICAL_PATH.find((x) => x.id === id);
  if (!b) throw new Error(`no beat ${id}`);
  return b;
}

/** The move a seat gets in a beat when it does not decide. */
export function defaultMoveOf(beatId: string, seat: string): string {
  const actor = scenario.beats.find((b) => b.id === beatId)?.actors.find((a) => a.seat === seat);
  if (!actor) throw new Error(`${seat} does not act in ${beatId}`);
  return actor.defaultMove;
}
