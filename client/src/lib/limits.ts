/**
 * Input limits, mirrored from shared/src/game/commands.ts (MAX_RATIONALE,
 * MAX_MESSAGE, MAX_REASON) so the browser bundle does not pull in zod and the
 * scenario data. The server validates; these only stop a field from growing
 * past what it would accept.
 */
export const MAX_RATIONALE = 2000;
export const MAX_MESSAGE = 2000;
export const MAX_REASON = 1000;
