import { resolve } from 'node:path';
import { UsageError, type Command } from '../command.ts';
import { formatProblem, loadSessionFile } from '../sessions/session-files.ts';

const USAGE = `usage: rubicon verify FILE...

  Checks each session file as the server does before importing it: the format,
  the scenario and its version, the sha-256 hash chain (every event chained to
  the one before it, the header to the genesis hash, the head to the last
  event), then re-simulates the whole log with this Rubicon's rules.

  Prints "FILE: ok" with the scenario, the number of events, the chain head and
  the outcome, or the first bad entry: its code, where it is (e.g. log[4]) and
  the event's number. Exits 0 when every file is sound, 1 when any is not.`;

export const verify: Command = {
  name: 'verify',
  summary: 'check session files: the hash chain, then a re-simulation of the log',
  usage: USAGE,
  async run(args, io) {
    if (args.length === 0 || args.some((a) => a.startsWith('-'))) throw new UsageError(args.length === 0 ? 'name at least one session file' : `unknown option ${args.find((a) => a.startsWith('-'))}`);
    let bad = 0;
    for (const file of args) {
      const r = await loadSessionFile(resolve(io.cwd, file));
      if (!r.ok) {
        bad++;
        io.err.write(`${formatProblem(file, r.problem)}\n`);
        continue;
      }
      const { file: f, final, game } = r.session;
      const outcome = final.turn.context.outcome;
      const title = outcome ? (game.scenario.outcomes.find((o) => o.id === outcome.outcome)?.title ?? outcome.outcome) : 'none yet';
      io.out.write(
        `${file}: ok — ${f.scenario.id} v${f.scenario.version}, ${f.log.length} events, chain head ${f.chain.head.slice(0, 12)}… (${f.chain.algorithm}), outcome: ${title}\n`,
      );
    }
    return bad > 0 ? 1 : 0;
  },
};
