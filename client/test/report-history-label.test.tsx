import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { buildReport, buildSessionFile, compareReports, createGame, historicalChooser, runHeadless, type Scenario, type SessionReport } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { EscalationScores, HistoricalComparison, type SectionProps } from '../src/report/ReportSections.tsx';
import { ComparisonView } from '../src/report/ComparisonView.tsx';

/** A whole game along the scenario's historical path, and its report. */
function historicalReport(scenario: Scenario, seed: string): SessionReport {
  const game = createGame(scenario, { scenarioId: scenario.id, seed });
  const { log } = runHeadless(game, { choose: historicalChooser(scenario, 'as history has it') });
  const file = buildSessionFile({ session: { sessionId: seed, title: `Session ${seed}`, createdAt: 0, parent: null }, game, log, exportedAt: 1 });
  return buildReport(file, game, log);
}

/** The rendered text, tags dropped, followed by every aria label in brackets (what a screen reader says). */
function text(node: Parameters<typeof renderToStaticMarkup>[0]): string {
  const html = renderToStaticMarkup(node).replace(/&#x27;|&#39;/g, "'");
  const labels = [...html.matchAll(/aria-label="([^"]*)"/g)].map((m) => `[${m[1]}]`);
  return [html.replace(/<[^>]+>/g, ''), ...labels].join('\n');
}

const props = (report: SessionReport): SectionProps => ({ report, seat: (id) => id ?? 'White cell', t: String, privateChannels: false });

describe("the report page and the comparison name the scenario's historical path as the scenario does", () => {
  const label = 'the tanker war of 1988';
  const relabeled = { ...shippedScenario('april-2024'), historicalLabel: label };

  it("the report's comparison and escalation sections", () => {
    const report = historicalReport(relabeled, 'client-label');
    const shown = text(
      <>
        <HistoricalComparison {...props(report)} />
        <EscalationScores {...props(report)} />
      </>,
    );
    expect(shown).toContain(`Compared with ${label}`);
    expect(shown).toContain(`Outcome in ${label}:`);
    expect(shown).toContain('The tanker war of 1988');
    expect(shown).toContain(`[as in ${label}]`);
    expect(shown).toMatch(/Draw “.+”: in the tanker war of 1988 /);
    expect(shown).toMatch(/in the tanker war of 1988 the same seats score -?\d+\./);
    expect(shown).not.toContain('April 2024');
  });

  it('the comparison of several sessions', () => {
    const c = compareReports([
      { label: 'Group A', report: historicalReport(relabeled, 'client-label-a') },
      { label: 'Group B', report: historicalReport(relabeled, 'client-label-b') },
    ]);
    // The scenario's own title names April 2024; take it out to see what the view itself says.
    const shown = text(<ComparisonView comparison={{ ...c, scenario: { ...c.scenario, title: 'The scenario' } }} />);
    expect(shown).toContain(`In ${label}:`);
    expect(shown).toContain(`As in ${label}`);
    expect(shown).toContain(`decisions as in ${label}`);
    expect(shown).toContain(`[Escalation score per session and for ${label}]`);
    expect(shown).toContain('The tanker war of 1988');
    expect(shown).not.toContain('April 2024');
  });

  it('the practice round reads as a reference path, not as history', () => {
    const report = historicalReport(shippedScenario('practice-tanker'), 'client-practice');
    const shown = text(<HistoricalComparison {...props(report)} />);
    expect(shown).toContain('Compared with the reference path');
    expect(shown).toContain('The reference path');
    expect(shown).not.toMatch(/April 2024|Historical outcome/);
  });
});
