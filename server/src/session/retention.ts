import type { Logger } from '../logger.ts';
import type { Clock, SessionStore } from '../store/types.ts';
import { isOutage } from './service-error.ts';
import type { LoadedSession } from './session-cache.ts';
import { clocksStart } from './token-expiry.ts';

/**
 * How long the store keeps a session (SESSION_RETAIN_AFTER_END_MS, SESSION_IDLE_RETAIN_MS): a rule of the
 * store and the server, not of the game; the engine never reads a clock for it.
 */
export interface RetentionRules {
  /** After the session's clocks start (its outcome, or its opening here: clocksStart); 0: kept for good. */
  afterEndMs: number;
  /** A session that has not ended, after its last activity (a command, or a process loading it); 0: kept for good. */
  idleMs: number;
}

/** Kept for good: what a server built without rules (tests, benches) does. */
export const KEEP_FOREVER: RetentionRules = { afterEndMs: 0, idleMs: 0 };

/**
 * An idle session's moment moves later with each command, but is written again only once it has moved this
 * far (or a tenth of SESSION_IDLE_RETAIN_MS, if less): one write an hour per session and process at most, never
 * a round trip per command. The moment stored may so lag the true one by up to this much (the session goes up
 * to an hour early, after 90 days).
 */
export const RETENTION_REFRESH_MS = 60 * 60_000;

/** When the session may be removed, by the copy given, last active at `lastActive`; null: kept for good. */
export function retentionMoment(session: Pick<LoadedSession, 'meta' | 'state'>, lastActive: number, rules: RetentionRules): number | null {
  const start = clocksStart(session);
  if (start !== null) return rules.afterEndMs > 0 ? start + rules.afterEndMs : null;
  return rules.idleMs > 0 ? Math.max(lastActive, session.meta.createdAt) + rules.idleMs : null;
}

/** The moment last written per session this process holds, so that most notes write nothing. */
export class RetentionMarks {
  private readonly written = new Map<string, number | null>();
  private readonly refreshMs: number;

  constructor(
    private readonly store: SessionStore,
    readonly rules: RetentionRules,
    private readonly log: Logger,
  ) {
    this.refreshMs = Math.min(RETENTION_REFRESH_MS, rules.idleMs / 10);
  }

  /** A session just stored (created, imported, branched): its first moment, counted from its creation. */
  async created(sessionId: string, createdAt: number): Promise<void> {
    const at = this.rules.idleMs > 0 ? createdAt + this.rules.idleMs : null;
    if (at !== null) await this.store.retainUntil(sessionId, at);
  }

  /** The session as it is now here, last active at `lastActive`: its moment written if it moved enough. */
  note(session: Pick<LoadedSession, 'meta' | 'state'>, lastActive: number): void {
    const sessionId = session.meta.sessionId;
    const at = retentionMoment(session, lastActive, this.rules);
    const last = this.written.get(sessionId);
    if (last !== undefined && !movedEnough(last, at, this.refreshMs)) return;
    // Marked before the write, so that the notes meanwhile do not write the same again.
    this.written.set(sessionId, at);
    this.store.retainUntil(sessionId, at).catch((err: unknown) => {
      // Written again at the next note.
      this.written.delete(sessionId);
      if (!isOutage(err)) this.log.error({ err, sessionId }, 'could not store when the session may be removed');
    });
  }

  forget(sessionId: string): void {
    this.written.delete(sessionId);
  }
}

function movedEnough(last: number | null, at: number | null, refreshMs: number): boolean {
  if (last === null || at === null) return last !== at;
  return at < last || at - last >= refreshMs;
}

export interface RetentionSweepDeps {
  store: SessionStore;
  clock: Clock;
  log: Logger;
  everyMs: number;
  /** SESSION_IDLE_RETAIN_MS: the moment given to sessions stored without one (SessionStore.adoptUnmarked); 0: none. */
  idleMs: number;
  /** Sessions this process holds (cached, or with sockets here): checked for removal by another process. */
  held: () => Iterable<string>;
  /** A session the store no longer has: drop its sockets here, forget its copy and its timer. */
  removed: (sessionId: string) => Promise<void>;
}

/** The most sessions one removal call takes: one script stays short for Redis however many are due. */
const REMOVE_BATCH = 50;
/** Sessions without a moment given one per sweep. */
const ADOPT_BATCH = 500;
/** Calls a sweep makes at most; what is left waits for the next sweep. */
const REMOVE_CALLS = 20;

/**
 * Every `everyMs` (unref'd: it never holds the process up), removes the sessions whose moment has passed, and
 * lets go of the sessions this process holds that are gone (it or another process removed them). Every
 * process runs one; the store's removal is whole and idempotent, so they need no coordination.
 */
export function sweepRetention(deps: RetentionSweepDeps): { stop(): void; sweep(): Promise<void> } {
  let running: Promise<void> | null = null;
  // Sessions without a moment come from before retention (or a crash right after a create): adopted at each
  // start, a batch a sweep, until none is left; from then on every session is given one when it is stored.
  let unmarked = deps.idleMs > 0 && deps.store.adoptUnmarked !== undefined;
  const adopt = async () => {
    if (unmarked) unmarked = ((await deps.store.adoptUnmarked?.(deps.idleMs, ADOPT_BATCH)) ?? 0) >= ADOPT_BATCH;
  };
  const sweep = (): Promise<void> => {
    running ??= adopt().then(() => sweepOnce(deps)).catch((err: unknown) => {
      if (!isOutage(err)) deps.log.error({ err }, 'the retention sweep failed');
    }).finally(() => (running = null));
    return running;
  };
  const timer = setInterval(() => void sweep(), deps.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), sweep };
}

async function sweepOnce({ store, clock, log, held, removed }: RetentionSweepDeps): Promise<void> {
  const done = new Set<string>();
  for (let call = 0; call < REMOVE_CALLS; call++) {
    const ids = await store.removeDue(clock.now(), REMOVE_BATCH);
    if (ids.length > 0) log.info({ sessions: ids.length }, 'sessions removed after their retention');
    for (const id of ids) done.add(id);
    if (ids.length < REMOVE_BATCH) break;
  }
  for (const id of await store.gone([...new Set(held())].filter((id) => !done.has(id)))) done.add(id);
  for (const sessionId of done) await removed(sessionId);
  // After the copies are gone (each in its session's queue, behind any command taken on it): nothing writes for them here now.
  await store.removeLeft([...done]);
}
