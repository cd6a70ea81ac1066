import { MAX_MESSAGE, MAX_RATIONALE, MAX_REASON } from '@rubicon/shared';

/** As pairs made once: this runs for every command, and Object.entries of a record made three arrays per call. */
const LIMITS: readonly (readonly [string, number])[] = [
  ['text', MAX_MESSAGE],
  ['rationale', MAX_RATIONALE],
  ['reason', MAX_REASON],
];

/**
 * Names the free-text field of a command payload that is over its limit, or
 * null. Checked before the schema so that a person who wrote too much is told
 * exactly that (`too_large`) rather than that the payload is malformed.
 */
export function oversizedField(payload: unknown): string | null {
  if (typeof payload !== 'object' || payload === null || !('command' in payload)) return null;
  const command: unknown = payload.command;
  if (typeof command !== 'object' || command === null) return null;
  for (const [field, limit] of LIMITS) {
    const value: unknown = (command as Record<string, unknown>)[field];
    if (typeof value === 'string' && value.length > limit) return `${field} (at most ${limit} characters)`;
  }
  return null;
}
