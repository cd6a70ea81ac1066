import { z } from 'zod';

/**
 * Every reason a command can be refused. A refusal changes nothing; the client
 * shows `message` to the person and may branch on `code`.
 */
export const ErrorCode = z.enum([
  'invalid', // the payload failed its schema
  'unauthorized', // no or unknown token
  'forbidden', // the token is valid but may not do this (another seat, an observer, not the facilitator)
  'not_found', // no such session
  'wrong_phase', // the command does not apply in the current phase
  'not_acting', // the seat does not act in this beat
  'unknown_move',
  'unknown_inject',
  'unknown_beat',
  'unknown_outcome',
  'unknown_channel',
  'not_member', // the seat may not write in that channel
  'channel_closed', // the channel exists but is not open (yet)
  'paused',
  'game_over',
  'stale', // made against an old version; carries the current version
  'stale_timer', // a timer expiry for a deadline that no longer stands
  'duplicate', // the command id was already used for a different command
  'too_large',
  'rate_limited',
  'unavailable', // storage or another dependency is down
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export interface Refusal {
  code: ErrorCode;
  message: string;
}

export function refuse(code: ErrorCode, message: string): Refusal {
  return { code, message };
}
