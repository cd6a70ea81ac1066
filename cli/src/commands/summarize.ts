import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildReport, compareReports, decisionsCsv, historicalHeading, sessionsCsv, type Comparison, type SessionReport } from '@rubicon/shared';
import { UsageError, type CliIo, type Command } from '../command.ts';
import { comparisonHtml, minutes } from '../sessions/comparison-html.ts';
import { formatProblem, loadSessionFile, sessionFilesIn } from '../sessions/session-files.ts';

const USAGE = `usage: rubicon summarize DIR-or-FILE... [--out DIR] [--scenario ID]

  Verifies every session file named (a directory is searched for *.json) and
  compares the sessions: per session the outcome, the path, the escalation
  score (Rivera et al. 2024) in total and per seat, how many decisions were
  those of the scenario's historical path (its historicalLabel, e.g. April
  2024), the session's length and the rubric totals, printed as a table;
  the historical path is the last row.

  --out DIR       also write DIR/sessions.csv (a row per session),
                  DIR/decisions.csv (a row per session × beat × seat: the move, its
                  escalation, whether history made it, planning and lock-in times)
                  and DIR/comparison.html (a printable page that works offline)
  --scenario ID   compare only the sessions of this scenario (needed when the files
                  hold several)

  A file that does not verify is listed on stderr with its first bad entry and
  left out; the exit code is then 1 (the others are still compared).`;

function textTable(c: Comparison): string {
  const rows = [
    ['session', 'outcome', 'beats', 'escalation', 'as history', 'length'],
    ...c.sessions.map((s) => [s.label, s.outcome?.title ?? '(none)', String(s.beats.length), String(s.escalation.total), `${s.history.same}/${s.history.of}`, minutes(s.durationSeconds)]),
    [historicalHeading(c.historical.label), c.historical.outcome.title, '', String(c.historical.escalation.total), '', ''],
  ];
  const widths = rows[0]!.map((_, i) => Math.min(40, Math.max(...rows.map((r) => r[i]!.length))));
  const fit = (t: string, w: number) => (t.length > w ? `${t.slice(0, w - 1)}…` : t.padEnd(w));
  return rows.map((r) => r.map((t, i) => fit(t, widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

async function reportsOf(files: readonly string[], io: CliIo): Promise<{ reports: { label: string; report: SessionReport }[]; bad: number }> {
  const reports: { label: string; report: SessionReport }[] = [];
  let bad = 0;
  for (const label of files) {
    const r = await loadSessionFile(resolve(io.cwd, label));
    if (!r.ok) {
      bad++;
      io.err.write(`${formatProblem(label, r.problem)} — left out\n`);
      continue;
    }
    reports.push({ label, report: buildReport(r.session.file, r.session.game, r.session.log) });
  }
  return { reports, bad };
}

export const summarize: Command = {
  name: 'summarize',
  summary: 'compare many session files: a table, CSV (per session, per decision) and a printable page',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { out: { type: 'string' }, scenario: { type: 'string' } } });
    const files = await sessionFilesIn(parsed.positionals, io.cwd);
    const { reports: all, bad } = await reportsOf(files, io);
    const wanted = parsed.values.scenario;
    const reports = wanted ? all.filter((r) => r.report.scenario.id === wanted) : all;
    const scenarios = [...new Set(reports.map((r) => `${r.report.scenario.id} v${r.report.scenario.version}`))];
    if (reports.length === 0) {
      io.err.write(`rubicon summarize: no session file to compare${wanted ? ` of scenario "${wanted}"` : ''} (${files.length} file${files.length === 1 ? '' : 's'} read)\n`);
      return 1;
    }
    if (scenarios.length > 1) throw new UsageError(`the files hold sessions of ${scenarios.join(', ')}: pick one with --scenario ID`);
    const comparison = compareReports(reports);
    io.out.write(`${comparison.scenario.title}: ${reports.length} session${reports.length === 1 ? '' : 's'}${bad ? ` (${bad} file${bad === 1 ? '' : 's'} left out)` : ''}\n\n`);
    io.out.write(textTable(comparison));
    if (parsed.values.out) {
      const out = resolve(io.cwd, parsed.values.out);
      await mkdir(out, { recursive: true });
      await writeFile(resolve(out, 'sessions.csv'), sessionsCsv(comparison));
      await writeFile(resolve(out, 'decisions.csv'), decisionsCsv(comparison));
      await writeFile(resolve(out, 'comparison.html'), comparisonHtml(comparison, `rubicon summarize ${args.join(' ')}`));
      io.out.write(`\nwrote ${resolve(out, 'sessions.csv')}, decisions.csv and comparison.html\n`);
    }
    return bad > 0 ? 1 : 0;
  },
};
