import type { SessionReport } from './report.ts';
import { withAlso } from '../scenario/also.ts';

export interface MarkdownOptions {
  /** Include the messages of private (bilateral, mediated, team) channels, not only public statements. */
  privateChannels: boolean;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n+/g, ' ');

/** Session time as T+h:mm:ss from the first event: the same text wherever and whenever the report is made. */
export function sessionTime(ms: number, start: number | null): string {
  const s = Math.max(0, Math.round((ms - (start ?? ms)) / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `T+${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** What every section needs: the report, a seat's name, and a time as session time. */
interface Ctx {
  r: SessionReport;
  seat: (id: string) => string;
  iso: (ms: number | null) => string;
}

/** The after-action report as Markdown, for a download or a terminal. */
export function reportMarkdown(r: SessionReport, options: MarkdownOptions): string {
  const ctx: Ctx = {
    r,
    seat: (id) => r.seats.find((s) => s.id === id)?.name ?? id,
    iso: (ms) => (ms === null ? '—' : sessionTime(ms, r.startedAt)),
  };
  const out = [
    ...headMarkdown(ctx),
    ...decisionsMarkdown(ctx),
    ...interventionsMarkdown(r),
    ...worldMarkdown(r),
    ...historyMarkdown(ctx),
    ...escalationMarkdown(ctx),
    ...trafficMarkdown(ctx, options),
    ...rubricMarkdown(r, ctx.seat),
    '## Debrief questions',
    '',
  ];
  if (r.debrief.length) for (const q of r.debrief) out.push(`- ${q}`);
  else out.push('The scenario has no debrief questions for this outcome.');
  return out.join('\n') + '\n';
}

/** The title, the session's facts, how it ended and the path it took. */
function headMarkdown({ r, iso }: Ctx): string[] {
  const out = [`# After-action report: ${r.title}`, ''];
  out.push(`${r.scenario.title} (scenario ${r.scenario.id} v${r.scenario.version}) · seed \`${String(r.seed)}\` · ${r.events} events over ${iso(r.endedAt)}`);
  if (r.parent) out.push('', `Branched from “${r.parent.title}” (${r.parent.sessionId}) at event ${r.parent.version}.`);
  out.push('', '## Outcome', '');
  if (r.outcome) {
    out.push(`**${r.outcome.title}** (${r.outcome.by === 'rules' ? 'reached by the rules' : `declared by the white cell: ${r.outcome.reason ?? ''}`})`, '', r.outcome.description);
  } else out.push('The session has not reached an outcome.');
  out.push('', `Path: ${r.path.map((p) => p.title).join(' → ') || '—'}`);
  return out;
}

/** Each beat's choices with their rationales, its draws, any override, and what changed. */
function decisionsMarkdown({ r, seat }: Ctx): string[] {
  const out = ['', '## Decisions and adjudication', ''];
  for (const b of r.beats) {
    out.push(`### Beat ${b.beatIndex}: ${b.title} (${b.date})`, '');
    out.push('| seat | move | escalation | rationale |', '| --- | --- | --- | --- |');
    for (const c of b.choices)
      out.push(`| ${seat(c.seat)} | ${cell(withAlso(c.title, c.also))}${c.defaulted ? ' (default)' : ''} | ${c.escalation} (${c.score}) | ${cell(c.rationale || '—')} |`);
    for (const d of b.draws) out.push('', `Draw — ${d.title}: **${d.label}** (roll ${d.roll.toFixed(3)})${d.historical ? `; in ${r.historical.label}: ${d.historical}` : ''}`);
    if (b.override) out.push('', `White cell override: ${b.override}`);
    if (b.changes.length) {
      out.push('', 'Changes:');
      for (const c of b.changes) out.push(`- ${c.text} — ${c.cause}`);
    }
    out.push('');
  }
  return out;
}

/** What the white cell did to the course of play: overrides, rewinds and injects. */
function interventionsMarkdown(r: SessionReport): string[] {
  const out = ['## Overrides and rewinds', ''];
  if (r.overrides.length === 0 && r.rewinds.length === 0) out.push('None.');
  for (const o of r.overrides) out.push(`- Override in ${o.title} (event ${o.version}): ${o.reason}`);
  for (const w of r.rewinds) out.push(`- Rewind to ${w.title} (event ${w.version})`);
  if (r.injects.length) out.push('', 'Injects: ' + r.injects.map((i) => `${i.title} (event ${i.version})`).join('; '));
  return out;
}

/** The turning points, and the ladder's rung after every event that moved it. */
function worldMarkdown(r: SessionReport): string[] {
  const out = ['', '## Turning points', ''];
  for (const t of r.turningPoints) out.push(`- ${t.what} — ${t.cause} (event ${t.version})`);
  if (r.turningPoints.length === 0) out.push('None recorded.');
  out.push('', '## Ladder over time', '', '| event | rung |', '| --- | --- |');
  for (const p of r.series) out.push(`| ${p.version} | ${p.ladder} ${r.rungs.find((x) => x.level === p.ladder)?.name ?? ''} |`);
  return out;
}

/** The session beside the historical path: outcome, each seat's steps, and the draws. */
function historyMarkdown({ r, seat }: Ctx): string[] {
  const { label } = r.historical;
  const out = ['', `## Compared with ${label}`, ''];
  out.push(`Outcome in ${label}: **${r.historical.outcome.title}**${r.historical.sameOutcome ? ' — the same as this session' : ''}.`, '');
  out.push(`| beat | seat | ${cell(label)} | this session |`, '| --- | --- | --- | --- |');
  for (const s of r.historical.steps)
    out.push(
      `| ${s.beatTitle} | ${seat(s.seat)} | ${cell(withAlso(s.historical, s.historicalAlso))} | ${s.session ? cell(withAlso(s.session, s.sessionAlso)) : '(not played)'}${s.same ? ' ✓' : ''} |`,
    );
  for (const d of r.historical.draws) out.push('', `Draw “${d.title}”: in ${label} ${d.historical}; in this session ${d.session ?? '(not drawn)'}.`);
  return out;
}

/** Escalation scores per beat and seat, and the totals beside the historical path's. */
function escalationMarkdown({ r, seat }: Ctx): string[] {
  const out = ['', '## Escalation scores (Rivera et al. 2024)', ''];
  const ids = r.seats.map((s) => s.id);
  out.push(`| beat | ${ids.map(seat).join(' | ')} | total |`, `| --- | ${ids.map(() => '---').join(' | ')} | --- |`);
  for (const e of r.escalation.session) out.push(`| ${r.beats.find((b) => b.beat === e.beat)?.title ?? e.beat} | ${ids.map((i) => e.seats[i] ?? '—').join(' | ')} | ${e.total} |`);
  const sum = (rows: typeof r.escalation.session) => rows.reduce((a, b) => a + b.total, 0);
  out.push('', `Total: ${sum(r.escalation.session)} (${r.historical.label}: ${sum(r.escalation.historical)}).`);
  return out;
}

/** Each channel's messages; a private channel's only when asked for, otherwise just its count. */
function trafficMarkdown({ r, seat, iso }: Ctx, options: MarkdownOptions): string[] {
  const out = ['', '## Message traffic', ''];
  for (const c of r.channels) {
    const shown = c.kind === 'public' || options.privateChannels;
    out.push(`### ${c.title} (${c.kind}, ${c.messages.length})`, '');
    if (!shown) {
      out.push('(private channel: contents left out of this report)', '');
      continue;
    }
    for (const m of c.messages) out.push(`- ${iso(m.at)} ${m.from ? seat(m.from) : 'White cell'}: ${m.text.replace(/\n+/g, ' ')}`);
    out.push('');
  }
  return out;
}

/** The rubric as a table (criteria down, seats across) and each score's note, or nothing without a rubric. */
function rubricMarkdown(r: SessionReport, seat: (id: string) => string): string[] {
  const rubric = r.rubric;
  if (!rubric) return [];
  const out = ['## Rubric (the white cell\'s scores)', ''];
  out.push(`Scale: ${rubric.scale.map((l) => `${l.score} ${l.label}`).join(' · ')}.`, '');
  const seats = rubric.totals.map((t) => t.seat);
  out.push(`| criterion | ${seats.map(seat).join(' | ')} |`, `| --- | ${seats.map(() => '---').join(' | ')} |`);
  for (const c of rubric.criteria) {
    const cells = seats.map((s) => {
      const x = rubric.cells.find((k) => k.seat === s && k.criterion === c.id);
      return !x ? 'n/a' : x.score === null ? '—' : `${x.score} ${x.label ?? ''}`.trim();
    });
    out.push(`| ${cell(c.title)} | ${cells.join(' | ')} |`);
  }
  out.push(`| **total** | ${rubric.totals.map((t) => `${t.total} of ${t.max}${t.scored < t.criteria ? ` (${t.scored}/${t.criteria} scored)` : ''}`).join(' | ')} |`);
  const notes = rubric.cells.filter((x) => x.score !== null);
  if (notes.length) out.push('');
  for (const x of notes) {
    const title = rubric.criteria.find((c) => c.id === x.criterion)?.title ?? x.criterion;
    out.push(`- ${seat(x.seat)}, ${title}: ${x.score} (${x.when})${x.note ? ` — ${x.note.replace(/\n+/g, ' ')}` : ''}`);
  }
  out.push('');
  return out;
}
