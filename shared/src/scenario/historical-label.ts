import { capitalised } from './in-sentence.ts';

/**
 * The name the report and the comparison give a scenario's historical path
 * (its `historicalLabel`). The scenario writes it as it reads inside a
 * sentence ("Compared with April 2024", "as in the reference path"); a
 * column heading or a row of its own starts it with a capital.
 */

/** For a scenario that names no history: its path is then a reference, not a record of events. */
export const DEFAULT_HISTORICAL_LABEL = 'the reference path';

/** The label where it stands alone (a heading, a table's row or column): "the reference path" → "The reference path". */
export function historicalHeading(label: string): string {
  return capitalised(label);
}
