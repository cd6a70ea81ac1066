/**
 * The fan-out bench's summary over rounds for several runs' saved rounds
 * (FANOUT_SAVE=<file> on each run), as if they were one run: per-round
 * figures, medians over all and over the undisturbed rounds, and the p99 of
 * the undisturbed rounds' deliveries pooled. A late harness is judged over
 * all the pooled rounds of a condition at once (rounds-summary.ts,
 * judgeRounds), and rounds that saved their phases' places (FANOUT_ROUND_OFFSET
 * calls, phase-order.ts) give CPU per delivery over bare by place.
 *
 *   node --import tsx server/bench/fanout-pool.ts run1.json run2.json …
 */
import { fileURLToPath } from 'node:url';
import { loadRun, poolRuns } from './fanout/saved-rounds.ts';
import { summariseRounds } from './fanout/rounds-summary.ts';
import { machineInfo, Report } from './stats.ts';

async function main(files: string[]): Promise<void> {
  if (files.length === 0) throw new Error('usage: fanout-pool.ts <FANOUT_SAVE file>…');
  const runs = await Promise.all(files.map(loadRun));
  const { pairs, conditions } = poolRuns(runs);
  const report = new Report();
  for (const c of conditions) for (const row of summariseRounds(c.rounds, pairs)) report.add(`8 fan-out (${c.label}, over ${c.rounds.length} rounds of ${files.length} runs)`, row.name, row.value, '');
  report.note(`Pooled from ${runs.map((r, i) => `${files[i] ?? ''} (saved ${r.savedAt})`).join(', ')}.`);
  report.print(machineInfo(new Date(), 0, 0));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`fan-out pool failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
