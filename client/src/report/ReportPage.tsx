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
  const ids = report.seats.map((s) => s.id);
  const totals = (rows: SessionReport['escalation']['session']) => rows.reduce((a, b) => a + b.total, 0);

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

        <section className="report__section" data-testid="report-outcome">
          <h2>Outcome</h2>
          {report.outcome ? (
            <>
              <p className="report__outcome">
                <strong>{report.outcome.title}</strong> <span className="muted">({report.outcome.by === 'rules' ? 'by the rules' : `declared by the white cell: ${report.outcome.reason ?? ''}`})</span>
              </p>
              <p>{report.outcome.description}</p>
            </>
          ) : (
            <p>The session has not reached an outcome yet.</p>
          )}
          <p>
            <span className="muted">Path:</span> {report.path.map((p) => p.title).join(' → ') || '—'}
          </p>
        </section>

        <section className="report__section">
          <h2>Escalation over time</h2>
          <LadderChart series={report.series} rungs={report.rungs} events={report.events} />
          <MeasureCharts series={report.series} seats={report.seats} measures={report.measures} events={report.events} />
        </section>

        <section className="report__section" data-testid="report-escalation">
          <h2>Escalation scores per beat</h2>
          <p className="small muted">The published scale of Rivera et al. (2024): de-escalation −2, status quo 0, posturing 4, non-violent escalation 12, violent escalation 28, nuclear 60.</p>
          <table className="report__table">
            <thead>
              <tr>
                <th scope="col">Beat</th>
                {ids.map((i) => (
                  <th key={i} scope="col">
                    {seat(i)}
                  </th>
                ))}
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {report.escalation.session.map((e) => (
                <tr key={e.beat}>
                  <th scope="row">{report.beats.find((b) => b.beat === e.beat)?.title ?? e.beat}</th>
                  {ids.map((i) => (
                    <td key={i}>{e.seats[i] ?? '—'}</td>
                  ))}
                  <td>{e.total}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            Session total <strong data-testid="escalation-total">{totals(report.escalation.session)}</strong>; the April 2024 path scores {totals(report.escalation.historical)}.
          </p>
        </section>

        <section className="report__section" data-testid="report-historical">
          <h2>Compared with April 2024</h2>
          <p>
            Historical outcome: <strong>{report.historical.outcome.title}</strong>
            {report.historical.sameOutcome ? ' — the same as this session.' : '.'}
          </p>
          <table className="report__table">
            <thead>
              <tr>
                <th scope="col">Beat</th>
                <th scope="col">Seat</th>
                <th scope="col">April 2024</th>
                <th scope="col">This session</th>
              </tr>
            </thead>
            <tbody>
              {report.historical.steps.map((s) => (
                <tr key={`${s.beat}:${s.seat}`} className={s.same ? 'report__same' : ''}>
                  <td>{s.beatTitle}</td>
                  <td>{seat(s.seat)}</td>
                  <td>{s.historical}</td>
                  <td>
                    {s.session ?? <span className="muted">not played</span>} {s.same && <span aria-label="same as history">✓</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.historical.draws.map((d) => (
            <p key={d.title} data-testid="historical-draw">
              Draw “{d.title}”: in April 2024 <strong>{d.historical}</strong>; in this session {d.session ? <strong>{d.session}</strong> : 'it was not drawn'}.
            </p>
          ))}
        </section>

        <section className="report__section">
          <h2>Turning points</h2>
          {report.turningPoints.length === 0 ? (
            <p>No changes were recorded.</p>
          ) : (
            <ol>
              {report.turningPoints.map((p, i) => (
                <li key={i}>
                  {p.what} — <span className="muted">{p.cause}</span> (event {p.version})
                </li>
              ))}
            </ol>
          )}
        </section>

        <section className="report__section">
          <h2>Decisions and adjudication, beat by beat</h2>
          {report.beats.map((b) => (
            <article key={`${b.beat}-${b.version}`} className="report__beat">
              <h3>
                Beat {b.beatIndex}: {b.title} <span className="muted">· {b.date} · {t(b.at)}</span>
              </h3>
              <table className="report__table">
                <thead>
                  <tr>
                    <th scope="col">Seat</th>
                    <th scope="col">Move</th>
                    <th scope="col">Escalation</th>
                    <th scope="col">Rationale</th>
                  </tr>
                </thead>
                <tbody>
                  {b.choices.map((c) => (
                    <tr key={c.seat}>
                      <td>{seat(c.seat)}</td>
                      <td>
                        {c.title}
                        {c.defaulted && <span className="muted"> (default)</span>}
                      </td>
                      <td>
                        {c.escalation} ({c.score})
                      </td>
                      <td>{c.rationale || <span className="muted">—</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {b.draws.map((d, i) => (
                <p key={i}>
                  Draw — {d.title}: <strong>{d.label}</strong> (roll {d.roll.toFixed(3)})
                </p>
              ))}
              {b.override && <p className="report__override">White cell override: {b.override}</p>}
              {b.changes.length > 0 && (
                <ul className="small">
                  {b.changes.map((c, i) => (
                    <li key={i}>
                      {c.text} — <span className="muted">{c.cause}</span>
                    </li>
                  ))}
                </ul>
              )}
            </article>
          ))}
        </section>

        <section className="report__section">
          <h2>Overrides, rewinds and injects</h2>
          {report.overrides.length + report.rewinds.length + report.injects.length === 0 && <p>None.</p>}
          <ul>
            {report.overrides.map((o) => (
              <li key={`o${o.version}`}>
                Override in {o.title} (event {o.version}): {o.reason}
              </li>
            ))}
            {report.rewinds.map((w) => (
              <li key={`w${w.version}`}>
                Rewind to {w.title} (event {w.version})
              </li>
            ))}
            {report.injects.map((i) => (
              <li key={`i${i.version}`}>
                Inject: {i.title} (event {i.version})
              </li>
            ))}
          </ul>
        </section>

        <section className="report__section" data-testid="report-messages">
          <h2>Message traffic</h2>
          {report.channels.map((c) => {
            const shown = c.kind === 'public' || privateChannels;
            return (
              <div key={c.id} className="report__channel">
                <h3>
                  {c.title} <span className="muted">({c.kind}, {c.messages.length} messages)</span>
                </h3>
                {shown ? (
                  <ul className="small">
                    {c.messages.map((m) => (
                      <li key={m.id}>
                        <span className="muted">{t(m.at)}</span> {seat(m.from)}: {m.text}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className="small muted">Private channel: contents left out (tick “Include private channels” to show them).</p>
                )}
              </div>
            );
          })}
        </section>

        {report.rubric && (
          <section className="report__section" data-testid="report-rubric">
            <h2>Rubric: the white cell’s scores</h2>
            <RubricTable rubric={report.rubric} seatName={(id) => seat(id)} />
            <RubricNotes rubric={report.rubric} seatName={(id) => seat(id)} />
          </section>
        )}

        <section className="report__section" data-testid="report-debrief">
          <h2>Debrief questions</h2>
          {report.debrief.length > 0 ? (
            <ol>
              {report.debrief.map((q, i) => (
                <li key={i}>{q}</li>
              ))}
            </ol>
          ) : (
            <p className="muted">The scenario has no debrief questions for this outcome.</p>
          )}
        </section>
      </main>
    </div>
  );
}
