import type { GameSetup, JoinCode, LogEntry, PersistedGame, SessionHeader, SessionParent, Viewer } from '@rubicon/shared';
import type { AppendNotice } from './append-notice.ts';
import type { MigrationOptions, MigrationRun } from './redis-migration.ts';

/**
 * The storage boundary. Two implementations (memory, Redis) pass one shared
 * test suite. The log is the single source of truth: `append` is an atomic
 * check-and-append, so two processes can never fork a session's history.
 */

export interface SessionMeta {
  sessionId: string;
  title: string;
  scenarioId: string;
  setup: GameSetup;
  createdAt: number;
  /** sha-256 hex of the facilitator token; the token itself is never stored. */
  facilitatorTokenHash: string;
  /** The codes as created; `access` holds what changed since (revocations, re-issues). */
  codes: JoinCode[];
  /** At most this many people may redeem one seat's code (per issue of the code); absent: no cap. */
  maxPlayersPerSeat?: number;
  /** Where this session came from, if anywhere (absent in sessions stored before lineage existed). */
  lineage?: SessionLineage;
}

export interface SessionLineage {
  /** A branched session: the session and version it continues from. */
  parent: SessionParent | null;
  /** A replay (read-only): the header of the file it was opened from, so its export is that file's chain. */
  replayOf: SessionHeader | null;
}

/**
 * What a code or token grants. `key` names the secret it came from (a seat,
 * `observer`, `facilitator` for co-facilitators, `owner` for the creator's
 * token) and `generation` which issue of it: revoking a key bumps its
 * generation, and every grant of an older one stops working.
 */
export interface Grant {
  sessionId: string;
  role: Viewer;
  key?: string;
  /** Absent means 0: the issue made with the session. */
  generation?: number;
}

/** The current issue of one access key; a key never changed is as created (its code in meta.codes, generation 0). */
export interface AccessState {
  code: string | null;
  generation: number;
}

export type RotateResult = { ok: true; access: AccessState } | { ok: false; reason: 'code-taken' };

export type AppendResult =
  | { ok: true; seq: number }
  /** The log had moved on: `head` is its current length. */
  | { ok: false; reason: 'conflict'; head: number }
  /** The command id was already appended, at `seq`. */
  | { ok: false; reason: 'duplicate'; seq: number };

/**
 * What an append of several entries at once came to. Nothing is written
 * unless all of them are: duplicates are reported before a conflict, as for
 * one entry.
 */
export type BatchAppendResult =
  /**
   * `seq` is the last entry's. A movable batch (Placement) may have landed after entries its writer had not
   * planned on: then its entries took the seqs up to `seq` (the first is `seq` - the batch's length + 1, not
   * the planned one), and `missed` holds the entries it was placed after, when they are few (at most
   * MISSED_ENTRIES_MAX), as a conflict's `missing` does. Where it was planned, `missed` is absent.
   */
  | { ok: true; seq: number; missed?: LogEntry[] }
  /**
   * The log had moved on to `head`. `missing` holds the entries after the
   * position the batch was made on, when they are few (at most
   * MISSED_ENTRIES_MAX), so that the writer catches up without reading the log.
   */
  | { ok: false; reason: 'conflict'; head: number; missing?: LogEntry[] }
  /** These entries' command ids were appended before (`index` into the batch, `seq` where the log holds it). */
  | { ok: false; reason: 'duplicate'; duplicates: { index: number; seq: number }[] }
  /**
   * The entry at `index` would go over the budget of its limit at `link` (EntryLimit), whose window
   * ends in `retryAfterMs`: nothing was written or counted. Only from a store that counts limits.
   */
  | { ok: false; reason: 'limited'; index: number; link: number; retryAfterMs: number };

/**
 * Limits an entry is counted against in the append itself, so that a command costs one round trip,
 * not a count and then an append: `keys[i]` (the store's key of the counter) against `links[i]`, in
 * order. Each counter is a fixed window as rate-limiter-flexible keeps it (an integer that expires with
 * its window, set on its first count), so counts made here and by the limits' own checks are one count.
 */
export interface EntryLimit {
  keys: readonly string[];
  links: readonly { points: number; windowSeconds: number }[];
}

/** A log entry already serialized as the store keeps it (what an import verified). */
export interface SerializedEntry {
  seq: number;
  commandId: string;
  /** JSON LogEntry. */
  json: string;
}

/** A whole session to store at once: an import. */
export interface ImportedSession {
  meta: SessionMeta;
  /** The whole log in seq order from 1. */
  entries: readonly SerializedEntry[];
  /**
   * JSON PersistedGame of the state at the end of the log, or that text's UTF-8 bytes (an import's, encoded
   * in its worker: Redis is sent the bytes as they are, where encoding a 1.3 MB string on the write held the
   * event loop 10-15 ms).
   */
  snapshot: string | Uint8Array;
  /** The creator's grant, stored under meta.facilitatorTokenHash with the rest. */
  ownerGrant: Grant;
}

/** How a new session is stored. */
export interface CreateOptions {
  /**
   * The most sessions the store may hold (MAX_SESSIONS): a new one is stored only while it holds fewer,
   * checked in the step that writes it, so two processes cannot both take the last place. Absent or 0: no cap.
   */
  maxSessions?: number;
}

/** A session refused because the store holds `maxSessions` already: nothing of it was stored. */
export class SessionsFullError extends Error {
  override name = 'SessionsFullError';

  constructor(readonly maxSessions: number) {
    super(`the store holds its most sessions (${maxSessions})`);
  }
}

/** What keyLegacyToken did: gave the token the new key, pinned it to the old one (revoked), or nothing. */
export type LegacyTokenKeying = 'keyed' | 'pinned' | 'unchanged';

/** How an append's entries were made. */
export interface AppendOptions {
  /**
   * Every entry was built by this server's command path: a command that
   * passed the Command schema on its way in (or one the server made itself),
   * the actor from a grant, the seq and time computed here. The memory store
   * then skips its parse of each entry (append-batch.ts says why that is safe
   * there and not on Redis). Entries from anywhere else leave this out.
   */
  parsed?: boolean;
  /**
   * Per entry (by index), the limits it counts against, or null. The batch is written only if every
   * entry fits in what its limits' windows have left, counted in order; then all are counted. Only a
   * store whose counters every process shares (Redis) takes them; the memory store refuses them.
   */
  limits?: readonly (EntryLimit | null)[];
  /** Where the batch may be placed; absent: only where it was planned, and every entry is a barrier. */
  placement?: Placement;
  /**
   * A movable batch is placed past its planned position only if its last entry's seq stays at most this
   * (the log's cap for plain commands, log-cap.ts); otherwise it is a conflict, and its writer decides again
   * on the log as it is. Where it was planned, the writer checked its seqs itself. Absent: no bound.
   */
  placeUpTo?: number;
}

/**
 * Which of a batch's entries other entries may not be reordered across (entryOrder in shared, which says
 * why). The store keeps per log a barrier: the seq of its last entry that was one. A movable batch planned
 * at position p (its first seq p + 1) is placed at the log's head h >= p, renumbered, if the barrier is at
 * most p: every entry in between is then free, and none of them changes what the batch's legality read.
 * Any other batch goes only at p. A log whose barrier is unknown (written before barriers) counts its head
 * as its barrier.
 */
export interface Placement {
  /** Every entry is free or moving (entryOrder): the batch may be placed past free entries. */
  movable: boolean;
  /** 1 + the index of the batch's last entry that is a barrier (moving or strict); 0 when none is. */
  barrierEnd: number;
}

export interface SessionStore {
  /**
   * True while this process knows the store is unreachable (Redis: its outage log, from the last failed or
   * answered command or probe); absent or false otherwise. Only words refusals; decides nothing.
   */
  unreachable?(): boolean;
  /**
   * Stores a new session and its codes, all at once. Refuses a session id or join code already in use, and
   * (SessionsFullError) a session past `options.maxSessions`, counted in the same atomic step as the write.
   */
  createSession(meta: SessionMeta, options?: CreateOptions): Promise<void>;
  /**
   * Stores a session with its whole log, snapshot and facilitator token so
   * that it appears complete or not at all, even if the process dies half
   * way (what was written before stays invisible and expires). Refuses, like
   * createSession, a session id or join code already in use, or a session past `options.maxSessions`.
   */
  importSession(session: ImportedSession, options?: CreateOptions): Promise<void>;
  getSession(sessionId: string): Promise<SessionMeta | null>;
  listSessions(limit: number): Promise<SessionMeta[]>;
  /** Join codes are global: a code names one session and one role. */
  resolveCode(code: string): Promise<Grant | null>;
  /** Tokens are stored by hash. */
  saveToken(tokenHash: string, grant: Grant): Promise<void>;
  resolveToken(tokenHash: string): Promise<Grant | null>;
  /** The access keys of a session that were revoked or re-issued since it was created. */
  accessChanges(sessionId: string): Promise<Record<string, AccessState>>;
  /**
   * Atomically: the key's current code (`createdCode` if it was never
   * changed) stops redeeming, its generation goes up by one, and `newCode`
   * (unless null) now redeems for `role` at the new generation. Refused if
   * `newCode` names another grant already. With `tokenHash`, a token for
   * `role` at the new generation is saved in the same step, so that a key
   * with no code (the creator's) is never left with no token that works.
   */
  rotateAccess(sessionId: string, key: string, role: Viewer, createdCode: string | null, newCode: string | null, tokenHash?: string): Promise<RotateResult>;
  /**
   * Gives a token stored without an access key (the creator's token of a session imported or branched
   * before 6 December, which counted as `fromKey`'s) a key of its own, atomically: if its generation is
   * `fromKey`'s current one (it works now) it becomes `toKey`'s at generation 0; if not (`fromKey` was
   * revoked since) it is pinned to `fromKey` at its generation, so it stays refused. A token of another
   * session, one that has a key already, or none at all is left as it is (`unchanged`).
   */
  keyLegacyToken(tokenHash: string, sessionId: string, fromKey: string, toKey: string): Promise<LegacyTokenKeying>;
  /** Counts one redemption of a key's code at a generation; returns the count including this one. */
  countRedemption(sessionId: string, key: string, generation: number): Promise<number>;
  /**
   * Appends `entry` only if the log holds exactly `entry.seq - 1` entries and
   * `entry.commandId` was never appended to this session before. Atomic.
   */
  append(sessionId: string, entry: LogEntry): Promise<AppendResult>;
  /**
   * Appends `entries` (consecutive seqs, distinct command ids) in one atomic
   * step, in one round trip: all of them only if the log holds exactly
   * `entries[0].seq - 1` entries (or, for a movable batch, at least that many
   * and no barrier after them: Placement) and none of their command ids was
   * appended before; otherwise none. `append` is this with one entry.
   *
   * A store that decides at once (the memory store) may answer with the
   * result itself rather than a promise of it, sparing the command path its
   * awaits; an error (a refused batch, an outage) always comes as a rejected
   * promise, never thrown.
   */
  appendBatch(sessionId: string, entries: readonly LogEntry[], options?: AppendOptions): BatchAppendResult | Promise<BatchAppendResult>;
  /**
   * Entries with seq > afterSeq, in order. Readonly: the memory store hands out its stored actors and commands
   * themselves, deep-frozen (CompactLog), so no reader may count on changing what it reads.
   */
  readLog(sessionId: string, afterSeq: number): Promise<ReadonlyArray<Readonly<LogEntry>>>;
  /** The log's length (the seq of its last entry, 0 when empty). */
  head(sessionId: string): Promise<number>;
  /** `head` of each of these sessions, in their order, in one round trip. */
  heads(sessionIds: readonly string[]): Promise<number[]>;
  /**
   * Calls `listener` for each append another process makes (append-notice.ts), while it may miss
   * some (a dropped connection): the log stays the truth. Resolves once listening, with a function
   * that stops. A memory store is one process's alone: nobody else appends.
   */
  followAppends(listener: (notice: AppendNotice) => void): Promise<() => Promise<void>>;
  /** The seq at which this command id was appended, or null. */
  commandSeq(sessionId: string, commandId: string): Promise<number | null>;
  saveSnapshot(sessionId: string, snapshot: PersistedGame): Promise<void>;
  loadSnapshot(sessionId: string): Promise<PersistedGame | null>;
  /**
   * Retention (session/retention.ts): after `at` (ms, the server's clock) the session and everything of it may
   * be removed; null: kept for good. Ignored for a session the store does not have (it was removed meanwhile).
   */
  retainUntil(sessionId: string, at: number | null): Promise<void>;
  /**
   * Removes at most `limit` sessions whose moment is at most `now`, each whole and at once: records, log,
   * snapshot, codes, tokens, timers, bot lease. Returns their ids. Safe to run from several processes at once.
   */
  removeDue(now: number, limit: number): Promise<string[]>;
  /**
   * Removes what is left of these sessions if the store no longer has them (a log a command wrote after the
   * removal, on a process that still held a copy); a session it has is left alone.
   */
  removeLeft(sessionIds: readonly string[]): Promise<void>;
  /**
   * Gives at most `limit` sessions with no retention moment one, `idleMs` after their last entry (or creation);
   * returns how many. Only a store that outlives its processes (Redis) has sessions stored before retention.
   */
  adoptUnmarked?(idleMs: number, limit: number): Promise<number>;
  /**
   * Puts each token stored before the session token index in its session's index (removing those whose session
   * is gone), once per deployment (store/token-index-migration.ts). Only Redis has tokens stored before it.
   */
  migrateTokenIndex?(options?: MigrationOptions): Promise<MigrationRun>;
  /** Of these sessions, those the store does not have (any more). */
  gone(sessionIds: readonly string[]): Promise<string[]>;
  /**
   * How many sessions the store holds, every process's (what MAX_SESSIONS counts), read within `timeoutMs` (Redis:
   * a slow answer is a StoreUnavailableError but not an outage of the commands; by default the commands' bound).
   */
  countSessions(timeoutMs?: number): Promise<number>;
  /** True when the backing service answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DueTimer {
  sessionId: string;
  timerVersion: number;
  at: number;
}

/**
 * Beat deadlines live outside the machine. Each session has at most one
 * pending deadline; scheduling replaces it. With several processes, a due
 * timer is handed to exactly one of them.
 */
export interface Scheduler {
  schedule(timer: DueTimer): Promise<void>;
  cancel(sessionId: string): Promise<void>;
  /** Starts polling; `onDue` is called once per due timer across all processes. */
  start(onDue: (timer: DueTimer) => Promise<void>): void;
  stop(): Promise<void>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
