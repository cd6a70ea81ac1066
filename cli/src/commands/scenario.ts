import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkScenarioText, formatFileProblem, formatSensitivityTable, sensitivityReport, SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText, type Scenario } from '@rubicon/shared';
import { SCENARIO_DIR } from '@rubicon/shared/scenario-files';
import { UsageError, type CliIo, type Command } from '../command.ts';

const USAGE = `usage:
  rubicon scenario check FILE... [--games N] [--no-table]
                                   validate scenario files; print each problem as file:line:col
                                   (exit 1 if any file is invalid); for a valid file print the
                                   sensitivity table: per seat and beat of the historical path, the
                                   % of N seeded games (default 200) in which the seat's best
                                   alternative move changes what follows
  rubicon scenario schema [--write]
                                   print the JSON Schema of scenario files (generated from the
                                   zod schema); --write updates shared/scenarios/${SCENARIO_SCHEMA_FILE}`;

/** What a valid scenario holds, in one line an author can sanity-check. */
export function scenarioCounts(s: Scenario): string {
  const moves = s.beats.reduce((n, b) => n + b.actors.reduce((m, a) => m + a.moves.length, 0), 0);
  const optional = s.seats.filter((x) => x.optional).length;
  return [
    `${s.seats.length} seats (${optional} optional)`,
    `${s.beats.length} beats`,
    `${moves} moves`,
    `${s.outcomes.length} outcomes`,
    `${s.injects.length} injects`,
    `${s.channels.length} channels`,
  ].join(', ');
}

async function check(files: string[], io: CliIo, table: { games: number } | null): Promise<number> {
  if (files.length === 0) throw new UsageError('name at least one scenario file');
  let failed = 0;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(resolve(io.cwd, file), 'utf8');
    } catch (err) {
      io.err.write(`${file}: cannot read it (${err instanceof Error ? err.message : String(err)})\n`);
      failed++;
      continue;
    }
    const result = checkScenarioText(text, file);
    if (!result.ok) {
      failed++;
      for (const p of result.problems) io.err.write(`${formatFileProblem(p)}\n`);
      io.err.write(`${file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}\n`);
      continue;
    }
    const s = result.scenario;
    io.out.write(`${file}: valid — ${s.id} version ${s.version}, “${s.title}”\n  ${scenarioCounts(s)}\n`);
    if (table) io.out.write(`\n${formatSensitivityTable(sensitivityReport(s, { games: table.games }))}\n\n`);
  }
  return failed > 0 ? 1 : 0;
}

export const scenario: Command = {
  name: 'scenario',
  summary: 'check scenario files (errors at file:line), print their JSON Schema',
  usage: USAGE,
  async run(args, io) {
    const { positionals, values } = parseArgs({ args, allowPositionals: true, strict: true, options: { write: { type: 'boolean' }, games: { type: 'string' }, 'no-table': { type: 'boolean' } } });
    const [sub, ...rest] = positionals;
    if (sub === 'check') {
      const games = Number(values.games ?? 200);
      if (!Number.isInteger(games) || games < 1 || games > 100_000) throw new UsageError('--games takes a whole number from 1 to 100000');
      return check(rest, io, values['no-table'] ? null : { games });
    }
    if (sub === 'schema') {
      if (!values.write) {
        io.out.write(scenarioJsonSchemaText());
        return 0;
      }
      const path = join(SCENARIO_DIR, SCENARIO_SCHEMA_FILE);
      await writeFile(path, scenarioJsonSchemaText());
      io.out.write(`wrote ${path}\n`);
      return 0;
    }
    throw new UsageError(sub === undefined ? 'name a subcommand' : `unknown subcommand "${sub}"`);
  },
};
