import { historicalHeading, type Comparison, type ComparedSession } from '@rubicon/shared';

/**
 * The comparison as one self-contained, printable HTML page: inline CSS and
 * SVG, no script, nothing fetched, so it opens offline and prints to A4.
 * The same sections as the comparison screen in the app.
 */

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function minutes(s: number | null): string {
  if (s === null) return '—';
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

function row(cells: string[], head = false): string {
  const tag = head ? 'th' : 'td';
  return `<tr>${cells.map((c, i) => (head || i > 0 ? `<${tag}>${c}</${tag}>` : `<th scope="row">${c}</th>`)).join('')}</tr>`;
}

function tableOf(caption: string, head: string[], rows: string[][]): string {
  return `<table><caption>${esc(caption)}</caption><thead>${row(head, true)}</thead><tbody>${rows.map((r) => row(r)).join('')}</tbody></table>`;
}

function sessionsTable(c: Comparison): string {
  const scored = c.sessions.some((s) => s.rubric && Object.keys(s.rubric).length > 0);
  const perSeat = (bySeat: Record<string, number>) =>
    c.seats
      .filter((seat) => bySeat[seat.id] !== undefined)
      .map((seat) => `${esc(seat.name)} ${bySeat[seat.id]}`)
      .join('<br>');
  const rubric = (s: ComparedSession) =>
    c.seats
      .flatMap((seat) => {
        const t = s.rubric?.[seat.id];
        return t ? [`${esc(seat.name)} ${t.total}/${t.max}`] : [];
      })
      .join('<br>') || '—';
  const head = ['Session', 'Outcome and path', 'Escalation', `As in ${c.historical.label}`, 'Length', ...(scored ? ['Rubric'] : [])];
  const rows = c.sessions.map((s) => [
    `${esc(s.label)}<br><span class="muted">${esc(s.title)}</span>`,
    `${s.outcome ? `<strong>${esc(s.outcome.title)}</strong>${s.history.sameOutcome ? ' ✓' : ''}` : '<span class="muted">no outcome yet</span>'}<br><span class="muted">${esc(s.path.map((p) => p.title).join(' → '))}</span>`,
    `<strong>${s.escalation.total}</strong><br><span class="muted">${perSeat(s.escalation.bySeat)}</span>`,
    `${s.history.same} of ${s.history.of} decisions`,
    minutes(s.durationSeconds),
    ...(scored ? [rubric(s)] : []),
  ]);
  const history = [
    `<strong>${esc(historicalHeading(c.historical.label))}</strong>`,
    `<strong>${esc(c.historical.outcome.title)}</strong>`,
    `<strong>${c.historical.escalation.total}</strong><br><span class="muted">${perSeat(c.historical.escalation.bySeat)}</span>`,
    '',
    '',
    ...(scored ? [''] : []),
  ];
  return tableOf(`Each session: outcome (✓ the same as ${esc(c.historical.label)}) and path, escalation score (Rivera et al. 2024) in total and per seat, decisions as in ${esc(c.historical.label)}, length (minutes:seconds)`, head, [...rows, history]);
}

function escalationChart(c: Comparison): string {
  const rows = [...c.sessions.map((s) => ({ label: s.label, value: s.escalation.total, history: false })), { label: historicalHeading(c.historical.label), value: c.historical.escalation.total, history: true }];
  const lo = Math.min(0, ...rows.map((r) => r.value));
  const hi = Math.max(1, ...rows.map((r) => r.value));
  const labelW = 200;
  const plotW = 440;
  const h = 22;
  const x = (v: number) => labelW + ((v - lo) / (hi - lo)) * plotW;
  const bars = rows
    .map((r, i) => {
      const y = 8 + i * h;
      const [a, b] = [x(Math.min(0, r.value)), x(Math.max(0, r.value))];
      const fill = r.history ? '#8a5a00' : '#2b6cb0';
      return `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${esc(r.label.length > 30 ? `${r.label.slice(0, 29)}…` : r.label)}</text><rect x="${a}" y="${y + 3}" width="${Math.max(1, b - a)}" height="${h - 8}" fill="${fill}"/><text x="${labelW + plotW + 6}" y="${y + 14}">${r.value}</text>`;
    })
    .join('');
  const height = rows.length * h + 16;
  return `<figure><svg role="img" aria-label="Escalation score per session, with ${esc(c.historical.label)}" viewBox="0 0 ${labelW + plotW + 60} ${height}" width="100%"><line x1="${x(0)}" x2="${x(0)}" y1="0" y2="${height}" stroke="#999"/>${bars}</svg><figcaption>Escalation score per session (sum over beats and seats), and ${esc(c.historical.label)}.</figcaption></figure>`;
}

function decisionsTables(c: Comparison): string {
  return c.beats
    .map(({ beat, title }) => {
      const head = ['Seat', esc(historicalHeading(c.historical.label)), ...c.sessions.map((s) => esc(s.label))];
      const seats = c.seats.filter((seat) => c.historical.choices[beat]?.[seat.id] || c.sessions.some((s) => s.beats.some((b) => b.beat === beat && b.choices.some((x) => x.seat === seat.id))));
      const rows = seats.map((seat) => [
        esc(seat.name),
        esc(c.historical.choices[beat]?.[seat.id] ?? '—'),
        ...c.sessions.map((s) => {
          const choices = s.beats.find((b) => b.beat === beat)?.choices.filter((x) => x.seat === seat.id) ?? [];
          if (choices.length === 0) return '<span class="muted">not played</span>';
          return choices
            .map((x) => `${esc(x.title)}${x.defaulted ? ' <span class="muted">(default)</span>' : ''} <span class="muted">${x.score}</span>${x.historical ? ' ✓' : ''}`)
            .join('<br>');
        }),
      ]);
      const timing = c.sessions.map((s) => minutes(s.beats.find((b) => b.beat === beat)?.planningSeconds ?? null));
      return `<section class="beat"><h3>${esc(title)}</h3>${tableOf(`Decisions in ${title} (escalation score; ✓ as in ${esc(c.historical.label)})`, head, [...rows, ['<span class="muted">planning time</span>', '', ...timing]])}</section>`;
    })
    .join('');
}

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:64rem;padding:0 1rem;color:#111;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;break-after:avoid}h3{font-size:1rem;margin:1.2rem 0 .3rem;break-after:avoid}
table{border-collapse:collapse;width:100%;table-layout:fixed;margin:.4rem 0 1rem}caption{text-align:left;font-size:.85rem;color:#444;padding-bottom:.2rem}
th,td{border-bottom:1px solid #ccc;padding:.25rem .35rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
thead th{border-bottom:2px solid #888}.muted{color:#555}figure{margin:.5rem 0}svg text{font:11px system-ui,sans-serif;fill:#222}
.beat{break-inside:avoid-page}
@media print{body{margin:0;max-width:none;font-size:11px}@page{size:A4;margin:14mm}}
`;

export function comparisonHtml(c: Comparison, command: string): string {
  const outcomes = new Map<string, number>();
  for (const s of c.sessions) outcomes.set(s.outcome?.title ?? 'No outcome yet', (outcomes.get(s.outcome?.title ?? 'No outcome yet') ?? 0) + 1);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(`Rubicon comparison: ${c.scenario.title}`)}</title><style>${CSS}</style></head>
<body><main>
<h1>${esc(c.scenario.title)}: ${c.sessions.length} session${c.sessions.length === 1 ? '' : 's'} compared</h1>
<p class="muted">Scenario ${esc(c.scenario.id)} version ${c.scenario.version}. Made with <code>${esc(command)}</code>. Escalation scores follow Rivera et al. (2024): de-escalation −2, status quo 0, posturing 4, non-violent escalation 12, violent escalation 28, nuclear 60.</p>
<h2>Outcomes</h2>
<p>${[...outcomes].map(([title, n]) => `${esc(title)}: <strong>${n}</strong>`).join(' · ')}. In ${esc(c.historical.label)}: <strong>${esc(c.historical.outcome.title)}</strong>.</p>
${sessionsTable(c)}
<h2>Escalation</h2>
${escalationChart(c)}
<h2>Key decisions per beat</h2>
${decisionsTables(c)}
</main></body></html>
`;
}
