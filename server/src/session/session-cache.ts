import { applyEntry, initialState, persistGame, restoreGame, type Game, type GameState, type LogEntry } from '@rubicon/shared';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Clock, SessionMeta, SessionStore } from '../store/types.ts';
import { ServiceError, isOutage } from './service-error.ts';

/** A session as this process holds it: its setup, its engine and its state at some log position. */
export interface LoadedSession {
  readonly meta: SessionMeta;
  readonly game: Game;
  readonly state: GameState;
}

export interface CachedSession extends LoadedSession {
  state: GameState;
  /** The version of the last snapshot this process knows is stored. */
  snapshotVersion: number;
  /** When this process last used it (clock time), for evicting idle sessions. */
  lastUsed: number;
  /** The moment (SessionCache.moment) its last completed read of the log was sent; 0 before any. */
  readSentAt: number;
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

export interface SessionCacheOptions {
  store: SessionStore;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Builds the engine for a stored setup. */
  gameFor: (setup: unknown) => Game;
}

/**
 * This process's copies of sessions, each at some position of the store's
 * log, and the one place where log entries are applied to them. Every entry
 * applied is reported to the listeners exactly once and in log order. The
 * caller serialises work per session (the service's queue): nothing here
 * guards against two catch-ups of one session at once.
 */
export class SessionCache {
  private readonly store: SessionStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly metrics: Metrics;
  private readonly gameFor: (setup: unknown) => Game;
  private readonly sessions = new Map<string, CachedSession>();
  private readonly listeners: ((event: AppliedEvent) => void)[] = [];
  private readonly heldListeners: ((sessionId: string, held: boolean) => void)[] = [];
  /** Counts moments: callers asking for a caught-up session, and reads of the log being sent. */
  private moments = 0;

  constructor(options: SessionCacheOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.log = options.logger;
    this.metrics = options.metrics;
    this.gameFor = options.gameFor;
  }

  onApplied(listener: (event: AppliedEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Told when this process starts holding a session (before catching it up) and when it forgets it. */
  onHeld(listener: (sessionId: string, held: boolean) => void): void {
    this.heldListeners.push(listener);
  }

  peek(sessionId: string): CachedSession | undefined {
    return this.sessions.get(sessionId);
  }

  has(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  ids(): string[] {
    return [...this.sessions.keys()];
  }

  entries(): [string, CachedSession][] {
    return [...this.sessions];
  }

  /** Now, in the order caughtUp compares a caller's asking with a read's sending. */
  moment(): number {
    return ++this.moments;
  }

  /**
   * The session, loaded if need be and caught up with the log; `loaded` when it was not held before.
   * `askedAt` (a moment taken when the caller asked): a read of the log sent since then already gave
   * the copy everything the log held when the caller asked, so no read of its own is needed. Callers
   * queued behind one another for a session (a class saying hello at once) then share a read rather
   * than each holding the session's queue for a round trip in turn.
   */
  async caughtUp(sessionId: string, askedAt?: number): Promise<{ session: CachedSession; loaded: boolean }> {
    const cached = this.sessions.get(sessionId);
    if (cached) cached.lastUsed = this.clock.now();
    if (cached && askedAt !== undefined && cached.readSentAt > askedAt) return { session: cached, loaded: false };
    const session = cached ?? (await this.loadFromStore(sessionId));
    if (!cached) {
      this.sessions.set(sessionId, session);
      this.metrics.sessions.set(this.sessions.size);
      // Before the catch-up, which may fail: its entries are applied (and told) after this.
      this.tellHeld(sessionId, true);
    }
    await this.catchUp(sessionId, session);
    return { session, loaded: !cached };
  }

  /** The copy as this process holds it, without asking the store (possibly behind the log). */
  held(sessionId: string): CachedSession | undefined {
    const cached = this.sessions.get(sessionId);
    if (cached) cached.lastUsed = this.clock.now();
    return cached;
  }

  /** Applies entries the store handed over (in log order), those beyond the copy's version. */
  applyFromStore(sessionId: string, session: CachedSession, entries: readonly LogEntry[]): void {
    for (const entry of entries) if (entry.seq === session.state.version + 1) this.apply(sessionId, entry, false);
  }

  /**
   * Applies entries another process handed over with its notice (append-notice.ts), those that
   * continue the copy. True when the copy now reaches the last of them; false when it does not
   * (a gap before them: the caller reads the log) or the session is not held.
   */
  applyHanded(sessionId: string, entries: readonly LogEntry[]): boolean {
    const session = this.held(sessionId);
    const last = entries.reduce((max, e) => Math.max(max, e.seq), 0);
    if (!session || last === 0) return false;
    // Notices from two writers may come out of log order.
    this.applyFromStore(sessionId, session, entries.length > 1 ? [...entries].sort((a, b) => a.seq - b.seq) : entries);
    return session.state.version >= last;
  }

  /** Applies whatever the log holds beyond the copy's version. */
  async catchUp(sessionId: string, session: CachedSession): Promise<void> {
    const sentAt = this.moment();
    const missing = await this.store.readLog(sessionId, session.state.version);
    for (const logEntry of missing) this.apply(sessionId, logEntry, false);
    session.readSentAt = Math.max(session.readSentAt, sentAt);
  }

  /**
   * Applies the next log entry to the copy and tells the listeners. A log
   * that does not apply is corrupt. `planned` is what applyEntry already gave
   * for this entry (a batch is planned before it is appended); it is used
   * only if it was computed from the copy's current state.
   */
  apply(sessionId: string, entry: LogEntry, appendedHere: boolean, planned?: { from: GameState; to: GameState }): void {
    const cached = this.sessions.get(sessionId);
    if (!cached) throw new Error(`session ${sessionId} is not loaded`);
    const before = cached.state;
    let after: GameState;
    if (planned && planned.from === before && planned.to.version === entry.seq) after = planned.to;
    else {
      const r = applyEntry(cached.game, before, entry);
      if (!r.ok) throw new Error(`session ${sessionId}: log entry ${entry.seq} does not apply: ${r.refusal.code}: ${r.refusal.message}`);
      after = r.state;
    }
    cached.state = after;
    const event: AppliedEvent = { sessionId, game: cached.game, entry, before, after, appendedHere };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err, sessionId, seq: entry.seq }, 'an applied-event listener failed');
      }
    }
  }

  async saveSnapshot(sessionId: string, session: CachedSession): Promise<void> {
    try {
      const state = session.state;
      await this.store.saveSnapshot(sessionId, persistGame(session.game, state));
      session.snapshotVersion = Math.max(session.snapshotVersion, state.version);
    } catch (err) {
      // A missed snapshot only makes the next load replay more of the log.
      if (!isOutage(err)) this.log.warn({ err, sessionId }, 'could not store a snapshot');
    }
  }

  forget(sessionId: string): void {
    if (!this.sessions.delete(sessionId)) return;
    this.metrics.sessions.set(this.sessions.size);
    this.tellHeld(sessionId, false);
  }

  private tellHeld(sessionId: string, held: boolean): void {
    for (const listener of this.heldListeners) {
      try {
        listener(sessionId, held);
      } catch (err) {
        this.log.error({ err, sessionId, held }, 'a held-session listener failed');
      }
    }
  }

  private async loadFromStore(sessionId: string): Promise<CachedSession> {
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
    return { meta, game, state, snapshotVersion: state.version, lastUsed: this.clock.now(), readSentAt: 0 };
  }
}
