import { describe, expect, it } from 'vitest';
import { buildReport } from '../src/replay/report.ts';
import { reportMarkdown } from '../src/replay/report-markdown.ts';
import { compareReports } from '../src/replay/comparison.ts';
import { buildSessionFile } from '../src/replay/session-file.ts';
import { createGame } from '../src/game/game.ts';
import { runHeadless } from '../src/analysis/runner.ts';
import { historicalChooser } from '../src/analysis/historical.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { historicalHeading } from '../src/scenario/historical-label.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { shippedScenario } from '../node/scenario-files.ts';
import { mini } from './fixtures/mini-scenario.ts';

/**
 * The report and the comparison name a scenario's historical path as the
 * scenario does (`historicalLabel`): a session of any other scenario than
 * April 2024 must not read "Compared with April 2024".
 */

/** A whole game along the scenario's historical path (so every step and draw has a counterpart), and its report. */
function historicalReport(scenario: Scenario, seed: string) {
  const game = createGame(scenario, { scenarioId: scenario.id, seed });
  const { log } = runHeadless(game, { choose: historicalChooser(scenario, 'as history has it') });
  const file = buildSessionFile({ session: { sessionId: seed, title: `Session ${seed}`, createdAt: 0, parent: null }, game, log, exportedAt: 1 });
  return buildReport(file, game, log);
}

const markdown = (r: ReturnType<typeof historicalReport>) => reportMarkdown(r, { privateChannels: true });

describe("the historical path's name in the report", () => {
  it('is April 2024 for the April 2024 scenario, in the data and the Markdown', () => {
    const r = historicalReport(shippedScenario('april-2024'), 'label-april');
    expect(r.historical.label).toBe('April 2024');
    const md = markdown(r);
    expect(md).toContain('## Compared with April 2024');
    expect(md).toContain('| beat | seat | April 2024 | this session |');
    expect(md).toMatch(/^Outcome in April 2024: \*\*.+\*\* — the same as this session\.$/m);
    expect(md).toMatch(/^Draw “.+”: in April 2024 .+; in this session .+\.$/m);
    expect(md).toMatch(/^Total: -?\d+ \(April 2024: -?\d+\)\.$/m);
  });

  it("is the scenario's own for any other: the practice round's reference path, never April 2024", () => {
    const practice = shippedScenario('practice-tanker');
    const r = historicalReport(practice, 'label-practice');
    expect(r.historical.label).toBe('the reference path');
    const md = markdown(r);
    expect(md).toContain('## Compared with the reference path');
    expect(md).toContain('| beat | seat | the reference path | this session |');
    expect(md).toMatch(/^Outcome in the reference path: \*\*.+\*\*/m);
    expect(md).toMatch(/^Total: -?\d+ \(the reference path: -?\d+\)\.$/m);
    expect(md).not.toContain('April 2024');
    expect(md).not.toMatch(/historical outcome/i);
  });

  it('names every draw and total of the April 2024 game by another label when the scenario gives one', () => {
    const label = 'the tanker war of 1988';
    const r = historicalReport({ ...shippedScenario('april-2024'), historicalLabel: label }, 'label-other');
    expect(r.historical.label).toBe(label);
    const md = markdown(r);
    expect(md).toContain(`## Compared with ${label}`);
    expect(md).toMatch(/^Draw — .+ \(roll [\d.]+\); in the tanker war of 1988: .+$/m);
    expect(md).toMatch(/^Draw “.+”: in the tanker war of 1988 .+; in this session .+\.$/m);
    // The scenario's own words (its title, the beats' dates, its debrief questions) still say April 2024; nothing the report adds does.
    const own = [r.scenario.title, ...r.beats.map((b) => b.date), ...r.debrief];
    const stray = md.split('\n').filter((line) => line.includes('April 2024') && !own.some((text) => text.includes('April 2024') && line.includes(text)));
    expect(stray).toEqual([]);
  });

  it('is "the reference path" for a scenario that names no history', () => {
    const scenario = loadScenario(mini);
    expect(scenario.historicalLabel).toBe('the reference path');
    expect(historicalHeading(scenario.historicalLabel)).toBe('The reference path');
    expect(historicalHeading('April 2024')).toBe('April 2024');
  });
});

describe("the historical path's name in the comparison", () => {
  it('comes from the reports compared', () => {
    const practice = shippedScenario('practice-tanker');
    const c = compareReports([
      { label: 'A', report: historicalReport(practice, 'compare-label-a') },
      { label: 'B', report: historicalReport(practice, 'compare-label-b') },
    ]);
    expect(c.historical.label).toBe('the reference path');
    expect(compareReports([{ label: 'A', report: historicalReport(shippedScenario('april-2024'), 'compare-label-c') }]).historical.label).toBe('April 2024');
  });
});
