import type { RubricView } from '../game/rubric-scores.ts';
import type { SeatId } from '../scenario/schema.ts';

/*
 * Type imports only: the white cell's console lays out its rubric with this
 * (`@rubicon/shared/rubric-table`) without bundling the engine.
 */

/** The rubric part of the after-action report: every seat × criterion it applies to, scored or not. */
export interface ReportRubric {
  scale: { score: number; label: string }[];
  criteria: { id: string; title: string; description: string }[];
  cells: RubricCell[];
  /** Per seat: the sum of its scores, how many of its criteria were scored, and the most it could have. */
  totals: { seat: SeatId; total: number; scored: number; criteria: number; max: number }[];
}

export interface RubricCell {
  seat: SeatId;
  criterion: string;
  score: number | null;
  label: string | null;
  note: string | null;
  /** When it was given: during which beat, or after the outcome; null when not scored. */
  when: string | null;
  version: number | null;
}

/**
 * The rubric laid out by seat and criterion, from the white cell's rubric
 * view: the after-action report, the replay and the console all show this.
 */
export function rubricTable(view: RubricView, beatTitle: (beat: string) => string): ReportRubric {
  const top = Math.max(...view.scale.map((l) => l.score));
  const cells = view.seats.flatMap(({ seat, criteria }) =>
    criteria.map((criterion): RubricCell => {
      const s = view.scores.find((x) => x.seat === seat && x.criterion === criterion);
      if (!s) return { seat, criterion, score: null, label: null, note: null, when: null, version: null };
      const when = s.afterOutcome ? 'after the outcome' : s.beat ? `during ${beatTitle(s.beat)}` : 'before the first beat';
      const label = view.scale.find((l) => l.score === s.score)?.label ?? null;
      return { seat, criterion, score: s.score, label, note: s.note, when, version: s.version };
    }),
  );
  const totals = view.seats.map(({ seat }) => {
    const mine = cells.filter((c) => c.seat === seat);
    const scored = mine.filter((c) => c.score !== null);
    return { seat, total: scored.reduce((a, c) => a + (c.score ?? 0), 0), scored: scored.length, criteria: mine.length, max: mine.length * top };
  });
  return {
    scale: view.scale.map(({ score, label }) => ({ score, label })),
    criteria: view.criteria.map(({ id, title, description }) => ({ id, title, description })),
    cells,
    totals,
  };
}
