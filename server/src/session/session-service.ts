import { serverScenarios } from '../scenarios.ts';
import type { Command, Game, LogEntry, Scenario } from '@rubicon/shared';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Clock, Scheduler, SessionStore } from '../store/types.ts';
import type { ActingActor } from './access.ts';
import type { Answer } from './answer.ts';
import { BeatDeadlines } from './beat-deadlines.ts';
import { CommandPath, type Admission, type CommandLimit, type CommandRequest, type Executed } from './command-path.ts';
import { DeadlineQueue } from './deadline-queue.ts';
import { gameForSetup } from './game-setup.ts';
import { KeyedQueue } from './keyed-queue.ts';
import { MAX_APPEND_BATCH } from '../store/append-batch.ts';
import { SessionCache, type AppliedEvent, type CachedSession, type LoadedSession } from './session-cache.ts';
import { ServiceError, unavailable } from './service-error.ts';
import { WriteBatches } from './write-batches.ts';
import { DEFAULT_LOG_CAP, type LogCap } from './log-cap.ts';
import { performance } from '../clock.ts';
import { KEEP_FOREVER, RetentionMarks, type RetentionRules } from './retention.ts';

export type { AppliedEvent, LoadedSession } from './session-cache.ts';
export type { Executed } from './command-path.ts';

export type ScenarioLookup = (id: string) => Scenario | undefined;

/** A session's catch-up waiting in its queue: what the notices since it was queued handed over, and whether one asked for a read. */
interface QueuedCatchUp {
  run: Promise<void>;
  handed: LogEntry[];
  read: boolean;
}

export interface SessionServiceOptions {
  store: SessionStore;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  snapshotEvery: number;
  scenarios?: ScenarioLookup;
  /** How many times the beat deadline is written again while other processes keep appending meanwhile. */
  maxDeadlineRounds?: number;
  /** How long an append whose answer was lost may take to look up, or a command lose races for the log's head (when the caller set no deadline). */
  storeTimeoutMs?: number;
  /** The most commands for one session appended together in one atomic step. */
  maxBatch?: number;
  /** This server's own rule for new commands (CommandPathOptions.admission). */
  admission?: Admission;
  /** How long a session's log may grow (MAX_LOG_ENTRIES, LOG_CONTROL_RESERVE); DEFAULT_LOG_CAP when absent. */
  logCap?: LogCap;
  /** How long the store keeps a session (retention.ts); KEEP_FOREVER when absent. */
  retention?: RetentionRules;
  /** The most sessions the store may hold (MAX_SESSIONS), imports and branches included; 0 or absent: no cap. */
  maxSessions?: number;
}

/** Big enough for every writer of a busy class at once, small enough that one append stays quick (APPEND_BATCH_MAX). */
const DEFAULT_MAX_BATCH = 128;

export interface ExecuteOptions {
  /** The log entry's time is at least this (a timer firing at its deadline on a clock that lags a little). */
  atLeast?: number;
  /**
   * performance.now() by which the caller must have its answer. Past it the
   * command is refused as `unavailable` (with a retry hint) and, if it had
   * not reached the store yet, it never will.
   */
  deadline?: number;
  /** The limits its append counts it against (CommandLimit). */
  limit?: CommandLimit;
}

/**
 * The authoritative game service of one process. The store's log is the
 * truth; this process keeps a cached state per session (SessionCache) and
 * catches it up from the log before every decision, validates commands with
 * the shared engine and appends with a check on the log position
 * (CommandPath), so processes sharing a store can never fork a session.
 * Everything that touches one session runs in that session's queue, so every
 * event this process applies, its own or one appended elsewhere, is reported
 * to `onApplied` listeners exactly once and in log order: the broadcaster
 * relies on that.
 */
export class SessionService {
  readonly store: SessionStore;
  /** How long a session's log may grow; imports and branches are held to it too (session-directory.ts). */
  readonly logCap: LogCap;
  /** When each session may be removed from the store, written as this process applies its entries. */
  readonly retention: RetentionMarks;
  /** The store's cap on sessions, held where each is stored (session-directory.ts); 0: none. */
  readonly maxSessions: number;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly lookup: ScenarioLookup;
  private readonly storeTimeoutMs: number;
  private readonly cache: SessionCache;
  private readonly deadlines: BeatDeadlines;
  private readonly commands: CommandPath;
  private readonly queue = new KeyedQueue();
  /** Bounds each command by its deadline, with one timer for them all. */
  private readonly bounds: DeadlineQueue;
  private readonly writes: WriteBatches;
  /** Sessions with a catch-up queued and not started: notices arriving meanwhile are covered by it. */
  private readonly refreshing = new Map<string, QueuedCatchUp>();

  constructor(options: SessionServiceOptions) {
    this.store = options.store;
    this.logCap = options.logCap ?? DEFAULT_LOG_CAP;
    this.maxSessions = options.maxSessions ?? 0;
    this.bounds = new DeadlineQueue(() => options.store.unreachable?.() === true);
    this.clock = options.clock;
    this.lookup = options.scenarios ?? ((id) => serverScenarios().get(id));
    this.storeTimeoutMs = options.storeTimeoutMs ?? 1000;
    const logger = options.logger.child({ module: 'session-service' });
    this.cache = new SessionCache({ store: options.store, clock: options.clock, logger, metrics: options.metrics, gameFor: (setup) => this.gameFor(setup) });
    this.deadlines = new BeatDeadlines({ store: options.store, scheduler: options.scheduler, cache: this.cache, logger, maxRounds: options.maxDeadlineRounds ?? 16 });
    this.commands = new CommandPath({
      store: options.store,
      cache: this.cache,
      deadlines: this.deadlines,
      clock: options.clock,
      metrics: options.metrics,
      snapshotEvery: options.snapshotEvery,
      admission: options.admission ?? (() => null),
      logCap: this.logCap,
      caughtUp: (sessionId) => this.loadCaughtUp(sessionId),
    });
    this.scheduler = options.scheduler;
    this.retention = new RetentionMarks(options.store, options.retention ?? KEEP_FOREVER, logger);
    this.noteRetention();
    this.writes = new WriteBatches(this.queue, this.bounds, (sessionId, batch) => this.commands.decideBatch(sessionId, batch), Math.min(options.maxBatch ?? DEFAULT_MAX_BATCH, MAX_APPEND_BATCH));
  }

  /** The refusal of work whose deadline passed now (a command's, a join's): one wording per cause for all of them. */
  lateRefusal(): ServiceError {
    return this.bounds.refusal();
  }

  onApplied(listener: (event: AppliedEvent) => void): void {
    this.cache.onApplied(listener);
  }

  /** Told when this process loads a session (with the state it starts from, before its catch-up) and when it evicts one. */
  onHeld(listener: (sessionId: string, held: boolean) => void): void {
    this.cache.onHeld(listener);
  }

  /** The scenario with this id, if this server has it. */
  findScenario(id: string): Scenario | undefined {
    return this.lookup(id);
  }

  scenario(id: string): Scenario {
    const scenario = this.lookup(id);
    if (!scenario) throw new ServiceError('invalid', `There is no scenario "${id}".`);
    return scenario;
  }

  /** Builds the engine for a setup, refusing options the scenario does not have. */
  gameFor(setupInput: unknown): Game {
    return gameForSetup(setupInput, (id) => this.scenario(id));
  }

  /**
   * Runs `fn` with the session caught up to the log's head as it was when
   * this was called, in this session's queue: nothing is applied (or
   * broadcast) by this process while it runs, so `fn` can join a socket to a
   * room and answer with a state that the room's next update follows exactly.
   * A read of the log sent after the call serves it, whoever sent it: fifty
   * hellos at once wait for one or two reads, not fifty in turn.
   */
  withSession<T>(sessionId: string, fn: (session: LoadedSession) => T | Promise<T>, deadline?: number): Promise<T> {
    const askedAt = this.cache.moment();
    return this.inQueue(sessionId, deadline, async (abandoned) => {
      if (abandoned()) throw unavailable();
      return fn(await this.loadCaughtUp(sessionId, askedAt));
    });
  }

  /**
   * Another process appended to this session: apply (and so broadcast) what
   * it added, if we hold it. `handed`: the entries its notice carried; when
   * they continue this copy up to the last of them, no read of the log is
   * needed (null, or a gap before them: read). A hot session gets many
   * notices; one catch-up waiting in the queue covers all of them, and reads
   * the log if any of them came without entries.
   */
  refresh(sessionId: string, handed: readonly LogEntry[] | null = null): Promise<void> {
    if (!this.cache.has(sessionId)) return Promise.resolve();
    const queued = this.refreshing.get(sessionId);
    if (queued) {
      if (handed) queued.handed.push(...handed);
      else queued.read = true;
      return queued.run;
    }
    const catchUp: QueuedCatchUp = { handed: handed ? [...handed] : [], read: !handed, run: Promise.resolve() };
    catchUp.run = this.queue.run(sessionId, async () => {
      this.refreshing.delete(sessionId);
      if (!catchUp.read && this.cache.applyHanded(sessionId, catchUp.handed)) return;
      await this.loadCaughtUp(sessionId);
    });
    this.refreshing.set(sessionId, catchUp);
    return catchUp.run;
  }

  /**
   * Of these sessions, those whose copy here is behind the log (for the log
   * poll, in case a notice was lost): one round trip for all their heads,
   * where a catch-up of each would take a read of its log and hold its queue
   * meanwhile, though nearly every copy is current.
   */
  async behind(sessionIds: Iterable<string>): Promise<string[]> {
    const held = [...sessionIds].filter((id) => this.cache.has(id));
    if (held.length === 0) return [];
    const heads = await this.store.heads(held);
    return held.filter((id, i) => (this.cache.peek(id)?.state.version ?? Infinity) < (heads[i] ?? 0));
  }

  /**
   * Decides on one command. Returns the version it produced (or produced the
   * first time, for a retry); throws a ServiceError for every refusal.
   * `expectedGameVersion` null skips the staleness check (the system clock, messages).
   */
  execute(
    sessionId: string,
    actor: ActingActor,
    commandId: string,
    expectedGameVersion: number | null,
    command: Command,
    options: ExecuteOptions = {},
  ): Promise<Executed> {
    const { deadline, atLeast, limit } = options;
    const request: CommandRequest = { actor, commandId, expectedGameVersion, command };
    if (atLeast !== undefined) request.atLeast = atLeast;
    if (limit) request.limit = limit;
    return new Promise<Executed>((ok, fail) => this.executeTo(sessionId, request, deadline, { ok, fail }));
  }

  /**
   * As execute, for a command as the write path takes it (its atLeast and limit on the request), with its outcome
   * handed to `answer` rather than a promise: called once, in the batch's decision (right after the batch's
   * updates are applied and broadcast), or at the deadline.
   */
  executeTo(sessionId: string, request: CommandRequest, deadline: number | undefined, answer: Answer<Executed>): void {
    const bound = deadline ?? performance.now() + 2 * this.storeTimeoutMs;
    this.writes.submit(sessionId, request, bound, deadline, answer);
  }

  /** Stores a snapshot of every session this process holds that has moved on since its last one. */
  async flush(): Promise<void> {
    await Promise.all(
      this.cache.ids().map((sessionId) =>
        this.queue.run(sessionId, async () => {
          // Catch up first, so a process that fell behind never replaces a newer snapshot with an older one.
          const session = await this.loadCaughtUp(sessionId);
          if (session.state.version > session.snapshotVersion) await this.cache.saveSnapshot(sessionId, session);
        }),
      ),
    );
  }

  /** Schedules the session's running deadline, if any: after a stale timer fired, or when a process takes a session over. */
  reconcileTimer(sessionId: string): Promise<void> {
    return this.queue.run(sessionId, () => this.deadlines.scheduleLatest(sessionId));
  }

  /**
   * Forgets sessions unused for `idleMs` that nobody here is connected to
   * (`busy`), after storing a snapshot if they moved on since the last. The
   * store still has them; the next hello loads them again.
   */
  async evictIdle(idleMs: number, busy: ReadonlySet<string>): Promise<void> {
    const cutoff = this.clock.now() - idleMs;
    const idle = this.cache.entries().filter(([id, s]) => !busy.has(id) && s.lastUsed < cutoff).map(([id]) => id);
    await Promise.all(
      idle.map((sessionId) =>
        this.queue.run(sessionId, async () => {
          const session = this.cache.peek(sessionId);
          if (!session || session.lastUsed >= cutoff) return;
          if (session.state.version > session.snapshotVersion) await this.cache.saveSnapshot(sessionId, session);
          this.cache.forget(sessionId);
        }),
      ),
    );
  }

  /** The sessions this process holds a copy of. */
  heldIds(): string[] {
    return this.cache.ids();
  }

  /**
   * Lets go of a session the store no longer has (retention removed it): its copy and its beat deadline,
   * with nothing saved. A later load finds no session, as for one that never existed.
   */
  discard(sessionId: string): Promise<void> {
    return this.queue.run(sessionId, async () => {
      this.cache.forget(sessionId);
      await this.scheduler.cancel(sessionId);
    });
  }

  /** Each entry applied here, and each load, moves the session's retention moment (written only when it moved enough). */
  private noteRetention(): void {
    this.cache.onApplied(({ sessionId, after, entry }) => {
      const meta = this.cache.peek(sessionId)?.meta;
      if (meta) this.retention.note({ meta, state: after }, entry.at);
    });
    this.cache.onHeld((sessionId, held) => {
      const session = held ? this.cache.peek(sessionId) : undefined;
      if (session) this.retention.note(session, this.clock.now());
      else this.retention.forget(sessionId);
    });
  }

  /** The session as this process last saw it (possibly behind the log), without touching the store. */
  peek(sessionId: string): LoadedSession | undefined {
    return this.cache.peek(sessionId);
  }

  /**
   * Runs `task` in the session's queue. With a deadline, the caller is
   * answered `unavailable` when it passes, and `abandoned()` turns true so
   * that the task, if it has not reached the store yet, never does.
   */
  private inQueue<T>(sessionId: string, deadline: number | undefined, task: (abandoned: () => boolean) => Promise<T>): Promise<T> {
    if (deadline === undefined) return this.queue.run(sessionId, () => task(() => false));
    let abandoned = false;
    const done = this.queue.run(sessionId, () => task(() => abandoned));
    return this.bounds.within(done, deadline, () => (abandoned = true));
  }

  /** The session, cached, at the log's head (as of `askedAt` when given: SessionCache.caughtUp). Must run in the session's queue. */
  private async loadCaughtUp(sessionId: string, askedAt?: number): Promise<CachedSession> {
    const { session, loaded } = await this.cache.caughtUp(sessionId, askedAt);
    // Whoever set the running deadline may have died before scheduling it.
    if (loaded && session.state.turn.context.timer?.deadline != null) await this.deadlines.scheduleLatest(sessionId);
    return session;
  }
}
