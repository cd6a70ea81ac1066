import { ESCALATION_SCORES, type Interval } from '@rubicon/shared';
import { fixed, percent } from './figures.ts';
import type { MixSummary } from './summary.ts';
import { outcomeHeading, RANKING, shiftText, type Shift } from './sweep.ts';

/**
 * A self-contained HTML report: inline CSS and SVG charts, no script and no
 * external resource, so it opens offline and from a mail attachment.
 */

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
const COLOURS = ['#2b6cb0', '#2f855a', '#c05621', '#9b2c2c', '#553c9a', '#2c7a7b', '#b7791f', '#4a5568'];

/** Horizontal bars with 95% whiskers; values on a shared scale from 0 to `max`. */
function barChart(title: string, rows: { label: string; value: Interval; text: string }[], max: number): string {
  const rowH = 22;
  const labelW = 230;
  const plotW = 420;
  const h = rows.length * rowH + 30;
  const x = (v: number) => labelW + (plotW * Math.max(0, Math.min(max, v))) / (max || 1);
  const bars = rows
    .map((r, i) => {
      const y = 10 + i * rowH;
      const colour = COLOURS[i % COLOURS.length] ?? '#333';
      return `<text x="${labelW - 8}" y="${y + 14}" text-anchor="end">${esc(r.label)}</text>
<rect x="${labelW}" y="${y + 3}" width="${Math.max(1, x(r.value.estimate) - labelW)}" height="${rowH - 8}" fill="${colour}" opacity="0.85"/>
<line x1="${x(r.value.low)}" x2="${x(r.value.high)}" y1="${y + 11}" y2="${y + 11}" stroke="#111" stroke-width="1.5"/>
<text x="${labelW + plotW + 8}" y="${y + 14}">${esc(r.text)}</text>`;
    })
    .join('\n');
  return `<figure><figcaption>${esc(title)}</figcaption><svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${labelW + plotW + 200} ${h}" width="100%">${bars}</svg></figure>`;
}

const pct = (i: Interval) => `${percent(i.estimate)}% [${percent(i.low)}–${percent(i.high)}]`;
const num = (i: Interval) => `${fixed(i.estimate, 1)} [${fixed(i.low, 1)}–${fixed(i.high, 1)}]`;

function mixSection(s: MixSummary): string {
  const rungMax = Math.max(1, ...s.peakRung.counts);
  const escMax = Math.max(1, ...s.escalation.map((e) => e.mean.high));
  return `<section><h2>${esc(s.mix)}</h2><p>${s.games} games. Casualties: mean ${num(s.casualties)}, median ${s.casualties.median}, 90th percentile ${s.casualties.p90}.</p>
${barChart('Outcomes (share of games, 95% Wilson interval)', s.outcomes.map((o) => ({ label: o.title, value: o.share, text: `${pct(o.share)} (${o.count})` })), 1)}
${barChart('Peak ladder rung (games)', s.peakRung.counts.map((c, level) => ({ label: `rung ${level}`, value: { estimate: c, low: c, high: c }, text: String(c) })), rungMax)}
${barChart('Escalation score per seat (mean over games, 95% interval)', s.escalation.map((e) => ({ label: e.seat, value: e.mean, text: num(e.mean) })), escMax)}
</section>`;
}

function shiftTable(shifts: readonly Shift[], outcomes: readonly { id: string; title: string }[]): string {
  const rows = outcomes
    .map((o) => {
      const all = shifts.filter((s) => s.outcome === o.id);
      const head = `<tr><th colspan="4">${esc(outcomeHeading(o.title, all))}</th></tr>`;
      return `${head}${all
        .slice(0, 6)
        .map((s) => {
          const t = shiftText(s);
          return `<tr><td>${esc(`${s.seat} = ${s.persona}`)}</td><td>${esc(t.rates)}</td><td>${esc(t.shift)}</td><td>${esc(t.odds)}</td></tr>`;
        })
        .join('')}`;
    })
    .join('');
  return `<section><h2>Which choices shift each outcome</h2><p>Choices ${esc(RANKING)}.</p><table><thead><tr><th>choice</th><th>games ending so: with it vs with the seat's other choices</th><th>shift in percentage points [95%]</th><th>odds ratio [95%]</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

export function reportHtml(input: { title: string; command: string; summaries: readonly MixSummary[]; shifts: readonly Shift[] | null; outcomes: readonly { id: string; title: string }[]; gamesPerSecond: number }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1a202c}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-top:1px solid #cbd5e0;padding-top:1rem}
figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}svg text{font-size:12px;fill:#1a202c}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e2e8f0;padding:.25rem .5rem;text-align:left}
code{background:#edf2f7;padding:.1rem .3rem}
</style></head><body>
<h1>${esc(input.title)}</h1>
<p>Made by <code>${esc(input.command)}</code>: whole games played headless on the same turn machine and adjudication as live sessions, at ${input.gamesPerSecond.toFixed(0)} games/s. Escalation scores use the scale of Rivera et al. (2024): ${esc(Object.entries(ESCALATION_SCORES).map(([k, v]) => `${v} ${k}`).join(', '))}.</p>
${input.shifts ? shiftTable(input.shifts, input.outcomes) : ''}
${input.summaries.map(mixSection).join('\n')}
</body></html>
`;
}
