import { LogEntry, type PersistedGame } from '@rubicon/shared';
import { MISSED_ENTRIES_MAX, checkedBatch, singleAppend } from './append-batch.ts';
import { CompactLog } from './compact-log.ts';
import { SessionsFullError, type AccessState, type AppendOptions, type AppendResult, type BatchAppendResult, type CreateOptions, type Grant, type ImportedSession, type LegacyTokenKeying, type RotateResult, type SessionMeta, type SessionStore } from './types.ts';
import type { Viewer } from '@rubicon/shared';

/** Entries parsed (and schema-checked) in one turn of the event loop: 8,000 in one turn held it 60-90 ms. */
const PARSE_SLICE = 500;

/** An imported log's entries, parsed a slice per turn so the games this process serves go on between slices. */
async function parsedInSlices(entries: ImportedSession['entries']): Promise<LogEntry[]> {
  const log: LogEntry[] = [];
  for (let i = 0; i < entries.length; i += PARSE_SLICE) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const e of entries.slice(i, i + PARSE_SLICE)) log.push(LogEntry.parse(JSON.parse(e.json)));
  }
  return log;
}

/** One session's log (with the seq each command id in it was appended at). */
interface SessionLog {
  entries: CompactLog;
  /** The seq of the last entry other entries may not be placed across (Placement). */
  barrier: number;
}

/**
 * The default store: everything in this process's memory, gone on restart.
 * Values are cloned on the way in and out so that a caller mutating an object
 * it passed or received can never change what is stored, just as with Redis,
 * except a snapshot on its way in (saveSnapshot) and a log read (readLog),
 * whose commands are frozen rather than copied.
 */
export class MemoryStore implements SessionStore {
  private readonly sessions = new Map<string, SessionMeta>();
  private readonly codes = new Map<string, Grant>();
  private readonly tokens = new Map<string, Grant>();
  /** Per session: its log and the seq of each command id in it, in one record (one lookup per append). */
  private readonly logs = new Map<string, SessionLog>();
  private readonly snapshots = new Map<string, PersistedGame>();
  private readonly access = new Map<string, Map<string, AccessState>>();
  private readonly redemptions = new Map<string, number>();
  /** Retention: each session's moment, and the hashes of its tokens (what removeDue must find). */
  private readonly retention = new Map<string, number>();
  private readonly tokensOf = new Map<string, Set<string>>();
  private closed = false;

  /** No await in here: the cap's count and the write are one step, as in the Redis store's script. */
  async createSession(meta: SessionMeta, options?: CreateOptions): Promise<void> {
    const max = options?.maxSessions ?? 0;
    if (max > 0 && this.sessions.size >= max) throw new SessionsFullError(max);
    if (this.sessions.has(meta.sessionId)) throw new Error(`session ${meta.sessionId} already exists`);
    const taken = meta.codes.find((c) => this.codes.has(c.code));
    if (taken) throw new Error(`join code ${taken.code} is already in use`);
    this.sessions.set(meta.sessionId, structuredClone(meta));
    for (const { code, role } of meta.codes) this.codes.set(code, structuredClone({ sessionId: meta.sessionId, role }));
  }

  async importSession(session: ImportedSession, options?: CreateOptions): Promise<void> {
    const { meta } = session;
    // Everything is parsed before anything is written, so a bad entry leaves nothing behind.
    const log = await parsedInSlices(session.entries);
    if (log.some((e, i) => e.seq !== i + 1)) throw new Error('an imported log must run from seq 1 without gaps');
    const text = typeof session.snapshot === 'string' ? session.snapshot : new TextDecoder().decode(session.snapshot);
    const snapshot = JSON.parse(text) as PersistedGame | null;
    await this.createSession(meta, options);
    const entries = new CompactLog();
    for (const e of log) entries.push(e);
    this.logs.set(meta.sessionId, { entries, barrier: log.length });
    if (snapshot) this.snapshots.set(meta.sessionId, snapshot);
    this.setToken(meta.facilitatorTokenHash, session.ownerGrant);
  }

  async getSession(sessionId: string): Promise<SessionMeta | null> {
    const meta = this.sessions.get(sessionId);
    return meta ? structuredClone(meta) : null;
  }

  async listSessions(limit: number): Promise<SessionMeta[]> {
    if (limit <= 0) return [];
    // Newest first, ties by descending id: the order Redis's ZRANGE REV gives.
    return [...this.sessions.values()]
      .sort((a, b) => b.createdAt - a.createdAt || (a.sessionId < b.sessionId ? 1 : a.sessionId > b.sessionId ? -1 : 0))
      .slice(0, limit)
      .map((m) => structuredClone(m));
  }

  async resolveCode(code: string): Promise<Grant | null> {
    const grant = this.codes.get(code);
    return grant ? structuredClone(grant) : null;
  }

  async saveToken(tokenHash: string, grant: Grant): Promise<void> {
    this.setToken(tokenHash, grant);
  }

  private setToken(tokenHash: string, grant: Grant): void {
    this.tokens.set(tokenHash, structuredClone(grant));
    const own = this.tokensOf.get(grant.sessionId) ?? new Set<string>();
    own.add(tokenHash);
    this.tokensOf.set(grant.sessionId, own);
  }

  async resolveToken(tokenHash: string): Promise<Grant | null> {
    const grant = this.tokens.get(tokenHash);
    return grant ? structuredClone(grant) : null;
  }

  async accessChanges(sessionId: string): Promise<Record<string, AccessState>> {
    return structuredClone(Object.fromEntries(this.access.get(sessionId) ?? []));
  }

  async rotateAccess(sessionId: string, key: string, role: Viewer, createdCode: string | null, newCode: string | null, tokenHash?: string): Promise<RotateResult> {
    // No await in here: atomic.
    if (newCode !== null && this.codes.has(newCode)) return { ok: false, reason: 'code-taken' };
    const changes = this.access.get(sessionId) ?? new Map<string, AccessState>();
    const current = changes.get(key) ?? { code: createdCode, generation: 0 };
    if (current.code !== null) this.codes.delete(current.code);
    const next: AccessState = { code: newCode, generation: current.generation + 1 };
    if (newCode !== null) this.codes.set(newCode, structuredClone({ sessionId, role, key, generation: next.generation }));
    if (tokenHash !== undefined) this.setToken(tokenHash, { sessionId, role, key, generation: next.generation });
    changes.set(key, next);
    this.access.set(sessionId, changes);
    return { ok: true, access: { ...next } };
  }

  async keyLegacyToken(tokenHash: string, sessionId: string, fromKey: string, toKey: string): Promise<LegacyTokenKeying> {
    // No await in here: atomic.
    const grant = this.tokens.get(tokenHash);
    if (!grant || grant.key !== undefined || grant.sessionId !== sessionId) return 'unchanged';
    const generation = grant.generation ?? 0;
    const holds = generation === (this.access.get(sessionId)?.get(fromKey)?.generation ?? 0);
    this.tokens.set(tokenHash, holds ? { ...grant, key: toKey, generation: 0 } : { ...grant, key: fromKey, generation });
    return holds ? 'keyed' : 'pinned';
  }

  async countRedemption(sessionId: string, key: string, generation: number): Promise<number> {
    const k = `${sessionId}\u0000${key}\u0000${generation}`;
    const n = (this.redemptions.get(k) ?? 0) + 1;
    this.redemptions.set(k, n);
    return n;
  }

  async append(sessionId: string, entry: LogEntry): Promise<AppendResult> {
    return singleAppend(await this.appendBatch(sessionId, [entry]));
  }

  /** Answers at once (no promise: the command path awaits nothing for it), but for a refused batch, which rejects. */
  appendBatch(sessionId: string, entries: readonly LogEntry[], options?: AppendOptions): BatchAppendResult | Promise<BatchAppendResult> {
    try {
      return this.appendNow(sessionId, entries, options);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private appendNow(sessionId: string, entries: readonly LogEntry[], options?: AppendOptions): BatchAppendResult {
    // Validated here too so that the memory store refuses exactly what the
    // Redis store could not read back, except entries the command path built
    // (append-batch.ts). Their actors and commands are kept as handed in (the
    // entry itself as columns, CompactLog), not as zod's copy: the
    // log is never handed out but as new entries over frozen commands
    // (readLog) or a copy (a conflict's reply), and nothing changes an entry
    // once built.
    const parsed = checkedBatch(entries, options?.parsed === true);
    // Its process's counters are not the limits every process shares: a caller handing them here has mixed up its stores.
    if (options?.limits?.some((l) => l !== null)) throw new Error('the memory store does not count limits in an append');
    // Nothing between the checks and the writes can run anything else: this block is atomic.
    const held = this.logs.get(sessionId);
    const commands = held?.entries.index;
    // A plain loop: no closure, and no empty array per entry that is not a duplicate (nearly all of them).
    let duplicates: { index: number; seq: number }[] | null = null;
    // Indexed, here and in the writes below: V8 kept the array iterators on the heap.
    for (let index = 0; index < parsed.length; index++) {
      const seq = commands?.get((parsed[index] as LogEntry).commandId);
      if (seq !== undefined) (duplicates ??= []).push({ index, seq });
    }
    if (duplicates) return { ok: false, reason: 'duplicate', duplicates };
    const log = held?.entries ?? new CompactLog();
    const after = (parsed[0]?.seq ?? 0) - 1;
    const head = log.length;
    const placement = options?.placement;
    const few = after < head && head - after <= MISSED_ENTRIES_MAX;
    const fits = after === head || head + parsed.length <= (options?.placeUpTo ?? Infinity);
    if (after !== head && !(placement?.movable === true && after < head && (held?.barrier ?? 0) <= after && fits)) {
      return { ok: false, reason: 'conflict', head, ...(few ? { missing: structuredClone(log.slice(after)) } : {}) };
    }
    // A session's first append makes its record; every later one writes into the record it looked up.
    const record = held ?? { entries: log, barrier: 0 };
    if (!held) this.logs.set(sessionId, record);
    const placed = after === head ? parsed : parsed.map((e, i) => ({ ...e, seq: head + 1 + i }));
    const missed = after !== head && few ? structuredClone(log.slice(after)) : null;
    for (let i = 0; i < placed.length; i++) log.push(placed[i] as LogEntry);
    const barrierEnd = placement ? placement.barrierEnd : placed.length;
    if (barrierEnd > 0) record.barrier = head + barrierEnd;
    return missed ? { ok: true, seq: log.length, missed } : { ok: true, seq: log.length };
  }


  /**
   * New entry objects over the stored actors and commands, frozen (CompactLog.slice), not a copy: readonly in
   * type, and nothing the store holds can be changed through them.
   */
  async readLog(sessionId: string, afterSeq: number): Promise<ReadonlyArray<Readonly<LogEntry>>> {
    const log = this.logs.get(sessionId)?.entries;
    // seq n sits at index n - 1.
    return log ? log.slice(Math.floor(afterSeq)) : [];
  }

  async head(sessionId: string): Promise<number> {
    return this.logs.get(sessionId)?.entries.length ?? 0;
  }

  async heads(sessionIds: readonly string[]): Promise<number[]> {
    return sessionIds.map((id) => this.logs.get(id)?.entries.length ?? 0);
  }

  /** Nobody else appends to a memory store: nothing to follow. */
  async followAppends(): Promise<() => Promise<void>> {
    return async () => {};
  }

  async commandSeq(sessionId: string, commandId: string): Promise<number | null> {
    return this.logs.get(sessionId)?.entries.index.get(commandId) ?? null;
  }

  /**
   * Kept as handed in, not copied: a snapshot is persistGame's picture of a
   * game state, and states are immutable values (the live session goes on to
   * new ones; it never changes one). A copy cost 0.4-1 ms for a session of 92
   * messages (the turn context makes it about 170 KB), every 50 events of
   * every session, and each copy outlived two scavenges into the old
   * generation, where it was garbage at the next snapshot. loadSnapshot
   * still hands out a copy.
   */
  async saveSnapshot(sessionId: string, snapshot: PersistedGame): Promise<void> {
    this.snapshots.set(sessionId, snapshot);
  }

  async loadSnapshot(sessionId: string): Promise<PersistedGame | null> {
    const snapshot = this.snapshots.get(sessionId);
    return snapshot ? structuredClone(snapshot) : null;
  }

  async retainUntil(sessionId: string, at: number | null): Promise<void> {
    if (at === null) this.retention.delete(sessionId);
    else if (this.sessions.has(sessionId)) this.retention.set(sessionId, at);
  }

  async removeDue(now: number, limit: number): Promise<string[]> {
    const due = [...this.retention].filter(([, at]) => at <= now).slice(0, limit).map(([id]) => id);
    for (const id of due) this.remove(id);
    return due;
  }

  async removeLeft(sessionIds: readonly string[]): Promise<void> {
    for (const id of sessionIds) if (!this.sessions.has(id)) this.remove(id);
  }

  async gone(sessionIds: readonly string[]): Promise<string[]> {
    return sessionIds.filter((id) => !this.sessions.has(id));
  }

  /** Everything of one session, as the Redis store's removal script does (redis-retention.ts). */
  private remove(sessionId: string): void {
    const meta = this.sessions.get(sessionId);
    const codes = [...(meta?.codes.map((c) => c.code) ?? []), ...[...(this.access.get(sessionId)?.values() ?? [])].map((a) => a.code)];
    for (const code of codes) if (code !== null && this.codes.get(code)?.sessionId === sessionId) this.codes.delete(code);
    for (const hash of this.tokensOf.get(sessionId) ?? []) if (this.tokens.get(hash)?.sessionId === sessionId) this.tokens.delete(hash);
    const prefix = `${sessionId}\u0000`;
    for (const key of this.redemptions.keys()) if (key.startsWith(prefix)) this.redemptions.delete(key);
    for (const table of [this.sessions, this.logs, this.snapshots, this.access, this.tokensOf, this.retention]) table.delete(sessionId);
  }

  async countSessions(): Promise<number> {
    return this.sessions.size;
  }

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
