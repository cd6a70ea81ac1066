/**
 * `rubicon verify`, `replay` and `summarize`, run as a user runs them: the
 * command is spawned (node + the bin script), on session files exported by
 * `rubicon simulate --export-game`, good ones and tampered ones.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSessionFile, logOf, verifySessionFile, type LogEntry, type SessionFile } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../bin/rubicon.js');
const scenario = shippedScenario('april-2024');

function rubicon(cwd: string, ...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let dir: string;
const games = ['game-1.json', 'game-2.json', 'game-3.json'];
const read = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as SessionFile;
const write = (name: string, file: unknown) => writeFileSync(join(dir, name), JSON.stringify(file));

/** The same session with its log edited and the chain rebuilt, as a forger would. */
function rechained(file: SessionFile, edit: (log: LogEntry[]) => LogEntry[]): SessionFile {
  const ok = verifySessionFile(file, (id) => (id === scenario.id ? scenario : undefined));
  if (!ok.ok) throw new Error(ok.problem.message);
  return buildSessionFile({ session: file.session, game: ok.session.game, log: edit(logOf(file)), exportedAt: file.exportedAt });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rubicon-sessions-'));
  for (const [i, personas] of [
    [1, 'israel=take-the-win'],
    [2, 'israel=maximalist,iran=hard-liner'],
    [3, 'us=stand-firm'],
  ] as const) {
    const r = rubicon(dir, 'simulate', '--export-game', String(i), '--seed', 'cli', '--personas', personas, '--out', '.');
    expect(r.code, r.err).toBe(0);
  }
}, 120_000);

describe('rubicon verify', () => {
  it('passes good files: the scenario, the events, the chain head and the outcome', () => {
    const r = rubicon(dir, 'verify', ...games);
    expect(r.code, r.err).toBe(0);
    for (const g of games) expect(r.out).toMatch(new RegExp(`^${g}: ok — april-2024 v\\d+, \\d+ events, chain head [0-9a-f]{12}… \\(sha-256\\), outcome: \\S`, 'm'));
  });

  it('exits 1 with the first bad entry of a tampered file, and still checks the others', () => {
    const changed = read('game-1.json');
    changed.log[4]!.at += 1000;
    changed.log[9]!.at += 1000;
    write('changed.json', changed);
    const hash = read('game-1.json');
    hash.log[6]!.hash = 'f'.repeat(64);
    write('hash.json', hash);
    const missing = read('game-2.json');
    missing.log.splice(3, 1);
    write('missing.json', missing);
    // Re-chained, so the hashes hold, but a seat's move is one the menu never had: the re-simulation finds it.
    const forged = rechained(read('game-3.json'), (log) => {
      const i = log.findIndex((e) => e.command.type === 'SUBMIT_MOVE');
      return log.map((e, k) => (k === i && e.command.type === 'SUBMIT_MOVE' ? { ...e, command: { ...e.command, move: 'nuclear-test' } } : e));
    });
    write('forged.json', forged);
    const forgedSeq = forged.log.find((e) => e.command.type === 'SUBMIT_MOVE' && e.command.move === 'nuclear-test')!.seq;

    const r = rubicon(dir, 'verify', 'changed.json', 'game-2.json', 'hash.json', 'missing.json', 'forged.json');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^game-2\.json: ok/m);
    expect(r.err).toContain('changed.json: event_changed at log[4] (event 5): Event 5 was changed after export');
    expect(r.err).toContain('hash.json: broken_hash at log[6].hash (event 7)');
    expect(r.err).toContain('missing.json: event_missing at log[3] (event 4)');
    expect(r.err).toContain(`forged.json: event_refused at log[${forgedSeq - 1}] (event ${forgedSeq}): Event ${forgedSeq} does not apply`);
    expect(r.err.trim().split('\n')).toHaveLength(4);
  });

  it('refuses malformed JSON with its line and column, and a missing argument with exit 2', () => {
    writeFileSync(join(dir, 'broken.json'), '{\n  "format": "rubicon-session",\n  oops\n}');
    const r = rubicon(dir, 'verify', 'broken.json');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^broken\.json: malformed_json at line 3, column 3/m);
    const none = rubicon(dir, 'verify');
    expect(none.code).toBe(2);
    expect(none.err).toContain('usage: rubicon verify FILE...');
  });
});

describe('rubicon replay', () => {
  it('prints the timeline event by event, then the outcome, the path, escalation and the history comparison', () => {
    const file = read('game-2.json');
    const r = rubicon(dir, 'replay', 'game-2.json');
    expect(r.code, r.err).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toContain(`${file.session.title} — ${scenario.title}`);
    const events = lines.filter((l) => /^T\+\d+:\d\d:\d\d {2}#\d+/.test(l));
    expect(events).toHaveLength(file.log.length);
    expect(events[0]).toMatch(/^T\+0:00:00 {2}#1 +White cell starts the session → briefing$/);
    expect(r.out).toContain(`beat 1 opens: ${scenario.beats[0]!.title}`);
    expect(r.out).toMatch(/resolved .* — Iran: .* \[[a-z-]+ -?\d+\]/);
    expect(r.out).toMatch(/^Outcome: .+ \(by the rules\) after \d+ beats, at T\+\d+:\d\d:\d\d$/m);
    expect(r.out).toMatch(/^Path: .+ → .+$/m);
    expect(r.out).toMatch(/^Escalation \(Rivera et al\. 2024\): Iran -?\d+, Israel -?\d+, United States -?\d+, Mediators -?\d+; total -?\d+ \(April 2024: -?\d+\)$/m);
    expect(r.out).toMatch(/^Compared with April 2024: \d+ of \d+ decisions the same; outcome in April 2024 \S/m);

    const brief = rubicon(dir, 'replay', 'game-2.json', '--brief');
    expect(brief.code).toBe(0);
    const briefEvents = brief.out.split('\n').filter((l) => /^T\+/.test(l));
    expect(briefEvents.length).toBeLessThan(events.length);
    expect(briefEvents.every((l) => / → /.test(l))).toBe(true);
    expect(brief.out).not.toContain('writes in');
  });

  it('shows the white cell scores of a scored session', () => {
    const scored = rechained(read('game-1.json'), (log) => {
      const last = log.at(-1)!;
      return [...log, { seq: last.seq + 1, at: last.at + 60_000, by: { kind: 'facilitator' }, commandId: 'score-1', command: { type: 'SCORE_TEAM', seat: 'iran', criterion: 'rationale-quality', score: 3, note: 'clear memos' } }];
    });
    write('scored.json', scored);
    const r = rubicon(dir, 'replay', 'scored.json');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('White cell scores Iran 3 on Rationale quality');
    expect(r.out).toMatch(/^Rubric: Iran 3\/12 \(1 of 3 scored\)$/m);
  });

  it('refuses a tampered file with exit 1 and prints no timeline', () => {
    const r = rubicon(dir, 'replay', 'changed.json');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('event_changed at log[4] (event 5)');
  });
});

describe("a scenario's own name for its historical path", () => {
  it('replay and summarize name the practice round\'s reference path, never April 2024', () => {
    const sub = join(dir, 'practice');
    mkdirSync(sub, { recursive: true });
    const sim = rubicon(sub, 'simulate', '--scenario', 'practice-tanker', '--export-game', '1', '--seed', 'cli', '--out', '.');
    expect(sim.code, sim.err).toBe(0);
    const [file] = readdirSync(sub).filter((f) => f.endsWith('.json'));
    expect(file).toBeDefined();
    const replay = rubicon(sub, 'replay', file!);
    expect(replay.code, replay.err).toBe(0);
    expect(replay.out).toMatch(/^Compared with the reference path: \d+ of \d+ decisions the same; outcome in the reference path \S/m);
    expect(replay.out).toMatch(/total -?\d+ \(the reference path: -?\d+\)$/m);
    const summary = rubicon(sub, 'summarize', file!, '--out', 'summary');
    expect(summary.code, summary.err).toBe(0);
    expect(summary.out).toMatch(/^The reference path +\S/m);
    const html = readFileSync(join(sub, 'summary', 'comparison.html'), 'utf8');
    expect(html).toContain('In the reference path: <strong>');
    for (const text of [replay.out, summary.out, html]) expect(text).not.toContain('April 2024');
  }, 120_000);
});

describe('rubicon summarize', () => {
  it('tabulates a directory of sessions and writes both CSVs and an offline, printable page', () => {
    const sub = join(dir, 'class');
    mkdirSync(sub, { recursive: true });
    for (const g of [...games, 'scored.json']) writeFileSync(join(sub, g), readFileSync(join(dir, g)));
    const out = join(dir, 'summary');
    const r = rubicon(dir, 'summarize', 'class', '--out', 'summary');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`${scenario.title}: 4 sessions`);
    expect(r.out).toMatch(/^April 2024 +\S/m);

    const sessions = readFileSync(join(out, 'sessions.csv'), 'utf8').trim().split('\n');
    expect(sessions).toHaveLength(5);
    expect(sessions[0]).toMatch(/^label,session_id,title,scenario,scenario_version,seed,branched_from,events,started_at,duration_s,outcome,outcome_by,/);
    expect(sessions[0]).toContain('escalation_iran,escalation_israel,escalation_us,escalation_mediators,rubric_iran,');
    const header = sessions[0]!.split(',');
    const scoredRow = sessions.find((l) => l.startsWith('class/scored.json'))!;
    // The title holds commas, so it is quoted; the rubric column is the last-but-three.
    expect(scoredRow).toMatch(/,3,,,$/);
    expect(header.at(-4)).toBe('rubric_iran');

    const decisions = readFileSync(join(out, 'decisions.csv'), 'utf8').trim().split('\n');
    const choices = games.reduce((n, g) => n + countChoices(read(g)), 0) + countChoices(read('scored.json'));
    expect(decisions).toHaveLength(1 + choices);
    expect(decisions[0]).toBe('label,session_id,beat_index,beat,seat,move,move_title,escalation,score,defaulted,historical_move,same_as_history,planning_s,lock_in_s');
    expect(decisions[1]).toMatch(/^class\/game-1\.json,sim-1,1,consulate-strike,iran,[a-z-]+,[^,]+,[a-z-]+,-?\d+,(true|false),[^,]*,(true|false),\d+,\d*$/);

    const html = readFileSync(join(out, 'comparison.html'), 'utf8');
    for (const g of games) expect(html).toContain(`class/${g}`);
    expect(html).toContain('April 2024');
    expect(html).toContain('<svg');
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<script|<link|src=|href=|url\(/i);
  });

  it('leaves out a file that does not verify, says which, and exits 1', () => {
    const r = rubicon(dir, 'summarize', 'game-1.json', 'changed.json', 'game-3.json');
    expect(r.code).toBe(1);
    expect(r.err).toContain('changed.json: event_changed at log[4] (event 5)');
    expect(r.err).toContain('left out');
    expect(r.out).toContain('2 sessions (1 file left out)');
  });
});

/** Decisions a session file's report holds: one per seat per resolved beat. */
function countChoices(file: SessionFile): number {
  const v = verifySessionFile(file, (id) => (id === scenario.id ? scenario : undefined));
  if (!v.ok) throw new Error(v.problem.message);
  return v.session.final.turn.context.resolutions.reduce((n, r) => n + r.choices.length, 0);
}
