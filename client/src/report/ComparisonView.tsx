import { historicalHeading, type Comparison, type ComparedSession } from '@rubicon/shared';

const minutes = (s: number | null) => (s === null ? '—' : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`);

/**
 * Several sessions of one scenario side by side, with its historical path: outcomes,
 * paths, escalation, decisions per beat and timings. The data is
 * `compareReports` (the same as `rubicon summarize`); this only lays it out.
 */
export function ComparisonView({ comparison: c }: { comparison: Comparison }) {
  const outcomes = new Map<string, number>();
  for (const s of c.sessions) outcomes.set(s.outcome?.title ?? 'No outcome yet', (outcomes.get(s.outcome?.title ?? 'No outcome yet') ?? 0) + 1);
  return (
    <article className="comparison" data-testid="comparison" data-scenario={c.scenario.id}>
      <h2>
        {c.scenario.title}: {c.sessions.length} session{c.sessions.length === 1 ? '' : 's'}
      </h2>
      <p data-testid="comparison-outcomes">
        {[...outcomes].map(([title, n], i) => (
          <span key={title}>
            {i > 0 && ' · '}
            {title}: <strong>{n}</strong>
          </span>
        ))}
        . In {c.historical.label}: <strong>{c.historical.outcome.title}</strong>.
      </p>
      <SessionsTable c={c} />
      <h3>Escalation score per session</h3>
      <EscalationChart c={c} />
      <h3>Key decisions per beat</h3>
      {c.beats.map((b) => (
        <BeatTable key={b.beat} c={c} beat={b.beat} title={b.title} />
      ))}
    </article>
  );
}

function PerSeat({ c, bySeat }: { c: Comparison; bySeat: Record<string, number> }) {
  return (
    <span className="small muted">
      {c.seats
        .filter((s) => bySeat[s.id] !== undefined)
        .map((s) => `${s.name} ${bySeat[s.id]}`)
        .join(' · ')}
    </span>
  );
}

/** Each seat's rubric total, or a dash for a session nobody scored. */
function rubricLine(c: Comparison, s: ComparedSession): string {
  return (
    c.seats
      .flatMap((seat) => {
        const t = s.rubric?.[seat.id];
        return t ? [`${seat.name} ${t.total}/${t.max}`] : [];
      })
      .join(' · ') || '—'
  );
}

function SessionRow({ c, s, scored }: { c: Comparison; s: ComparedSession; scored: boolean }) {
  const { label } = c.historical;
  return (
    <tr data-testid="comparison-row">
      <th scope="row">{s.label}</th>
      <td>
        {s.outcome ? <strong>{s.outcome.title}</strong> : <span className="muted">no outcome yet</span>}
        {s.history.sameOutcome && <span aria-label={`the same as ${label}`}> ✓</span>}
        <br />
        <span className="small muted">{s.path.map((p) => p.title).join(' → ')}</span>
      </td>
      <td>
        <strong>{s.escalation.total}</strong>
        <br />
        <PerSeat c={c} bySeat={s.escalation.bySeat} />
      </td>
      <td>
        {s.history.same} of {s.history.of}
      </td>
      <td>{minutes(s.durationSeconds)}</td>
      {scored && <td className="small">{rubricLine(c, s)}</td>}
    </tr>
  );
}

function SessionsTable({ c }: { c: Comparison }) {
  const { label } = c.historical;
  const scored = c.sessions.some((s) => s.rubric && Object.keys(s.rubric).length > 0);
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Sessions compared (scrolls sideways)">
      <table className="report__table" data-testid="comparison-sessions">
        <caption className="small muted">Outcome (✓ the same as {label}) and path; escalation score (Rivera et al. 2024) in total and per seat; decisions as in {label}; length (minutes:seconds).</caption>
        <thead>
          <tr>
            <th scope="col">Session</th>
            <th scope="col">Outcome and path</th>
            <th scope="col">Escalation</th>
            <th scope="col">As in {label}</th>
            <th scope="col">Length</th>
            {scored && <th scope="col">Rubric</th>}
          </tr>
        </thead>
        <tbody>
          {c.sessions.map((s) => (
            <SessionRow key={s.sessionId} c={c} s={s} scored={scored} />
          ))}
          <tr className="comparison__history" data-testid="comparison-history">
            <th scope="row">{historicalHeading(label)}</th>
            <td>
              <strong>{c.historical.outcome.title}</strong>
            </td>
            <td>
              <strong>{c.historical.escalation.total}</strong>
              <br />
              <PerSeat c={c} bySeat={c.historical.escalation.bySeat} />
            </td>
            <td />
            <td />
            {scored && <td />}
          </tr>
        </tbody>
      </table>
    </div>
  );
}

function EscalationChart({ c }: { c: Comparison }) {
  const rows = [...c.sessions.map((s) => ({ label: s.label, value: s.escalation.total, history: false })), { label: historicalHeading(c.historical.label), value: c.historical.escalation.total, history: true }];
  const lo = Math.min(0, ...rows.map((r) => r.value));
  const hi = Math.max(1, ...rows.map((r) => r.value));
  const [labelW, plotW, rowH] = [190, 420, 24];
  const x = (v: number) => labelW + ((v - lo) / (hi - lo)) * plotW;
  const height = rows.length * rowH + 10;
  return (
    <figure className="chart" data-testid="comparison-chart">
      <svg className="chart__svg" viewBox={`0 0 ${labelW + plotW + 60} ${height}`} role="img" aria-label={`Escalation score per session and for ${c.historical.label}`}>
        <line className="chart__grid" x1={x(0)} x2={x(0)} y1={0} y2={height} />
        {rows.map((r, i) => {
          const y = 5 + i * rowH;
          const [a, b] = [x(Math.min(0, r.value)), x(Math.max(0, r.value))];
          return (
            <g key={`${r.label}-${i}`}>
              <text className="chart__tick" x={labelW - 6} y={y + 15} textAnchor="end">
                {r.label.length > 28 ? `${r.label.slice(0, 27)}…` : r.label}
              </text>
              <rect x={a} y={y + 3} width={Math.max(1, b - a)} height={rowH - 8} fill={r.history ? 'var(--accent)' : 'var(--info)'} />
              <text className="chart__tick" x={labelW + plotW + 6} y={y + 15}>
                {r.value}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

function BeatTable({ c, beat, title }: { c: Comparison; beat: string; title: string }) {
  const { label } = c.historical;
  const acted = (seat: string) => Boolean(c.historical.choices[beat]?.[seat]) || c.sessions.some((s) => s.beats.some((b) => b.beat === beat && b.choices.some((x) => x.seat === seat)));
  return (
    <section className="report__beat" data-testid={`comparison-beat-${beat}`}>
      <h4>{title}</h4>
      <div className="table-scroll" tabIndex={0} role="region" aria-label={`Decisions in ${title} (scrolls sideways)`}>
        <table className="report__table">
          <caption className="visually-hidden">Each seat's decision in {title}, in {label} and in each session (escalation score; ✓ as in {label})</caption>
          <thead>
            <tr>
              <th scope="col">Seat</th>
              <th scope="col">{historicalHeading(label)}</th>
              {c.sessions.map((s) => (
                <th key={s.sessionId} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {c.seats.filter((seat) => acted(seat.id)).map((seat) => (
              <tr key={seat.id}>
                <th scope="row">{seat.name}</th>
                <td>{c.historical.choices[beat]?.[seat.id] ?? '—'}</td>
                {c.sessions.map((s) => {
                  const choices = s.beats.find((b) => b.beat === beat)?.choices.filter((x) => x.seat === seat.id) ?? [];
                  return (
                    <td key={s.sessionId}>
                      {choices.length === 0 ? (
                        <span className="muted">not played</span>
                      ) : (
                        choices.map((x) => (
                          <span key={x.move} className="comparison__choice">
                            {x.title}
                            {x.defaulted && <span className="muted"> (default)</span>} <span className="muted">{x.score}</span>
                            {x.historical && <span aria-label={`as in ${label}`}> ✓</span>}
                          </span>
                        ))
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
            <tr>
              <th scope="row" className="muted">
                Planning time
              </th>
              <td />
              {c.sessions.map((s) => (
                <td key={s.sessionId}>{minutes(s.beats.find((b) => b.beat === beat)?.planningSeconds ?? null)}</td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
    </section>
  );
}
