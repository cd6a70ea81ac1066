import { describe, expect, it } from 'vitest';
import { buildReport } from '../src/replay/report.ts';
import { reportMarkdown } from '../src/replay/report-markdown.ts';
import { compareReports, ComparisonError } from '../src/replay/comparison.ts';
import { buildSessionFile } from '../src/replay/session-file.ts';
import { playedGame } from './played-game.ts';
import { Driver } from './driver.ts';
import { mini } from './fixtures/mini-scenario.ts';

function reportOf(d: Driver) {
  const file = buildSessionFile({ session: { sessionId: 'S1', title: 'Class 3B', createdAt: 0, parent: null }, game: d.game, log: d.log, exportedAt: 1 });
  return buildReport(file, d.game, d.log);
}

describe('the rubric in the after-action report', () => {
  const d = playedGame('report-rubric');
  // Scores are events: re-scoring replaces, withdrawing removes, and a score after the outcome says so.
  const scored = playedGame('report-rubric');
  scored.fac({ type: 'SCORE_TEAM', seat: 'iran', criterion: 'mediated-signalling', score: 2, note: 'late | terse' });
  scored.fac({ type: 'SCORE_TEAM', seat: 'us', criterion: 'mediated-signalling', score: 4 });
  scored.fac({ type: 'SCORE_TEAM', seat: 'us', criterion: 'rationale-quality', score: 1 });
  scored.fac({ type: 'SCORE_TEAM', seat: 'us', criterion: 'rationale-quality', score: null });
  scored.fac({ type: 'ADVANCE' });
  scored.fac({ type: 'SCORE_TEAM', seat: 'israel', criterion: 'proportionate-escalation', score: 3, note: 'a limited answer' });

  it('lists every seat × criterion the rubric applies to, with the latest score, its label, note and when', () => {
    const r = reportOf(scored).rubric!;
    expect(r.scale.map((l) => l.score)).toEqual([1, 2, 3, 4]);
    const cell = (seat: string, criterion: string) => r.cells.find((c) => c.seat === seat && c.criterion === criterion);
    expect(cell('iran', 'mediated-signalling')).toMatchObject({ score: 2, label: 'Partly', note: 'late | terse', when: 'after the outcome' });
    expect(cell('israel', 'proportionate-escalation')).toMatchObject({ score: 3, label: 'Solid', when: 'after the outcome' });
    expect(cell('us', 'rationale-quality')).toMatchObject({ score: null, when: null });
    // Israel is not scored on the mediated channel: the scenario's criterion names its seats.
    expect(cell('israel', 'mediated-signalling')).toBeUndefined();
    expect(r.totals.find((t) => t.seat === 'us')).toEqual({ seat: 'us', total: 4, scored: 1, criteria: 4, max: 16 });
  });

  it('marks a score given during play with its beat', () => {
    // The same game again, with Iran scored right after its first move.
    const live = playedGame('report-rubric-live');
    const firstMove = live.log.findIndex((e) => e.command.type === 'SUBMIT_MOVE');
    const again = new Driver(live.game.scenario, { seed: 'report-rubric-live' });
    for (const [i, e] of live.log.entries()) {
      again.must(e.by, e.command, e.at);
      if (i === firstMove) again.fac({ type: 'SCORE_TEAM', seat: 'iran', criterion: 'rationale-quality', score: 3 });
    }
    const firstBeat = live.game.scenario.beats.find((b) => b.id === live.game.scenario.startBeat)!.title;
    const cell = reportOf(again).rubric!.cells.find((c) => c.seat === 'iran' && c.criterion === 'rationale-quality');
    expect(cell).toMatchObject({ score: 3, when: `during ${firstBeat}` });
  });

  it('is in the Markdown download: a table, the totals and each note', () => {
    const md = reportMarkdown(reportOf(scored), { privateChannels: false });
    expect(md).toContain("## Rubric (the white cell's scores)");
    expect(md).toContain('Scale: 1 Not shown · 2 Partly · 3 Solid · 4 Exemplary.');
    expect(md).toMatch(/\| Used the mediated channel to signal \| 2 Partly \| n\/a \| 4 Exemplary \| — \|/);
    expect(md).toContain('- Iran, Used the mediated channel to signal: 2 (after the outcome) — late | terse');
    expect(md).toContain('4 of 16 (1/4 scored)');
  });

  it('an unscored session shows every cell empty; a scenario without a rubric has no rubric section', () => {
    const r = reportOf(d).rubric!;
    expect(r.cells.length).toBeGreaterThan(0);
    expect(r.cells.every((c) => c.score === null)).toBe(true);
    expect(r.totals.every((t) => t.total === 0 && t.scored === 0)).toBe(true);
    const plain = new Driver(mini, { seed: 1 });
    plain.fac({ type: 'START' });
    const report = reportOf(plain);
    expect(report.rubric).toBeNull();
    expect(reportMarkdown(report, { privateChannels: true })).not.toContain('## Rubric');
  });
});

describe('comparing sessions', () => {
  it('lays several reports side by side with history: decisions, history matches, escalation and timings', () => {
    const a = reportOf(playedGame('compare-a'));
    const b = reportOf(playedGame('compare-b'));
    const c = compareReports([
      { label: 'A', report: a },
      { label: 'B', report: b },
    ]);
    expect(c.sessions.map((s) => s.label)).toEqual(['A', 'B']);
    expect(c.seats.map((s) => s.id)).toEqual(['iran', 'israel', 'us', 'mediators']);
    const first = c.sessions[0]!;
    expect(first.history.same).toBe(a.historical.steps.filter((s) => s.same).length);
    expect(first.escalation.total).toBe(a.escalation.session.reduce((n, e) => n + e.total, 0));
    // playedGame takes the historical move wherever the menu has it, so those choices are marked as history's.
    const beat = first.beats[0]!;
    const historical = a.historical.steps.filter((s) => s.beat === beat.beat);
    for (const ch of beat.choices) {
      const step = historical.find((s) => s.seat === ch.seat);
      expect(ch.historical, ch.seat).toBe(step ? step.historicalMove === ch.move : null);
    }
    // The driver's clock moves 7 s per step: planning and lock-in times come from the log's event times.
    expect(beat.planningSeconds).toBeGreaterThan(0);
    expect(beat.choices.every((ch) => ch.lockSeconds === null || ch.lockSeconds <= beat.planningSeconds!)).toBe(true);
    expect(first.durationSeconds).toBe(Math.round((a.outcome!.at - a.startedAt!) / 1000));
    // Every historical move of the seat in the beat: its main move and what else it did.
    const iran = historical.find((s) => s.seat === 'iran')!;
    expect(iran.historicalAlso.length).toBeGreaterThan(0);
    expect(c.historical.choices[beat.beat]?.iran).toBe([iran.historical, ...iran.historicalAlso].join(' + '));
  });

  it('refuses to mix scenarios', () => {
    const plain = new Driver(mini, { seed: 1 });
    plain.fac({ type: 'START' });
    expect(() =>
      compareReports([
        { label: 'april', report: reportOf(playedGame('compare-a')) },
        { label: 'mini', report: reportOf(plain) },
      ]),
    ).toThrow(ComparisonError);
  });
});
