import { randomInt } from 'node:crypto';
import { serverScenarios } from '../scenarios.ts';
import {
  applyEntry,
  messageChangedAt,
  canonicalJson,
  checkCommand,
  initialState,
  isMessageSide,
  messagesFor,
  persistGame,
  restoreGame,
  viewFor,
  type Actor,
  type Command,
  type CommandResult,
  type Game,
  type GameState,
  type LogEntry,
  type Scenario,
  type SyncData,
  type Viewer,
} from '@rubicon/shared';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Clock, Scheduler, SessionMeta, SessionStore } from '../store/types.ts';

import { KeyedQueue } from './keyed-queue.ts';
import { StoreUnavailableError } from '../store/redis-availability.ts';
import type { AppendResult } from '../store/types.ts';
import { ServiceError, isOutage, unavailable } from './service-error.ts';
import { gameForSetup } from './game-setup.ts';

/** A session as this process holds it: its setup, its engine and its state at some log position. */
export interface LoadedSession {
  readonly meta: SessionMeta;
  readonly game: Game;
  readonly state: GameState;
}

interface CacheEntry extends LoadedSession {
  state: GameState;
  /** The version of the last snapshot this process knows is stored. */
  snapshotVersion: number;
  /** When this process last used it (clock time), for evicting idle sessions. */
  lastUsed: number;
}

/** One event this process has applied to its copy of a session, in log order. */
export interface AppliedEvent {
  sessionId: string;
  game: Game;
  entry: LogEntry;
  before: GameState;
  after: GameState;
  /** True in the process that appended it (which tells the others); false when caught up from the log. */
  appendedHere: boolean;
}

export type ScenarioLookup = (id: string) => Scenario | undefined;

export interface SessionServiceOptions {
  store: SessionStore;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  snapshotEvery: number;
  scenarios?: ScenarioLookup;
  /** How often a command is revalidated after another process appended first. */
  maxAppendAttempts?: number;
  /** How long an append whose answer was lost may take to look up (when the caller set no deadline). */
  storeTimeoutMs?: number;
}

export interface ExecuteOptions {
  /** The log entry's time is at least this (a timer firing at its deadline on a clock that lags a little). */
  atLeast?: number;
  /**
   * performance.now() by which the caller must have its answer. Past it the
   * command is refused as `unavailable` (with a retry hint) and, if it had
   * not reached the store yet, it never will.
   */
  deadline?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function viewerOf(actor: Actor): Viewer {
  if (actor.kind === 'seat') return { kind: 'seat', seat: actor.seat };
  return actor.kind === 'system' ? { kind: 'facilitator' } : actor;
}

/** Rejects with `unavailable` at `deadline` (performance.now() time) unless `work` settled first; `onLate` marks the work abandoned. */
function withinDeadline<T>(work: Promise<T>, deadline: number, onLate: () => void): Promise<T> {
  const wait = deadline - performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onLate();
      reject(unavailable());
    }, Math.max(0, wait));
  });
  // Whatever the work ends with after the deadline, nobody is waiting for it.
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** A full view and the messages a client lacks; everything when it holds nothing or something we never had. */
export function syncData(session: LoadedSession, viewer: Viewer, sinceVersion: number | undefined): SyncData {
  const { game, state } = session;
  const full = sinceVersion === undefined || sinceVersion === 0 || sinceVersion > state.version;
  const all = messagesFor(game, state, viewer);
  return {
    version: state.version,
    view: viewFor(game, state, viewer),
    messages: full ? all : all.filter((m) => messageChangedAt(m) > sinceVersion),
    full,
    messageCount: all.length,
  };
}

/**
 * The authoritative game service of one process. The store's log is the
 * truth; this process keeps a cached state per session and catches it up from
 * the log before every decision, validates commands with the shared engine,
 * and appends with a check on the log position, so processes sharing a store
 * can never fork a session. Every event this process applies, its own or one
 * appended elsewhere, is reported to `onApplied` listeners exactly once and in
 * log order: the broadcaster relies on that.
 */
export class SessionService {
  readonly store: SessionStore;
  private readonly scheduler: Scheduler;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly metrics: Metrics;
  private readonly snapshotEvery: number;
  private readonly lookup: ScenarioLookup;
  private readonly maxAppendAttempts: number;
  private readonly storeTimeoutMs: number;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly queue = new KeyedQueue();
  private readonly listeners: ((event: AppliedEvent) => void)[] = [];

  constructor(options: SessionServiceOptions) {
    this.store = options.store;
    this.scheduler = options.scheduler;
    this.clock = options.clock;
    this.log = options.logger.child({ module: 'session-service' });
    this.metrics = options.metrics;
    this.snapshotEvery = options.snapshotEvery;
    this.lookup = options.scenarios ?? ((id) => serverScenarios().get(id));
    this.maxAppendAttempts = options.maxAppendAttempts ?? 16;
    this.storeTimeoutMs = options.storeTimeoutMs ?? 1000;
  }

  onApplied(listener: (event: AppliedEvent) => void): void {
    this.listeners.push(listener);
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
   * Runs `fn` with the session caught up to the log's head, in this
   * session's queue: nothing is applied (or broadcast) by this process while
   * it runs, so `fn` can join a socket to a room and answer with a state that
   * the room's next update follows exactly.
   */
  withSession<T>(sessionId: string, fn: (session: LoadedSession) => T | Promise<T>, deadline?: number): Promise<T> {
    if (deadline === undefined) return this.queue.run(sessionId, async () => fn(await this.loadCaughtUp(sessionId)));
    let abandoned = false;
    const done = this.queue.run(sessionId, async () => {
      if (abandoned) throw unavailable();
      return fn(await this.loadCaughtUp(sessionId));
    });
    return withinDeadline(done, deadline, () => (abandoned = true));
  }

  /** Another process appended to this session: apply (and so broadcast) what it added, if we hold it. */
  refresh(sessionId: string): Promise<void> {
    if (!this.cache.has(sessionId)) return Promise.resolve();
    return this.queue.run(sessionId, async () => {
      await this.loadCaughtUp(sessionId);
    });
  }

  /**
   * Decides on one command. Returns the version it produced (or produced the
   * first time, for a retry); throws a ServiceError for every refusal.
   * `expectedGameVersion` null skips the staleness check (the system clock, messages).
   */
  execute(
    sessionId: string,
    actor: Actor,
    commandId: string,
    expectedGameVersion: number | null,
    command: Command,
    options: ExecuteOptions = {},
  ): Promise<CommandResult> {
    const { deadline } = options;
    const bound = deadline ?? performance.now() + 2 * this.storeTimeoutMs;
    if (deadline === undefined)
      return this.queue.run(sessionId, () => this.decide(sessionId, actor, commandId, expectedGameVersion, command, options, bound, () => false));
    let abandoned = false;
    const decided = this.queue.run(sessionId, () => {
      // Its caller was already told `unavailable`: it must not be applied now.
      if (abandoned) throw unavailable();
      return this.decide(sessionId, actor, commandId, expectedGameVersion, command, options, bound, () => abandoned);
    });
    return withinDeadline(decided, deadline, () => (abandoned = true));
  }

  private async decide(
    sessionId: string,
    actor: Actor,
    commandId: string,
    expectedGameVersion: number | null,
    command: Command,
    options: ExecuteOptions,
    bound: number,
    abandoned: () => boolean,
  ): Promise<CommandResult> {
    if (actor.kind === 'observer') throw new ServiceError('forbidden', 'Observers can only watch.');
    let session = await this.loadCaughtUp(sessionId);
    if (session.meta.lineage?.replayOf)
      throw new ServiceError('read_only', 'This is a replay of a session file: it can be watched and branched from, not played.');
    for (let attempt = 1; attempt <= this.maxAppendAttempts; attempt++) {
      const earlier = await this.store.commandSeq(sessionId, commandId);
      if (earlier !== null) return this.duplicate(sessionId, earlier, actor, command);
      const { game, state } = session;
      // Messages (and their moderation) commute with everything; a game command must be made on the game as it stands.
      if (expectedGameVersion !== null && !isMessageSide(command) && expectedGameVersion !== state.gameVersion) {
        const view = viewFor(game, state, viewerOf(actor));
        throw new ServiceError('stale', `The game is at version ${state.gameVersion}; this was made on ${expectedGameVersion}.`, {
          version: view.version,
          gameVersion: state.gameVersion,
          view,
        });
      }
      const at = Math.max(this.clock.now(), options.atLeast ?? 0);
      const refusal = checkCommand(game, state, actor, command, at);
      if (refusal) throw new ServiceError(refusal.code, refusal.message);

      const entry: LogEntry = { seq: state.version + 1, at, by: actor, commandId, command };
      if (abandoned()) throw unavailable();
      const appended = await this.appendOrFindOut(sessionId, entry, bound);
      if (appended.ok) {
        const before = state;
        this.apply(sessionId, entry, true);
        this.metrics.eventsApplied.inc({ type: command.type });
        await this.afterAppend(sessionId, before);
        return { version: entry.seq, duplicate: false };
      }
      if (appended.reason === 'duplicate') {
        // The same command came in through another process (a retry) and was appended there.
        await this.loadCaughtUp(sessionId);
        return this.duplicate(sessionId, appended.seq, actor, command);
      }
      // Another process appended first. Back off a little (randomly, so that a process with a
      // long queue cannot starve this one), learn what it did, then decide again.
      await sleep(randomInt(0, Math.min(50, 2 ** attempt) + 1));
      session = await this.loadCaughtUp(sessionId);
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

  /** Stores a snapshot of every session this process holds that has moved on since its last one. */
  async flush(): Promise<void> {
    await Promise.all(
      [...this.cache.keys()].map((sessionId) =>
        this.queue.run(sessionId, async () => {
          // Catch up first, so a process that fell behind never replaces a newer snapshot with an older one.
          const entry = await this.loadCaughtUp(sessionId);
          if (entry.state.version > entry.snapshotVersion) await this.saveSnapshot(sessionId, entry);
        }),
      ),
    );
  }

  /** Schedules the session's running deadline, if any: after a stale timer fired, or when a process takes a session over. */
  reconcileTimer(sessionId: string): Promise<void> {
    return this.queue.run(sessionId, () => this.scheduleLatest(sessionId));
  }

  /**
   * Forgets sessions unused for `idleMs` that nobody here is connected to
   * (`busy`), after storing a snapshot if they moved on since the last. The
   * store still has them; the next hello loads them again.
   */
  async evictIdle(idleMs: number, busy: ReadonlySet<string>): Promise<void> {
    const cutoff = this.clock.now() - idleMs;
    const idle = [...this.cache].filter(([id, e]) => !busy.has(id) && e.lastUsed < cutoff).map(([id]) => id);
    await Promise.all(
      idle.map((sessionId) =>
        this.queue.run(sessionId, async () => {
          const entry = this.cache.get(sessionId);
          if (!entry || entry.lastUsed >= cutoff) return;
          if (entry.state.version > entry.snapshotVersion) await this.saveSnapshot(sessionId, entry);
          this.cache.delete(sessionId);
          this.metrics.sessions.set(this.cache.size);
        }),
      ),
    );
  }

  /** The session as this process last saw it (possibly behind the log), without touching the store. */
  peek(sessionId: string): LoadedSession | undefined {
    return this.cache.get(sessionId);
  }

  /** The session, cached, at the log's head. Must run in the session's queue. */
  private async loadCaughtUp(sessionId: string): Promise<CacheEntry> {
    const cached = this.cache.get(sessionId);
    if (cached) cached.lastUsed = this.clock.now();
    const entry = cached ?? (await this.loadFromStore(sessionId));
    if (!cached) {
      this.cache.set(sessionId, entry);
      this.metrics.sessions.set(this.cache.size);
    }
    await this.catchUp(sessionId, entry);
    // Whoever set the running deadline may have died before scheduling it.
    if (!cached && entry.state.turn.context.timer?.deadline != null) await this.scheduleLatest(sessionId);
    return entry;
  }

  private async catchUp(sessionId: string, entry: CacheEntry): Promise<void> {
    const missing = await this.store.readLog(sessionId, entry.state.version);
    for (const logEntry of missing) this.apply(sessionId, logEntry, false);
  }

  private async loadFromStore(sessionId: string): Promise<CacheEntry> {
    const meta = await this.store.getSession(sessionId);
    if (!meta) throw new ServiceError('not_found', 'There is no such session.');
    const game = this.gameFor(meta.setup);
    const snapshot = await this.store.loadSnapshot(sessionId);
    let state = initialState(game);
    if (snapshot) {
      try {
        state = restoreGame(game, snapshot);
      } catch (err) {
        // A snapshot from another scenario or machine version: the log still rebuilds the state.
        this.log.warn({ sessionId, err }, 'ignoring an unusable snapshot');
      }
    }
    return { meta, game, state, snapshotVersion: state.version, lastUsed: this.clock.now() };
  }

  /** Applies the next log entry to the cache and tells the listeners. A log that does not apply is corrupt. */
  private apply(sessionId: string, entry: LogEntry, appendedHere: boolean): void {
    const cached = this.cache.get(sessionId);
    if (!cached) throw new Error(`session ${sessionId} is not loaded`);
    const before = cached.state;
    const r = applyEntry(cached.game, before, entry);
    if (!r.ok) throw new Error(`session ${sessionId}: log entry ${entry.seq} does not apply: ${r.refusal.code}: ${r.refusal.message}`);
    cached.state = r.state;
    const event: AppliedEvent = { sessionId, game: cached.game, entry, before, after: r.state, appendedHere };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err, sessionId, seq: entry.seq }, 'an applied-event listener failed');
      }
    }
  }

  /** Bookkeeping for the process that appended: snapshots and the beat deadline. */
  private async afterAppend(sessionId: string, before: GameState): Promise<void> {
    const cached = this.cache.get(sessionId);
    if (!cached) return;
    const after = cached.state;
    if (after.version % this.snapshotEvery === 0) await this.saveSnapshot(sessionId, cached);
    const t0 = before.turn.context.timer;
    const t1 = after.turn.context.timer;
    if (t0?.deadline !== t1?.deadline || t0?.setAtVersion !== t1?.setAtVersion) await this.scheduleLatest(sessionId);
  }

  /**
   * Makes the scheduler hold the deadline of the log's head. The scheduler
   * keeps whatever was written last, and another process may append and
   * schedule at the same time; so after writing, look at the head again: if
   * nobody appended meanwhile, any later append (and its scheduling) comes
   * after ours and wins rightly; if somebody did, catch up and write again.
   */
  private async scheduleLatest(sessionId: string): Promise<void> {
    const cached = this.cache.get(sessionId);
    if (!cached) return;
    for (let round = 0; round < this.maxAppendAttempts; round++) {
      await this.scheduleFor(sessionId, cached.state);
      if ((await this.store.head(sessionId)) <= cached.state.version) return;
      await this.catchUp(sessionId, cached);
    }
  }

  private async saveSnapshot(sessionId: string, entry: CacheEntry): Promise<void> {
    try {
      const state = entry.state;
      await this.store.saveSnapshot(sessionId, persistGame(entry.game, state));
      entry.snapshotVersion = Math.max(entry.snapshotVersion, state.version);
    } catch (err) {
      // A missed snapshot only makes the next load replay more of the log.
      if (!isOutage(err)) this.log.warn({ err, sessionId }, 'could not store a snapshot');
    }
  }

  private async scheduleFor(sessionId: string, state: GameState): Promise<void> {
    const timer = state.turn.context.timer;
    try {
      if (timer && timer.deadline !== null && !state.turn.context.paused)
        await this.scheduler.schedule({ sessionId, timerVersion: timer.setAtVersion, at: timer.deadline });
      else await this.scheduler.cancel(sessionId);
    } catch (err) {
      // During an outage the store logs once; the next append or takeover schedules again.
      if (!isOutage(err)) this.log.error({ err, sessionId }, 'could not schedule the beat deadline');
    }
  }

  /** A command id seen before: the same command is a retry; another command reusing the id is refused. */
  private async duplicate(sessionId: string, seq: number, actor: Actor, command: Command): Promise<CommandResult> {
    const [original] = await this.store.readLog(sessionId, seq - 1);
    if (original && canonicalJson({ by: original.by, command: original.command }) !== canonicalJson({ by: actor, command }))
      throw new ServiceError('duplicate', 'This command id was already used for a different command.');
    return { version: seq, duplicate: true };
  }
}
