import { randomInt } from 'node:crypto';
import { canonicalJson, checkCommand, isMessageSide, type Actor, type Command, type LogEntry } from '@rubicon/shared';
import type { Metrics } from '../metrics.ts';
import { StoreUnavailableError } from '../store/redis-availability.ts';
import type { AppendResult, Clock, SessionStore } from '../store/types.ts';
import type { BeatDeadlines } from './beat-deadlines.ts';
import type { CachedSession, SessionCache } from './session-cache.ts';
import { ServiceError, unavailable } from './service-error.ts';
import { viewerOf, wireViewFor } from './sync-data.ts';

/** A command decided on: the log version it produced (or produced the first time, for a retry). */
export interface Executed {
  version: number;
  duplicate: boolean;
}

/** One command as a caller hands it in. */
export interface CommandRequest {
  actor: Actor;
  commandId: string;
  /** null skips the staleness check (the system clock, messages). */
  expectedGameVersion: number | null;
  command: Command;
  /** The log entry's time is at least this (a timer firing at its deadline on a clock that lags a little). */
  atLeast?: number;
}

export interface CommandPathOptions {
  store: SessionStore;
  cache: SessionCache;
  deadlines: BeatDeadlines;
  clock: Clock;
  metrics: Metrics;
  snapshotEvery: number;
  /** The session caught up with the log, loaded if need be (and its deadline scheduled when it was not held). */
  caughtUp: (sessionId: string) => Promise<CachedSession>;
  /** How often a command is revalidated after another process appended first. */
  maxAppendAttempts: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * How one command becomes a log entry: the duplicate and staleness checks,
 * the engine's legality check, the atomic append, and finding out what
 * happened when the store's answer was lost. Runs in the session's queue.
 */
export class CommandPath {
  private readonly store: SessionStore;
  private readonly cache: SessionCache;
  private readonly deadlines: BeatDeadlines;
  private readonly clock: Clock;
  private readonly metrics: Metrics;
  private readonly snapshotEvery: number;
  private readonly caughtUp: (sessionId: string) => Promise<CachedSession>;
  private readonly maxAppendAttempts: number;

  constructor(options: CommandPathOptions) {
    this.store = options.store;
    this.cache = options.cache;
    this.deadlines = options.deadlines;
    this.clock = options.clock;
    this.metrics = options.metrics;
    this.snapshotEvery = options.snapshotEvery;
    this.caughtUp = options.caughtUp;
    this.maxAppendAttempts = options.maxAppendAttempts;
  }

  /**
   * Decides on one command. Returns the version it produced (or produced the
   * first time, for a retry); throws a ServiceError for every refusal.
   * Nothing reaches the store once `abandoned()` says the caller gave up; a
   * store answer lost before `bound` (performance.now() time) is looked up.
   */
  async decide(sessionId: string, request: CommandRequest, bound: number, abandoned: () => boolean): Promise<Executed> {
    const { actor, commandId, expectedGameVersion, command } = request;
    if (actor.kind === 'observer') throw new ServiceError('forbidden', 'Observers can only watch.');
    let session = await this.caughtUp(sessionId);
    if (session.meta.lineage?.replayOf)
      throw new ServiceError('read_only', 'This is a replay of a session file: it can be watched and branched from, not played.');
    for (let attempt = 1; attempt <= this.maxAppendAttempts; attempt++) {
      const earlier = await this.store.commandSeq(sessionId, commandId);
      if (earlier !== null) return this.duplicate(sessionId, earlier, actor, command);
      const { game, state } = session;
      // Messages (and their moderation) commute with everything; a game command must be made on the game as it stands.
      if (expectedGameVersion !== null && !isMessageSide(command) && expectedGameVersion !== state.gameVersion) {
        const view = wireViewFor(game, state, viewerOf(actor));
        throw new ServiceError('stale', `The game is at version ${state.gameVersion}; this was made on ${expectedGameVersion}.`, {
          version: view.version,
          gameVersion: state.gameVersion,
          view,
        });
      }
      const at = Math.max(this.clock.now(), request.atLeast ?? 0);
      const refusal = checkCommand(game, state, actor, command, at);
      if (refusal) throw new ServiceError(refusal.code, refusal.message);

      const entry: LogEntry = { seq: state.version + 1, at, by: actor, commandId, command };
      if (abandoned()) throw unavailable();
      const appended = await this.appendOrFindOut(sessionId, entry, bound);
      if (appended.ok) {
        const before = state;
        this.cache.apply(sessionId, entry, true);
        this.metrics.eventsApplied.inc({ type: command.type });
        await this.afterAppend(sessionId, session, before);
        return { version: entry.seq, duplicate: false };
      }
      if (appended.reason === 'duplicate') {
        // The same command came in through another process (a retry) and was appended there.
        await this.caughtUp(sessionId);
        return this.duplicate(sessionId, appended.seq, actor, command);
      }
      // Another process appended first. Back off a little (randomly, so that a process with a
      // long queue cannot starve this one), learn what it did, then decide again.
      await sleep(randomInt(0, Math.min(50, 2 ** attempt) + 1));
      session = await this.caughtUp(sessionId);
    }
    throw new ServiceError('unavailable', 'The session is too busy right now; try again.', { retryAfterMs: 100 });
  }

  /**
   * Appends; when the store's answer was lost (a timeout, a dropped
   * connection), asks the store whether the command id made it before
   * answering anyone, so that nothing applied is ever reported refused. If
   * the store cannot tell before `bound`, the refusal is `unavailable` with a
   * retry hint: a retry with the same id then gets the true answer.
   */
  private async appendOrFindOut(sessionId: string, entry: LogEntry, bound: number): Promise<AppendResult> {
    try {
      return await this.store.append(sessionId, entry);
    } catch (err) {
      if (!(err instanceof StoreUnavailableError) || !err.outcomeUnknown) throw err;
    }
    while (performance.now() < bound) {
      let seq: number | null;
      try {
        seq = await this.store.commandSeq(sessionId, entry.commandId);
      } catch (err) {
        if (!(err instanceof StoreUnavailableError)) throw err;
        await sleep(50);
        continue;
      }
      if (seq === entry.seq) return { ok: true, seq };
      if (seq !== null) return { ok: false, reason: 'duplicate', seq };
      // Not in the log, and the lookup went after the append on the same connection: it was not applied.
      throw unavailable();
    }
    throw unavailable('The game store did not answer in time; this may have been applied. Send it again with the same command id.');
  }

  /** Bookkeeping for the process that appended: snapshots and the beat deadline. */
  private async afterAppend(sessionId: string, session: CachedSession, before: CachedSession['state']): Promise<void> {
    const after = session.state;
    if (after.version % this.snapshotEvery === 0) await this.cache.saveSnapshot(sessionId, session);
    await this.deadlines.followChange(sessionId, before, after);
  }

  /** A command id seen before: the same command is a retry; another command reusing the id is refused. */
  private async duplicate(sessionId: string, seq: number, actor: Actor, command: Command): Promise<Executed> {
    const [original] = await this.store.readLog(sessionId, seq - 1);
    if (original && canonicalJson({ by: original.by, command: original.command }) !== canonicalJson({ by: actor, command }))
      throw new ServiceError('duplicate', 'This command id was already used for a different command.');
    return { version: seq, duplicate: true };
  }
}
