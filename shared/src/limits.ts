/**
 * Size limits shared by the schemas and the browser's input fields. A module of
 * its own with no imports, so the client can use it without pulling in the
 * scenario data, zod or xstate (`@rubicon/shared/limits`).
 */
export const MAX_RATIONALE = 2000;
export const MAX_MESSAGE = 2000;
export const MAX_REASON = 1000;
export const MAX_DISPLAY_NAME = 40;
/** Public statements one seat may make in any minute (by event times), so spam cannot take over the projector. */
export const MAX_STATEMENTS_PER_MINUTE = 4;
/**
 * Join codes: no 0/O or 1/l/I, so a code read off a projector or a phone is not
 * mistyped. Eight characters (31^8, about 8.5 × 10^11 codes) keep guessing one
 * of thousands of live codes impractical even from many addresses; see
 * docs/security.md for the figures.
 */
export const JOIN_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const JOIN_CODE_LENGTH = 8;
/** The most "also do" moves a scenario may allow a seat beside its main move in one beat (and a SUBMIT_MOVE may carry). */
export const MAX_ALSO = 4;
