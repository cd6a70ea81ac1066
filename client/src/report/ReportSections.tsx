import { historicalHeading, type SessionReport } from '@rubicon/shared';

/** What every section of the after-action report reads: the report, names for seats, session times, and the privacy choice. */
export interface SectionProps {
  report: SessionReport;
  /** A seat's display name; null is the white cell. */
  seat: (id: string | null) => string;
  /** A moment shown as time since the session started. */
  t: (ms: number) => string;
  privateChannels: boolean;
}

/** The report's section on what the session ended in, and the path of rungs it took. */
export function OutcomeSection({ report }: SectionProps) {
  return (
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
  );
}

/** The report's section on each seat's escalation score per beat, on the published scale, against the historical path. */
export function EscalationScores({ report, seat }: SectionProps) {
  const ids = report.seats.map((s) => s.id);
  const totals = (rows: SessionReport['escalation']['session']) => rows.reduce((a, b) => a + b.total, 0);
  return (
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
        Session total <strong data-testid="escalation-total">{totals(report.escalation.session)}</strong>; in {report.historical.label} the same seats score {totals(report.escalation.historical)}.
      </p>
    </section>
  );
}

/** The report's section on each seat's choice beside the scenario's historical path, and the draws beside what happened there. */
export function HistoricalComparison({ report, seat }: SectionProps) {
  const { label } = report.historical;
  return (
    <section className="report__section" data-testid="report-historical">
      <h2>Compared with {label}</h2>
      <p>
        Outcome in {label}: <strong>{report.historical.outcome.title}</strong>
        {report.historical.sameOutcome ? ' — the same as this session.' : '.'}
      </p>
      <table className="report__table">
        <thead>
          <tr>
            <th scope="col">Beat</th>
            <th scope="col">Seat</th>
            <th scope="col">{historicalHeading(label)}</th>
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
                {s.session ?? <span className="muted">not played</span>} {s.same && <span aria-label={`as in ${label}`}>✓</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.historical.draws.map((d) => (
        <p key={d.title} data-testid="historical-draw">
          Draw “{d.title}”: in {label} <strong>{d.historical}</strong>; in this session {d.session ? <strong>{d.session}</strong> : 'it was not drawn'}.
        </p>
      ))}
    </section>
  );
}

/** The report's section on the changes to the world that moved the crisis, with their causes. */
export function TurningPoints({ report }: SectionProps) {
  return (
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
  );
}

/** The report's section on each beat's choices with rationales, draws, override and changes. */
export function BeatByBeat({ report, seat, t }: SectionProps) {
  return (
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
  );
}

/** The report's section on the white cell's overrides, rewinds and injects. */
export function Interventions({ report }: SectionProps) {
  return (
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
  );
}

/** The report's section on every channel's messages; private channels only when asked for. */
export function MessageTraffic({ report, seat, t, privateChannels }: SectionProps) {
  return (
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
  );
}

/** The report's section on the scenario's debrief questions for this outcome. */
export function DebriefQuestions({ report }: SectionProps) {
  return (
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
  );
}
