import { useMemo, useState } from 'react';
import '../replay/replay.css';
import { buildReport, reportMarkdown, sessionTime, type SessionReport } from '@rubicon/shared';
import { AppHeader } from '../common/AppHeader.tsx';
import { Link } from '../common/Link.tsx';
import { paths } from '../router.ts';
import { useRecordedSession, type RecordedSession } from '../replay/useRecordedSession.ts';
import { LadderChart, MeasureCharts } from './Charts.tsx';
import { RubricNotes, RubricTable } from './RubricTable.tsx';
import { downloadBlob } from '../lib/download.ts';
import { BeatByBeat, DebriefQuestions, EscalationScores, HistoricalComparison, Interventions, MessageTraffic, OutcomeSection, TurningPoints, type SectionProps } from './ReportSections.tsx';

/** `/r/:id/report`: the after-action report, for the screen, for print (PDF) and as Markdown. */
export function ReportPage({ sessionId }: { sessionId: string }) {
  const loaded = useRecordedSession(sessionId);
  if (loaded.status !== 'ready')
    return (
      <div className="page">
        <AppHeader context={<strong>After-action report</strong>} />
        <main id="main" className="narrow">
          <section className="panel">
            <h1>After-action report</h1>
            {loaded.status === 'loading' ? <p className="muted">Rebuilding the session…</p> : <p className="alert" role="alert">{loaded.message}</p>}
          </section>
        </main>
      </div>
    );
  return <Report session={loaded.session} />;
}

function Report({ session }: { session: RecordedSession }) {
  const [privateChannels, setPrivate] = useState(false);
  const report = useMemo<SessionReport>(() => buildReport(session.file, session.verified.game, session.verified.log), [session]);
  const seat = (id: string | null) => (id ? (report.seats.find((s) => s.id === id)?.name ?? id) : 'White cell');
  const t = (ms: number) => sessionTime(ms, report.startedAt);
  const download = () =>
    downloadBlob(`rubicon-report-${session.file.session.sessionId}.md`, new Blob([reportMarkdown(report, { privateChannels })], { type: 'text/markdown' }));
  const sectionProps: SectionProps = { report, seat, t, privateChannels };

  return (
    <div className="page page--report">
      <AppHeader context={<strong>After-action report</strong>} />
      <nav className="subnav no-print" aria-label="Report">
        <Link href={paths.replay(session.sessionId)}>Replay</Link>
        <label className="check">
          <input type="checkbox" checked={privateChannels} onChange={(e) => setPrivate(e.target.checked)} data-testid="include-private" /> Include private channels
        </label>
        <button type="button" className="btn btn--small" onClick={() => window.print()} data-testid="print">
          Print / PDF
        </button>
        <button type="button" className="btn btn--small" onClick={download} data-testid="download-markdown">
          Download Markdown
        </button>
      </nav>
      <main id="main" className="report">
        <header className="report__head">
          <h1>{report.title}</h1>
          <p className="muted">
            {report.scenario.title} · scenario version {report.scenario.version} · seed <span className="mono">{String(report.seed)}</span> · {report.events} events over{' '}
            {report.endedAt === null ? '—' : t(report.endedAt)}
            {report.parent && ` · branched from “${report.parent.title}” at event ${report.parent.version}`}
          </p>
        </header>

        <OutcomeSection {...sectionProps} />
        <section className="report__section">
          <h2>Escalation over time</h2>
          <LadderChart series={report.series} rungs={report.rungs} events={report.events} />
          <MeasureCharts series={report.series} seats={report.seats} measures={report.measures} events={report.events} />
        </section>

        <EscalationScores {...sectionProps} />
        <HistoricalComparison {...sectionProps} />
        <TurningPoints {...sectionProps} />
        <BeatByBeat {...sectionProps} />
        <Interventions {...sectionProps} />
        <MessageTraffic {...sectionProps} />
        {report.rubric && (
          <section className="report__section" data-testid="report-rubric">
            <h2>Rubric: the white cell’s scores</h2>
            <RubricTable rubric={report.rubric} seatName={(id) => seat(id)} />
            <RubricNotes rubric={report.rubric} seatName={(id) => seat(id)} />
          </section>
        )}

        <DebriefQuestions {...sectionProps} />
      </main>
    </div>
  );
}
