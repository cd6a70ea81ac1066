/**
 * A run's rounds as a file (FANOUT_SAVE=<file>), so that the summary over
 * rounds, pooled p99 included, can be printed over several runs at once
 * (fanout-pool.ts): eight rounds need not hold the bench lock in one call.
 * Each condition's rounds keep their order, and each phase its place in its
 * round (RoundFigures.position): a series of calls with FANOUT_ROUND_OFFSET
 * 0, 1, 2, … rotates the order as one long run would (phase-order.ts).
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { RatioPair, RoundFigures } from './rounds-summary.ts';

export interface SavedCondition {
  label: string;
  /** Each round: contender name → its figures. */
  rounds: Record<string, RoundFigures>[];
}

export interface SavedRun {
  version: 1;
  savedAt: string;
  pairs: RatioPair[];
  conditions: SavedCondition[];
}

export async function saveRun(file: string, run: SavedRun): Promise<void> {
  await writeFile(file, JSON.stringify(run));
}

export async function loadRun(file: string): Promise<SavedRun> {
  const run = JSON.parse(await readFile(file, 'utf8')) as SavedRun;
  if (run.version !== 1) throw new Error(`${file}: not a FANOUT_SAVE file of version 1`);
  return run;
}

/** Several runs' rounds, condition by condition in the order they first appear, each condition's rounds run after run. */
export function poolRuns(runs: readonly SavedRun[]): { pairs: RatioPair[]; conditions: { label: string; rounds: Map<string, RoundFigures>[] }[] } {
  const conditions = new Map<string, Map<string, RoundFigures>[]>();
  for (const run of runs)
    for (const c of run.conditions) {
      const rounds = conditions.get(c.label) ?? [];
      rounds.push(...c.rounds.map((r) => new Map(Object.entries(r))));
      conditions.set(c.label, rounds);
    }
  const pairs = new Map(runs.flatMap((r) => r.pairs).map((p) => [p.label, p]));
  return { pairs: [...pairs.values()], conditions: [...conditions].map(([label, rounds]) => ({ label, rounds })) };
}
