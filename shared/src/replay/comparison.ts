import type { Escalation, SeatId } from '../scenario/schema.ts';
import type { SessionReport } from './report.ts';

/**
 * Several sessions of one scenario side by side, next to the historical path:
 * outcome and path, each seat's decision per beat, escalation scores, timings
 * and rubric totals. Built from after-action reports, so a class's groups are
 * compared on exactly what each report says. `rubicon summarize` writes it as
 * CSV and HTML; the comparison page shows it in the browser.
 */

export interface ComparedChoice {
  seat: SeatId;
  move: string;
  title: string;
  escalation: Escalation;
  score: number;
  defaulted: boolean;
  /** Seconds from the beat's planning opening to this seat's lock-in; null if it never locked in. */
  lockSeconds: number | null;
  /** Whether this is the historical move for this seat and beat (null: history has none here). */
  historical: boolean | null;
}

export interface ComparedBeat {
  beat: string;
  title: string;
  beatIndex: number;
  /** Seconds its planning was open; null when the log does not show both ends. */
  planningSeconds: number | null;
  choices: ComparedChoice[];
}

export interface ComparedSession {
  /** How the session is named in the comparison: the file it came from, or its title. */
  label: string;
  sessionId: string;
  title: string;
  seed: string | number;
  parent: string | null;
  events: number;
  startedAt: number | null;
  /** Seconds from the first event to the outcome (or to the last event, when there is none). */
  durationSeconds: number | null;
  outcome: { id: string; title: string; by: 'rules' | 'facilitator' } | null;
  path: { beat: string; title: string }[];
  peakRung: number;
  finalRung: number;
  escalation: { total: number; bySeat: Record<SeatId, number> };
  /** How many of the historical path's decisions (of seats in play) the session repeated. */
  history: { same: number; of: number; sameOutcome: boolean };
  rubric: Record<SeatId, { total: number; max: number; scored: number }> | null;
  beats: ComparedBeat[];
}

export interface Comparison {
  scenario: { id: string; version: number; title: string };
  seats: { id: SeatId; name: string }[];
  /** Every beat any session (or history) played, in the order first met. */
  beats: { beat: string; title: string }[];
  historical: {
    /** What the scenario calls its historical path, as it reads inside a sentence (e.g. "April 2024"). */
    label: string;
    outcome: { id: string; title: string };
    /** The historical move per beat and seat (titles). */
    choices: Record<string, Record<SeatId, string>>;
    escalation: { total: number; bySeat: Record<SeatId, number> };
  };
  sessions: ComparedSession[];
}

const seconds = (from: number | null, to: number | null) => (from === null || to === null ? null : Math.max(0, Math.round((to - from) / 1000)));

function bySeat(rows: SessionReport['escalation']['session']): { total: number; bySeat: Record<SeatId, number> } {
  const out: Record<SeatId, number> = {};
  for (const r of rows) for (const [seat, score] of Object.entries(r.seats)) out[seat] = (out[seat] ?? 0) + score;
  return { total: rows.reduce((a, r) => a + r.total, 0), bySeat: out };
}

function comparedSession(label: string, r: SessionReport): ComparedSession {
  const historicalSeats = new Set(r.historical.steps.map((s) => `${s.beat}:${s.seat}`));
  const historicalMoves = new Set(r.historical.steps.map((s) => `${s.beat}:${s.seat}:${s.historicalMove}`));
  const rungs = r.series.map((p) => p.ladder);
  return {
    label,
    sessionId: r.sessionId,
    title: r.title,
    seed: r.seed,
    parent: r.parent ? `${r.parent.title} @ ${r.parent.version}` : null,
    events: r.events,
    startedAt: r.startedAt,
    durationSeconds: seconds(r.startedAt, r.outcome?.at ?? r.endedAt),
    outcome: r.outcome ? { id: r.outcome.id, title: r.outcome.title, by: r.outcome.by } : null,
    path: r.path,
    peakRung: Math.max(...rungs),
    finalRung: rungs.at(-1) ?? 0,
    escalation: bySeat(r.escalation.session),
    history: { same: r.historical.steps.filter((s) => s.same).length, of: r.historical.steps.length, sameOutcome: r.historical.sameOutcome },
    // Only the teams the white cell scored: a total of 0 from no scores would read as a bad score.
    rubric: r.rubric ? Object.fromEntries(r.rubric.totals.filter((t) => t.scored > 0).map((t) => [t.seat, { total: t.total, max: t.max, scored: t.scored }])) : null,
    beats: r.beats.map((b) => ({
      beat: b.beat,
      title: b.title,
      beatIndex: b.beatIndex,
      planningSeconds: seconds(b.openedAt, b.closedAt),
      choices: b.choices.map((c) => {
        const mentioned = historicalSeats.has(`${b.beat}:${c.seat}`);
        return {
          seat: c.seat,
          move: c.move,
          title: c.title,
          escalation: c.escalation,
          score: c.score,
          defaulted: c.defaulted,
          lockSeconds: seconds(b.openedAt, c.lockedAt),
          historical: mentioned ? historicalMoves.has(`${b.beat}:${c.seat}:${c.move}`) : null,
        };
      }),
    })),
  };
}

export class ComparisonError extends Error {
  override name = 'ComparisonError';
}

/** Compares reports of one scenario (at one version); throws a ComparisonError for a mix. */
export function compareReports(items: readonly { label: string; report: SessionReport }[]): Comparison {
  const first = items[0]?.report;
  if (!first) throw new ComparisonError('There is nothing to compare: no session.');
  const other = items.find((i) => i.report.scenario.id !== first.scenario.id || i.report.scenario.version !== first.scenario.version);
  if (other)
    throw new ComparisonError(
      `${other.label} is a session of ${other.report.scenario.id} v${other.report.scenario.version}, ${items[0]!.label} of ${first.scenario.id} v${first.scenario.version}: compare sessions of one scenario at a time.`,
    );
  const seats = new Map<SeatId, string>();
  const beats = new Map<string, string>();
  const historicalMoves = new Map<string, Map<SeatId, Set<string>>>();
  for (const { report } of items) {
    for (const s of report.seats) seats.set(s.id, s.name);
    for (const s of report.historical.steps) {
      beats.set(s.beat, s.beatTitle);
      const beat = historicalMoves.get(s.beat) ?? new Map<SeatId, Set<string>>();
      historicalMoves.set(s.beat, beat);
      // A seat may have taken several actions in one beat of history: its main move and what else it did.
      const titles = beat.get(s.seat) ?? new Set<string>();
      for (const t of [s.historical, ...s.historicalAlso]) titles.add(t);
      beat.set(s.seat, titles);
    }
    for (const b of report.beats) beats.set(b.beat, b.title);
  }
  const historicalChoices = Object.fromEntries(
    [...historicalMoves].map(([beat, seatsOf]) => [beat, Object.fromEntries([...seatsOf].map(([seat, titles]) => [seat, [...titles].join(' + ')]))]),
  );
  // History's scores over all the seats any session had in play.
  const widest = items.reduce((a, b) => (b.report.seats.length > a.report.seats.length ? b : a)).report;
  return {
    scenario: first.scenario,
    seats: [...seats].map(([id, name]) => ({ id, name })),
    beats: [...beats].map(([beat, title]) => ({ beat, title })),
    historical: { label: first.historical.label, outcome: first.historical.outcome, choices: historicalChoices, escalation: bySeat(widest.escalation.historical) },
    sessions: items.map((i) => comparedSession(i.label, i.report)),
  };
}
