import type { Command, GameState, Refusal } from '@rubicon/shared';
import type { EntryLimit } from '../store/types.ts';
import type { ActingActor } from './access.ts';
import type { ServiceError } from './service-error.ts';

// The command path's types on their own, so that the helpers answering a PendingCommand (pending-answers.ts) and
// the path itself (command-path.ts) both import them without importing each other.

/** A command decided on: the log version it produced (or produced the first time, for a retry). */
export interface Executed {
  version: number;
  duplicate: boolean;
  /** The session right after this command's entry (absent for a retry): commands appended with it in one batch come after. */
  after?: GameState;
}

/** One command as a caller hands it in. */
export interface CommandRequest {
  /** Never an observer: refused before (access.ts, actingActor). */
  actor: ActingActor;
  commandId: string;
  /** null skips the staleness check (the system clock, messages). */
  expectedGameVersion: number | null;
  command: Command;
  /** The log entry's time is at least this (a timer firing at its deadline on a clock that lags a little). */
  atLeast?: number;
  /** The limits its append counts it against (a player's command, with Redis: limits.ts). */
  limit?: CommandLimit;
}

/**
 * A command's limits, counted in its append (EntryLimit): one round trip
 * for the count and the write. A command refused before its append is
 * counted on its own, so that a seat sending refused commands still spends
 * its budget.
 */
export interface CommandLimit extends EntryLimit {
  /** The refusal when its append found it over the budget of its limit at `link`, whose window ends in `retryAfterMs`. */
  refused(link: number, retryAfterMs: number): ServiceError;
  /** Counts it without an append; rejects with the refusal when over a budget. */
  countAlone(): Promise<void>;
}

/**
 * Why this server refuses a new command that the game would take (null: it does not), e.g. a seat
 * handed to a language model where none is configured. Checked where a command is first decided,
 * never on the log's replay: an entry another server accepted stands everywhere.
 */
export type Admission = (command: Command) => Refusal | null;

/** One command waiting in its session's write queue, and how to answer its caller. */
export interface PendingCommand {
  request: CommandRequest;
  /**
   * performance.now() until which a lost store answer is looked up, and
   * until which the command is checked again after losing a race for the
   * log's head to another process.
   */
  bound: number;
  /** True once the caller was answered `unavailable` at its deadline: it must then never reach the store. */
  readonly abandoned: boolean;
  /** Set once its batch answered it (answerOk, answerErr), or its deadline passed: every later outcome is ignored. */
  answered: boolean;
  resolve(executed: Executed): void;
  reject(err: unknown): void;
}
