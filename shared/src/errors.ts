import { z } from 'zod';

/** Why a session file is refused, one code per check (in the order they run). */
export const FILE_PROBLEM_CODES = [
  'malformed_json', // not JSON at all
  'not_a_session_file', // JSON, but not a Rubicon session file
  'unsupported_format', // a session file of a format version this build does not read
  'invalid_file', // a field fails the format's schema
  'unknown_scenario', // the scenario is not on this server
  'scenario_version', // the scenario is here, at another version
  'event_missing', // a gap in the event numbers, or fewer events than the chain records
  'event_reordered', // every event is there, but not in order (or one appears twice)
  'event_changed', // an event's (or the header's) content no longer matches its recorded hash
  'broken_hash', // a recorded hash (an entry's, the genesis or the head) is not the chain's
  'duplicate_command', // two events carry one command id
  'event_refused', // the chain is intact but an event does not apply to the state before it
] as const;
export type FileProblemCode = (typeof FILE_PROBLEM_CODES)[number];

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
  'read_only', // a replay session: it can be watched and branched from, never played
  'no_model', // a seat handed to a language model on a server that has none configured
  'unknown_event', // a socket event the server does not know (only hello, command and sync exist)
  'host_not_allowed', // an HTTP request or handshake whose Host is not one of the server's names (ALLOWED_HOSTS)
  'log_full', // the session's log is at its limit (MAX_LOG_ENTRIES; plain commands stop LOG_CONTROL_RESERVE before it)
  'sessions_full', // the store holds as many sessions as the server allows (MAX_SESSIONS): no session was created
  // A session file that is refused on import (shared/src/replay/verify.ts says which check):
  ...FILE_PROBLEM_CODES,
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export interface Refusal {
  code: ErrorCode;
  message: string;
  /** With `rate_limited`: when the same command would be let through (docs/protocol.md, Limits: every such refusal says). */
  retryAfterMs?: number;
}

export function refuse(code: ErrorCode, message: string, retryAfterMs?: number): Refusal {
  return retryAfterMs === undefined ? { code, message } : { code, message, retryAfterMs };
}
