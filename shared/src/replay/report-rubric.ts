import type { Scenario, SeatId } from '../scenario/schema.ts';
import { rubricViewFor, type RubricScores } from '../game/rubric-scores.ts';
import { rubricTable, type ReportRubric } from './rubric-table.ts';

/** The scores at the end of a log; null when the scenario has no rubric. */
export function rubricReport(scenario: Scenario, seats: readonly SeatId[], scores: RubricScores): ReportRubric | null {
  const view = rubricViewFor(scenario, seats, scores, true);
  return view ? rubricTable(view, (id) => scenario.beats.find((b) => b.id === id)?.title ?? id) : null;
}
