import { csvCell } from '../csv.ts';
import type { Comparison } from './comparison.ts';

/**
 * A comparison as two CSV tables (RFC 4180: commas, double quotes doubled,
 * CRLF-free, a header row): one row per session, and one per session × beat ×
 * seat decision. Times are ISO 8601 (UTC) and durations in whole seconds, so
 * a spreadsheet or pandas reads them without help.
 */

type Cell = string | number | boolean | null;

const table = (head: string[], rows: Cell[][]) => [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** One row per session: outcome, path, escalation (total and per seat), history matched, timings, rubric totals. */
export function sessionsCsv(c: Comparison): string {
  const seats = c.seats.map((s) => s.id);
  const head = [
    'label',
    'session_id',
    'title',
    'scenario',
    'scenario_version',
    'seed',
    'branched_from',
    'events',
    'started_at',
    'duration_s',
    'outcome',
    'outcome_by',
    'same_outcome_as_history',
    'path',
    'beats',
    'peak_rung',
    'final_rung',
    'historical_decisions_repeated',
    'historical_decisions',
    'escalation_total',
    ...seats.map((s) => `escalation_${s}`),
    ...seats.map((s) => `rubric_${s}`),
  ];
  const rows = c.sessions.map((s) => [
    s.label,
    s.sessionId,
    s.title,
    c.scenario.id,
    c.scenario.version,
    String(s.seed),
    s.parent,
    s.events,
    iso(s.startedAt),
    s.durationSeconds,
    s.outcome?.id ?? null,
    s.outcome?.by ?? null,
    s.history.sameOutcome,
    s.path.map((p) => p.beat).join(' > '),
    s.beats.length,
    s.peakRung,
    s.finalRung,
    s.history.same,
    s.history.of,
    s.escalation.total,
    ...seats.map((seat) => s.escalation.bySeat[seat] ?? null),
    ...seats.map((seat) => s.rubric?.[seat]?.total ?? null),
  ]);
  return table(head, rows);
}

/** One row per session × beat × seat decision, with its escalation, whether history made it, and its timing. */
export function decisionsCsv(c: Comparison): string {
  const head = [
    'label',
    'session_id',
    'beat_index',
    'beat',
    'seat',
    'move',
    'move_title',
    'escalation',
    'score',
    'defaulted',
    'historical_move',
    'same_as_history',
    'planning_s',
    'lock_in_s',
  ];
  const rows = c.sessions.flatMap((s) =>
    s.beats.flatMap((b) =>
      b.choices.map((ch) => [
        s.label,
        s.sessionId,
        b.beatIndex,
        b.beat,
        ch.seat,
        ch.move,
        ch.title,
        ch.escalation,
        ch.score,
        ch.defaulted,
        c.historical.choices[b.beat]?.[ch.seat] ?? null,
        ch.historical,
        b.planningSeconds,
        ch.lockSeconds,
      ]),
    ),
  );
  return table(head, rows);
}
