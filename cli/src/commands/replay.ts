import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { applyEntry, buildReport, describeEvent, initialState, sessionTime, type SessionReport, type VerifiedSession } from '@rubicon/shared';
import { UsageError, type CliIo, type Command } from '../command.ts';
import { formatProblem, loadSessionFile } from '../sessions/session-files.ts';

const USAGE = `usage: rubicon replay FILE [--brief]

  Verifies a session file (as rubicon verify does), then prints its timeline,
  one line per event as the white cell saw it — session time, event number,
  who did what, and what followed (a beat opening, a resolution with each
  seat's move and escalation score, the outcome) — and then the outcome, the
  path, the escalation scores per seat next to the scenario's
  historical path (its historicalLabel), the
  decisions taken as in history and the white cell's rubric scores.

  --brief   only the beats, the resolutions and the outcome

  Exits 1 (with the first bad entry) when the file does not verify.`;

function timeline(io: CliIo, s: VerifiedSession, brief: boolean): void {
  const { game, log } = s;
  const start = log[0]?.at ?? 0;
  let state = initialState(game);
  for (const entry of log) {
    const r = applyEntry(game, state, entry);
    if (!r.ok) throw new Error(`event ${entry.seq} did not apply after verifying: ${r.refusal.message}`);
    const line = describeEvent(game.scenario, entry, state, r.state);
    state = r.state;
    if (!brief || line.milestone) io.out.write(`${sessionTime(entry.at, start)}  #${String(entry.seq).padEnd(4)} ${line.text}\n`);
  }
}

function summary(r: SessionReport): string {
  const seat = (id: string) => r.seats.find((s) => s.id === id)?.name ?? id;
  const total = (rows: SessionReport['escalation']['session']) => rows.reduce((a, b) => a + b.total, 0);
  const perSeat = (rows: SessionReport['escalation']['session']) =>
    r.seats.map((s) => `${s.name} ${rows.reduce((a, b) => a + (b.seats[s.id] ?? 0), 0)}`).join(', ');
  const lines = [
    '',
    r.outcome
      ? `Outcome: ${r.outcome.title} (${r.outcome.by === 'rules' ? 'by the rules' : `declared by the white cell: ${r.outcome.reason ?? ''}`}) after ${r.beats.length} beats, at ${sessionTime(r.outcome.at, r.startedAt)}`
      : `No outcome yet, after ${r.beats.length} beats.`,
    `Path: ${r.path.map((p) => p.title).join(' → ') || '—'}`,
    `Escalation (Rivera et al. 2024): ${perSeat(r.escalation.session)}; total ${total(r.escalation.session)} (${r.historical.label}: ${total(r.escalation.historical)})`,
    `Compared with ${r.historical.label}: ${r.historical.steps.filter((x) => x.same).length} of ${r.historical.steps.length} decisions the same; outcome in ${r.historical.label} ${r.historical.outcome.title}${r.historical.sameOutcome ? ' (the same)' : ''}`,
  ];
  if (r.rubric) {
    const scored = r.rubric.totals.filter((t) => t.scored > 0);
    lines.push(`Rubric: ${scored.length ? scored.map((t) => `${seat(t.seat)} ${t.total}/${t.max} (${t.scored} of ${t.criteria} scored)`).join(', ') : 'no team scored'}`);
  }
  return lines.join('\n') + '\n';
}

export const replay: Command = {
  name: 'replay',
  summary: "print a session file's timeline and outcome",
  usage: USAGE,
  async run(args, io) {
    const parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { brief: { type: 'boolean' } } });
    const [file, ...extra] = parsed.positionals;
    if (!file || extra.length) throw new UsageError('name one session file');
    const r = await loadSessionFile(resolve(io.cwd, file));
    if (!r.ok) {
      io.err.write(`${formatProblem(file, r.problem)}\n`);
      return 1;
    }
    const { file: f, game, log } = r.session;
    io.out.write(`${f.session.title} — ${game.scenario.title} (v${f.scenario.version}), seed ${String(f.setup.seed)}, ${log.length} events\n`);
    if (f.session.parent) io.out.write(`Branched from “${f.session.parent.title}” at event ${f.session.parent.version}\n`);
    io.out.write('\n');
    timeline(io, r.session, parsed.values.brief === true);
    io.out.write(summary(buildReport(f, game, log)));
    return 0;
  },
};
