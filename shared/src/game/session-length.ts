import type { Scenario } from '../scenario/schema.ts';
import { pacingFor, presetClock } from '../scenario/presets.ts';
import { beatById } from './adjudication.ts';
import { beatTimerMs } from './machine.ts';

/** The parts of a session's setup that decide how long it runs. */
export interface LengthSetup {
  timerScale: number;
  timerSeconds: Record<string, number>;
  preset?: string | undefined;
}

export interface BeatLength {
  beat: string;
  title: string;
  timerSeconds: number;
  readingSeconds: number;
  adjudicationSeconds: number;
}

/**
 * How long a session should take, before joining and the debrief: the
 * opening briefing, then per beat its timer, its reading and its
 * adjudication. `beats` and `totalSeconds` follow the historical path;
 * `shortestSeconds`/`longestSeconds` bound every path through the beat graph.
 */
export interface SessionEstimate {
  briefingSeconds: number;
  beats: BeatLength[];
  totalSeconds: number;
  shortestSeconds: number;
  longestSeconds: number;
}

/** The historical path's beats, in order, each once. */
export function historicalBeats(s: Scenario): string[] {
  return [...new Set(s.historicalPath.map((step) => step.beat))];
}

export function beatLength(s: Scenario, setup: LengthSetup, beatId: string): BeatLength {
  const pacing = pacingFor(s, setup.preset);
  const own = pacing?.beats[beatId];
  return {
    beat: beatId,
    title: beatById(s, beatId).title,
    // The timer the machine will set, so the estimate cannot drift from play.
    timerSeconds: Math.round(beatTimerMs(s, { timerScale: setup.timerScale, timerSeconds: setup.timerSeconds, review: true, seatsInPlay: [] }, beatId) / 1000),
    readingSeconds: own?.reading ?? pacing?.readingSeconds ?? 0,
    adjudicationSeconds: own?.adjudication ?? pacing?.adjudicationSeconds ?? 0,
  };
}

const beatTotal = (b: BeatLength) => b.timerSeconds + b.readingSeconds + b.adjudicationSeconds;

export function estimateSession(s: Scenario, setup: LengthSetup): SessionEstimate {
  const briefingSeconds = pacingFor(s, setup.preset)?.briefingSeconds ?? 0;
  const beats = historicalBeats(s).map((id) => beatLength(s, setup, id));
  const bounds = pathBounds(s, (id) => beatTotal(beatLength(s, setup, id)));
  return {
    briefingSeconds,
    beats,
    totalSeconds: briefingSeconds + beats.reduce((sum, b) => sum + beatTotal(b), 0),
    shortestSeconds: briefingSeconds + bounds.min,
    longestSeconds: briefingSeconds + bounds.max,
  };
}

/** The least and the most any path from the start beat to an outcome costs (the graph is acyclic: load checks it). */
function pathBounds(s: Scenario, cost: (beat: string) => number): { min: number; max: number } {
  const memo = new Map<string, { min: number; max: number }>();
  const walk = (id: string): { min: number; max: number } => {
    const known = memo.get(id);
    if (known) return known;
    const own = cost(id);
    const after = beatById(s, id).next.map((n) => ('beat' in n ? walk(n.beat) : { min: 0, max: 0 }));
    const r = { min: own + Math.min(...after.map((a) => a.min)), max: own + Math.max(...after.map((a) => a.max)) };
    memo.set(id, r);
    return r;
  };
  return walk(s.startBeat);
}

/** Every preset of the scenario with the length it gives. */
export function presetEstimates(s: Scenario): { id: string; title: string; description: string; estimate: SessionEstimate }[] {
  return (s.presets?.list ?? []).map((p) => ({
    id: p.id,
    title: p.title,
    description: p.description,
    estimate: estimateSession(s, { preset: p.id, ...presetClock(p) }),
  }));
}
