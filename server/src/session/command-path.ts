import { applyEntry, entryOrder, isMessageSide, isStale, viewerOf, type Actor, type GameState, type LogEntry } from '@rubicon/shared';
import type { Metrics } from '../metrics.ts';
import type { AppendOptions, BatchAppendResult, Clock, Placement, SessionStore } from '../store/types.ts';
import type { BeatDeadlines } from './beat-deadlines.ts';
import type { Admission, PendingCommand } from './command-types.ts';
import type { CachedSession, SessionCache } from './session-cache.ts';
import { Decision, FINISHED, NOTHING } from './batch-decision.ts';
import { lostAppendOutcome } from './lost-append.ts';
import { answerDuplicates, refuseOrAnswerRetry } from './duplicate-answers.ts';
import { answerErr, answerOk, boundOf, hasLimit, isAnswered, isOpen, limitOf, overdue, refuseAll, refuseOverLimit } from './pending-answers.ts';
import { refusalError, ServiceError, unavailable } from './service-error.ts';
import { snapshotDue } from './snapshot-schedule.ts';
import { ceilingOf, logFull, plainCeiling, type LogCap } from './log-cap.ts';
import { wireViewFor } from './sync-data.ts';
import { performance } from '../clock.ts';

// Importers (session-service.ts, write-batches.ts, limits.ts) take these from here.
export type { Admission, CommandLimit, CommandRequest, Executed, PendingCommand } from './command-types.ts';

export interface CommandPathOptions {
  store: SessionStore;
  cache: SessionCache;
  deadlines: BeatDeadlines;
  clock: Clock;
  metrics: Metrics;
  snapshotEvery: number;
  admission: Admission;
  /** How long a session's log may grow (log-cap.ts). */
  logCap: LogCap;
  /** The session caught up with the log, loaded if need be (and its deadline scheduled when it was not held). */
  caughtUp: (sessionId: string) => Promise<CachedSession>;
}

/** The usual placement: a batch of plain messages. */
const FREE_PLACEMENT: Placement = { movable: true, barrierEnd: 0 };

/** The entries one round of a batch appends, on top of the session as it stands. */
interface Plan {
  entries: LogEntry[];
  /** The command of each entry. */
  included: PendingCommand[];
  /** The state after each entry, so that committing applies nothing twice. */
  states: GameState[];
  /** Refused on the session as it stands (answered once we know the id was not appended before). */
  refused: { pending: PendingCommand; error: ServiceError }[];
  /** Whether the store may place it past entries that came in since it was planned (entryOrder). */
  placement: Placement;
}

/**
 * How commands become log entries: the staleness check, the engine's
 * legality check, the atomic append, and finding out what happened when the
 * store's answer was lost. Runs in the session's queue, a batch at a time:
 * every command waiting for the session when its turn comes is checked in
 * order on top of the ones before it and appended with them in one atomic
 * step (one round trip), so a hot session costs a round trip per batch, not
 * per command. A batch of plain messages and game commands (entryOrder) that
 * another process's plain messages overtook is placed after them by the
 * store itself (Placement): they changed nothing it was decided on, so it
 * is not decided again, and this copy applies them, then the batch at its
 * real seqs. Otherwise, if another process appended first, nothing was
 * written: the conflict's reply carries the entries this copy missed, and the
 * batch is checked again on top of them and sent at once. Losing that race again and
 * again is no outage (every round trip was answered), so there is no count
 * of attempts and no back-off sleep: a command keeps its place until its
 * time bound, and only then is it answered `unavailable`.
 */
export class CommandPath {
  private readonly store: SessionStore;
  private readonly cache: SessionCache;
  private readonly deadlines: BeatDeadlines;
  private readonly clock: Clock;
  private readonly metrics: Metrics;
  private readonly snapshotEvery: number;
  private readonly admission: Admission;
  private readonly logCap: LogCap;
  /**
   * The command path's entries need no second parse in the memory store (append-batch.ts); one options object
   * for the usual batch (plain messages), made once.
   */
  private readonly free: AppendOptions;
  private readonly caughtUp: (sessionId: string) => Promise<CachedSession>;

  constructor(options: CommandPathOptions) {
    this.store = options.store;
    this.cache = options.cache;
    this.deadlines = options.deadlines;
    this.clock = options.clock;
    this.metrics = options.metrics;
    this.snapshotEvery = options.snapshotEvery;
    this.admission = options.admission;
    this.logCap = options.logCap;
    this.free = { parsed: true, placement: FREE_PLACEMENT, placeUpTo: plainCeiling(options.logCap) };
    this.caughtUp = options.caughtUp;
  }

  /**
   * Decides on a batch of commands for one session, answering each: the
   * version it produced (or produced the first time, for a retry), or a
   * ServiceError. Never throws; an error that stops the batch is every
   * unanswered command's answer.
   *
   * Not an async function: a held session's batch that the store answers at once (the memory store) is
   * decided in this call, with no frame kept for an await that never comes, and returns undefined: its lane
   * moves on without adopting a settled promise, still a turn after each command's answer has reached its ack.
   */
  decideBatch(sessionId: string, batch: readonly PendingCommand[]): Promise<void> | undefined {
    try {
      // The copy as held: appends are conditional on the log's head, so a copy that fell behind costs
      // one conflict (whose reply brings what it missed), never a wrong entry. Refusals wait for a read.
      const held = this.cache.held(sessionId);
      if (held) return this.decide(new Decision(sessionId, batch, held, false));
      return this.caughtUp(sessionId).then(
        (session) => this.decide(new Decision(sessionId, batch, session, true)),
        (err: unknown) => refuseAll(batch, err),
      );
    } catch (err) {
      refuseAll(batch, err);
      return undefined;
    }
  }

  /** Rounds until one has to wait (then the rest after it) or none is left. */
  private decide(d: Decision): Promise<void> | undefined {
    try {
      for (;;) {
        const next = this.round(d);
        if (next === FINISHED) break;
        if (next) return this.rest(d, next);
      }
    } catch (err) {
      refuseAll(d.batch, err);
    }
    return this.finish(d);
  }

  private async rest(d: Decision, wait: Promise<void>): Promise<void> {
    try {
      await wait;
    } catch (err) {
      refuseAll(d.batch, err);
      return this.finish(d);
    }
    return this.decide(d);
  }

  private finish(d: Decision): Promise<void> | undefined {
    if (d.appends > 0) this.metrics.appendAttempts.observe(d.appends);
    // Nearly every batch has no lookup: no Promise.all (and its array and promise) for nothing.
    return d.lookups ? Promise.all(d.lookups).then(NOTHING) : undefined;
  }

  /** One round: FINISHED when nothing is left open, a promise to wait for before the next, or null to go on at once. */
  private round(d: Decision): Promise<void> | null | typeof FINISHED {
    const { sessionId, batch } = d;
    if (d.rounds++ > 0) {
      // Nearly every memory batch comes back here answered whole: done, without the clock read and the empty copy.
      if (batch.every(isAnswered)) return FINISHED;
      this.answerOverdue(batch);
    } else if (d.session.meta.lineage?.replayOf) refuseAll(batch, new ServiceError('read_only', 'This is a replay of a session file: it can be watched and branched from, not played.'));
    // The batch itself while nothing in it was answered (every first round but a deadline's): no copy.
    const open = batch.some(isAnswered) ? batch.filter(isOpen) : batch;
    if (open.length === 0) return FINISHED;
    const plan = this.plan(d.session, open);
    // Refused on a copy that may be behind: decide again on the log as it is.
    if (plan.refused.length > 0 && !d.current) return this.catchUp(d, null);
    for (const { pending, error } of plan.refused) {
      pending.answered = true;
      (d.lookups ??= []).push(refuseOrAnswerRetry(this.store, sessionId, pending, error));
    }
    if (plan.entries.length === 0) return null;
    d.appends++;
    const appended = this.appendOrFindOut(sessionId, plan, boundOf(plan.included));
    // The memory store answers at once: no wait (and no turn of the microtask queue) for it.
    return appended instanceof Promise ? appended.then((outcome) => this.settle(d, plan, outcome) ?? undefined) : this.settle(d, plan, appended);
  }

  /** What the store answered a round's append: what to wait for before the next round, if anything. */
  private settle(d: Decision, plan: Plan, outcome: BatchAppendResult): Promise<void> | null {
    d.current = true;
    if (!outcome.ok && outcome.reason === 'limited') {
      // Nothing was written or counted: those commands are refused, the others go again on the same copy.
      refuseOverLimit(plan.included, outcome.index, outcome.link, outcome.retryAfterMs);
      return null;
    }
    if (outcome.ok) return this.accepted(d.sessionId, d.session, plan, outcome);
    // Another process appended first (or took some of these ids, a retry that came in there): nothing was
    // written. Catch up from the reply (a read only if it was too far behind for the reply to carry it all).
    if (outcome.reason === 'conflict' && outcome.missing) this.cache.applyFromStore(d.sessionId, d.session, outcome.missing);
    if (outcome.reason === 'duplicate') return this.catchUp(d, () => (d.lookups ??= []).push(...answerDuplicates(this.store, d.sessionId, plan.included, outcome.duplicates)));
    return d.session.state.version < outcome.head ? this.catchUp(d, null) : null;
  }

  /** The session read up to the log's head, as the copy the next round decides on; then `after`. */
  private catchUp(d: Decision, after: (() => void) | null): Promise<void> {
    return this.caughtUp(d.sessionId).then((session) => {
      d.session = session;
      d.current = true;
      after?.();
    });
  }

  /**
   * After a lost race for the head: a command past its bound is answered
   * `unavailable` now (it was never written, so its retry with the same id
   * is safe) rather than held up by yet another round.
   */
  private answerOverdue(batch: readonly PendingCommand[]): void {
    const now = performance.now();
    // Indexed loops here and in plan: V8 kept these array iterators on the heap, one per call.
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i] as PendingCommand;
      if (!p.answered && now >= p.bound) answerErr(p, overdue());
    }
  }

  /**
   * Checks the open commands in order, each on top of the ones before it.
   * A command refused on the session as it stands is refused; one refused
   * only on top of commands not yet appended waits for the next round, as
   * does a second command with an id already in the batch.
   */
  private plan(session: CachedSession, open: readonly PendingCommand[]): Plan {
    const { game } = session;
    const committed = session.state;
    // Sized for every open command and cut to those taken at the end: a batch is nearly always one command, and an
    // array grown by push from empty takes room for 17 at once (three of them per command).
    const n = open.length;
    const plan: Plan = { entries: new Array<LogEntry>(n), included: new Array<PendingCommand>(n), states: new Array<GameState>(n), refused: [], placement: FREE_PLACEMENT };
    let movable = true;
    let barrierEnd = 0;
    let taken = 0;
    // Two commands of one batch with the same id: only a batch of several can have them.
    const ids = open.length > 1 ? new Set<string>() : null;
    let state = committed;
    for (let i = 0; i < n; i++) {
      const p = open[i] as PendingCommand;
      const { actor, commandId, expectedGameVersion, command, atLeast } = p.request;
      // Its caller was already told `unavailable`: it must not be applied now.
      if (p.abandoned) {
        answerErr(p, unavailable());
        continue;
      }
      if (ids?.has(commandId)) continue;
      const entry: LogEntry = { seq: state.version + 1, at: Math.max(this.clock.now(), atLeast ?? 0), by: actor, commandId, command };
      // Messages (and their moderation) commute with everything; a game command must be made on the game as it stands.
      const staleness = expectedGameVersion !== null && !isMessageSide(command) && isStale(state, actor, expectedGameVersion);
      // Past its ceiling on the session as it stands: refused, as the game refuses. The store never places a batch past the plain ceiling (placeUpTo).
      const ceiling = ceilingOf(this.logCap, actor, command);
      const refusal = staleness ? null : entry.seq > ceiling ? logFull(this.logCap, ceiling === this.logCap.maxEntries) : this.admission(command);
      const applied = staleness || refusal ? null : applyEntry(game, state, entry);
      if (applied?.ok) {
        plan.entries[taken] = entry;
        plan.included[taken] = p;
        plan.states[taken] = applied.state;
        taken++;
        const order = entryOrder(game.scenario, command);
        if (order === 'strict') movable = false;
        if (order !== 'free') barrierEnd = taken;
        ids?.add(commandId);
        state = applied.state;
        continue;
      }
      if (state !== committed) continue;
      const why = refusal ?? applied?.refusal;
      const error = why ? refusalError(why) : this.stale(session, actor, expectedGameVersion ?? 0);
      plan.refused.push({ pending: p, error });
    }
    plan.entries.length = plan.included.length = plan.states.length = taken;
    if (!movable || barrierEnd > 0) plan.placement = { movable, barrierEnd };
    return plan;
  }

  private stale(session: CachedSession, actor: Actor, expected: number): ServiceError {
    const { game, state } = session;
    const view = wireViewFor(game, state, viewerOf(actor));
    return new ServiceError('stale', `The game is at version ${view.gameVersion}; this was made on ${expected}.`, {
      version: view.version,
      gameVersion: view.gameVersion,
      view,
    });
  }

  /** The commands of a batch the store took, each with its entry's seq and the state after it. */
  private answerTaken(plan: Plan, first: number, states: readonly GameState[]): void {
    for (let i = 0; i < plan.included.length; i++) {
      const p = plan.included[i];
      if (p) answerOk(p, { version: first + i, duplicate: false, after: states[i] });
    }
  }

  /**
   * A batch the store took: into this copy, its bookkeeping done, its commands answered. Where it was
   * planned, with the states planned for it; null when nothing is left to wait for (most batches).
   */
  private accepted(sessionId: string, session: CachedSession, plan: Plan, outcome: { seq: number; missed?: LogEntry[] }): Promise<void> | null {
    const first = outcome.seq - plan.entries.length + 1;
    if (first !== plan.entries[0]?.seq) return this.placedAhead(sessionId, session, plan, first, outcome.missed);
    const before = session.state;
    this.commit(sessionId, before, plan);
    const bookkeeping = this.afterAppend(sessionId, session, before);
    if (!bookkeeping) {
      this.answerTaken(plan, first, plan.states);
      return null;
    }
    return bookkeeping.then(() => this.answerTaken(plan, first, plan.states));
  }

  /**
   * A movable batch the store placed at `first`, past free entries that came in after it was planned
   * (Placement): those first (from the store's reply, or read when it was too far behind for the reply
   * to carry them), then its own entries at their real seqs, each acknowledged with the state after it.
   * None of the entries in between changed what its legality read (entryOrder), so each applies there.
   */
  private async placedAhead(sessionId: string, session: CachedSession, plan: Plan, first: number, missed: readonly LogEntry[] | undefined): Promise<void> {
    if (missed) this.cache.applyFromStore(sessionId, session, missed);
    let own: readonly LogEntry[] = plan.entries.map((e, i) => ({ ...e, seq: first + i }));
    if (session.state.version < first - 1) {
      // The batch's own entries as the log holds them, too: after a lost answer (lostAppendOutcome) they were found there.
      const read = await this.store.readLog(sessionId, session.state.version);
      this.cache.applyFromStore(sessionId, session, read.filter((e) => e.seq < first));
      own = read.filter((e) => e.seq >= first && e.seq < first + plan.entries.length);
    }
    const before = session.state;
    const states = own.map((entry) => {
      this.cache.apply(sessionId, entry, true);
      this.metrics.eventsApplied.inc(entry.command.type);
      return session.state;
    });
    const bookkeeping = this.afterAppend(sessionId, session, before);
    if (bookkeeping) await bookkeeping;
    this.answerTaken(plan, first, states);
  }

  /** The appended entries into this process's copy, each with the state planned for it. */
  private commit(sessionId: string, before: GameState, plan: Plan): void {
    for (let i = 0; i < plan.entries.length; i++) {
      const entry = plan.entries[i];
      if (!entry) continue;
      const to = plan.states[i];
      this.cache.apply(sessionId, entry, true, to ? { from: i === 0 ? before : (plan.states[i - 1] ?? before), to } : undefined);
      this.metrics.eventsApplied.inc(entry.command.type);
    }
  }

  /**
   * Appends; when the store's answer was lost (a timeout, a dropped
   * connection), asks the store whether the batch made it before answering
   * anyone (lost-append.ts), so that nothing applied is ever reported refused.
   */
  private appendOrFindOut(sessionId: string, plan: Plan, bound: number): BatchAppendResult | Promise<BatchAppendResult> {
    const { entries, included, placement } = plan;
    // Built here from parsed commands: the memory store need not parse them again (append-batch.ts).
    const limited = included.some(hasLimit);
    const options = placement === FREE_PLACEMENT && !limited ? this.free : { ...this.free, placement, ...(limited ? { limits: included.map(limitOf) } : {}) };
    const answer = this.store.appendBatch(sessionId, entries, options);
    // A store that decided at once (the memory store): nothing to wait for, nothing lost.
    if (!(answer instanceof Promise)) return answer;
    return answer.catch((err: unknown) => lostAppendOutcome(this.store, sessionId, entries, placement.movable, bound, err));
  }

  /**
   * Bookkeeping for the process that appended: snapshots and the beat
   * deadline. Null when there is none (most appends: no snapshot due, the
   * deadline unchanged), so the command path does not wait on a promise for
   * nothing.
   */
  private afterAppend(sessionId: string, session: CachedSession, before: GameState): Promise<void> | null {
    const after = session.state;
    const snapshot = snapshotDue(before.version, after.version, this.snapshotEvery);
    const deadlineMoved = this.deadlines.changed(before, after);
    if (!snapshot && !deadlineMoved) return null;
    return (async () => {
      if (snapshot) await this.cache.saveSnapshot(sessionId, session);
      if (deadlineMoved) await this.deadlines.scheduleLatest(sessionId);
    })();
  }
}
