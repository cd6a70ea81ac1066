import type { ErrorCode, Refusal, WireError, WireView } from '@rubicon/shared';
import { StoreUnavailableError } from '../store/redis-availability.ts';

/**
 * A refusal or failure the service reports to its caller. Handlers turn it
 * into an acknowledgement or an HTTP error; anything else that is thrown is a
 * bug and becomes `internal`.
 */
export class ServiceError extends Error {
  override name = 'ServiceError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: {
      version?: number;
      gameVersion?: number;
      view?: WireView;
      retryAfterMs?: number;
      where?: string;
      seq?: number;
      /** An `unavailable`'s why, without what to do: that depends on where it is read (`unavailable`, httpRefusal). */
      reason?: string;
    } = {},
  ) {
    super(message);
  }

  toWire(): WireError {
    // `where` and `seq` locate a problem in an uploaded file: an HTTP matter, not a socket one. `reason` is in the message.
    const { where: _where, seq: _seq, reason: _reason, ...wire } = this.extra;
    return { code: this.code, message: this.message, ...wire };
  }
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  host_not_allowed: 403,
  not_found: 404,
  too_large: 413,
  rate_limited: 429,
  // Insufficient Storage: the server cannot store the new session. Not 503: that is `unavailable`, which clients
  // retry after Retry-After, and no such moment is known here (places free as retention removes sessions).
  sessions_full: 507,
  unavailable: 503,
  internal: 500,
  unknown_event: 400,
  malformed_json: 400,
  not_a_session_file: 400,
  unsupported_format: 400,
  invalid_file: 400,
  unknown_scenario: 400,
  scenario_version: 400,
  event_missing: 400,
  event_reordered: 400,
  event_changed: 400,
  broken_hash: 400,
  duplicate_command: 400,
  event_refused: 400,
};

/** The HTTP status for an error code; game refusals are conflicts with the session's state. */
export function httpStatus(code: ErrorCode): number {
  return STATUS[code] ?? 409;
}

/** An `invalid` refusal naming the first problem zod found, for a person to read. */
export function invalidPayload(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): ServiceError {
  const issue = error.issues[0];
  if (!issue) return new ServiceError('invalid', 'The payload is malformed.');
  const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  return new ServiceError('invalid', `${where}${issue.message}`);
}

/** How soon a client should try again after `unavailable`: about the time Redis takes to reconnect. */
export const RETRY_AFTER_MS = 1000;

/**
 * A refusal for now, not for good: `reason` says why, and the words after it what a command's sender does,
 * come again with the same command id (which makes the retry safe whether or not it landed). A hello
 * (outageWorded) and an HTTP request (httpRefusal) have no command id, and are told otherwise.
 */
export function unavailable(reason = 'The game store is not reachable right now', retryAfterMs = RETRY_AFTER_MS): ServiceError {
  return new ServiceError('unavailable', `${reason}; try again with the same command id.`, { retryAfterMs, reason });
}

/** A refusal of the game (or of admission) as the service reports it, with its retry hint when it has one. */
export function refusalError(refusal: Refusal): ServiceError {
  return new ServiceError(refusal.code, refusal.message, refusal.retryAfterMs === undefined ? {} : { retryAfterMs: refusal.retryAfterMs });
}

/**
 * A refusal because a deadline passed (the request's time bound, the session's queue on a busy process, a store
 * that answered but slowly), not because the store is unreachable: saying the store is down would be untrue, and
 * a person (a student typing a join code) is better told to try again in a moment. The code and retry hint are
 * those of every `unavailable`: clients handle it as they handle an outage.
 */
export function deadlinePassed(retryAfterMs = RETRY_AFTER_MS): ServiceError {
  return unavailable('The server is busy and did not finish this in time', retryAfterMs);
}

/**
 * A refusal at a deadline (a command's, a join's), worded for its likelier cause: while this process knows the
 * store is unreachable (`storeDown`, its outage log), as every other refusal of that outage is worded (a summary's
 * store call failing at once), not as a busy server. One outage read two ways in one second before (docs/security.md,
 * the audit of 7 December, 04:50-05:26 UTC). Code and retry hint are the same either way.
 */
export function lateRefusal(storeDown: boolean): ServiceError {
  return storeDown ? unavailable() : deadlinePassed();
}

/**
 * An outage's refusal (the store unreachable, or a deadline passed) worded for where it is read, with its code
 * and retry hint kept; anything else as it is.
 */
export function outageWorded(error: unknown, message: string): unknown {
  if (!isOutage(error)) return error;
  return new ServiceError('unavailable', message, error instanceof ServiceError ? error.extra : unavailable().extra);
}

/** A ServiceError as it is, a store outage as `unavailable`; null for anything else (a bug). */
export function asServiceError(error: unknown): ServiceError | null {
  if (error instanceof ServiceError) return error;
  if (error instanceof StoreUnavailableError) return unavailable();
  return null;
}

/** Retry-After's seconds for a retry hint, rounded up: a client that waits them is not early. */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.ceil(retryAfterMs / 1000);
}

/**
 * A refusal as an HTTP answer says it; null for anything else (a bug). Every `unavailable` with a retry
 * hint, whatever raised it (the store, a deadline, a busy queue), keeps its reason and hint and tells the
 * client to send the request again after Retry-After: a request has no command id to come again with.
 */
export function httpRefusal(error: unknown): ServiceError | null {
  const refusal = asServiceError(error);
  const retryAfterMs = refusal?.extra.retryAfterMs;
  if (refusal?.code !== 'unavailable' || retryAfterMs === undefined) return refusal;
  const reason = refusal.extra.reason ?? 'The server could not do this in time';
  const wait = retryAfterSeconds(retryAfterMs);
  return new ServiceError('unavailable', `${reason}; send the request again in ${wait} s (its Retry-After header).`, refusal.extra);
}

/** True for failures that are part of an outage (logged once by the store), not worth a line each. */
export function isOutage(error: unknown): boolean {
  return error instanceof StoreUnavailableError || (error instanceof ServiceError && error.code === 'unavailable');
}
