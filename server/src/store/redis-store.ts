import { LogEntry, type PersistedGame } from '@rubicon/shared';
import type { RedisClientType } from 'redis';
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import { RedisGate } from './redis-availability.ts';
import { RedisProbe } from './redis-health.ts';
import { APPEND, COMMIT_IMPORT, CREATE_SESSION, HEADS, KEY_LEGACY_TOKEN, ROTATE_ACCESS, STAGE_IMPORT, decodeAppendReply } from './redis-scripts.ts';
import { NOTICE_ENTRIES_MAX, readNotice, type AppendNotice } from './append-notice.ts';
import { MISSED_ENTRIES_MAX, checkedBatch, singleAppend } from './append-batch.ts';
import { SessionsFullError, type AccessState, type AppendOptions, type AppendResult, type BatchAppendResult, type CreateOptions, type Grant, type ImportedSession, type LegacyTokenKeying, type RotateResult, type SessionMeta, type SessionStore } from './types.ts';
import type { Viewer } from '@rubicon/shared';
import { settleWithin } from '../settle-within.ts';
import { RedisRetention } from './redis-retention.ts';
import { RedisKeyMigration, type MigrationOptions, type MigrationRun } from './redis-migration.ts';
import { TOKEN_INDEX_MIGRATION } from './token-index-migration.ts';
import { ViewerSchema, decodeSessionHash, sessionHashFields } from './session-hash.ts';
import { STAGING_TTL_S, stagingCalls } from './import-staging.ts';

/**
 * Sessions in Redis, shared by every server process pointing at it.
 *
 * Layout (all keys start with `prefix`):
 * - `session:{id}`  hash, one field per SessionMeta property (objects as JSON; session-hash.ts)
 * - `sessions`      sorted set of session ids scored by createdAt
 * - `code:{code}`   string, JSON Grant
 * - `token:{hash}`  string, JSON Grant
 * - `log:{id}`      stream, entry `${seq}-0` with field `e` = JSON LogEntry
 * - `cmds:{id}`     hash, command id → seq
 * - `barrier:{id}`  string, the seq of the log's last barrier entry (Placement in types.ts)
 * - `snap:{id}`     string, JSON PersistedGame
 * - `access:{id}`   hash, access key → JSON AccessState (only keys revoked or re-issued)
 * - `redeemed:{id}` hash, `${key}:${generation}` → redemptions of that issue of the code
 * - `tokens:{id}`   set, the hashes of the session's tokens; `retention` sorted set (redis-retention.ts)
 *   (tokens stored before the set: token-index-migration.ts; `migrations` and `migration:*`: redis-migration.ts)
 * - `appended`      pub/sub channel of the append notices (append-notice.ts)
 *
 * Its atomic steps are Lua scripts (redis-scripts.ts), sent through EVAL
 * rather than EVALSHA: Redis caches the compiled script by hash either way,
 * and EVAL cannot fail with NOSCRIPT after a restart or failover.
 */

/** Logs per HEADS call: one call stays short for Redis, however many sessions a process follows. */
const HEADS_CHUNK = 500;
const LOG_PAGE = 1000;

const GrantSchema = z.object({ sessionId: z.string(), role: ViewerSchema, key: z.string().optional(), generation: z.number().int().optional() });
const AccessStateSchema = z.object({ code: z.string().nullable(), generation: z.number().int() });

export interface RedisStoreOptions {
  client: RedisClientType;
  /** Prepended to every key, so deployments and test runs can share one Redis. */
  prefix: string;
  /** Close the client in `close()`; leave false when someone else shares it. */
  ownsClient?: boolean;
  /** How long `ping` waits for PONG before answering false. */
  pingTimeoutMs?: number;
  /** Bounds every command and reports outages; one is made around `client` when absent. */
  gate?: RedisGate;
}

export class RedisStore implements SessionStore {
  private readonly client: RedisClientType;
  private readonly prefix: string;
  private readonly ownsClient: boolean;
  private readonly gate: RedisGate;
  private readonly probe: RedisProbe;
  /** This store's id in the append notices it publishes, so that its own process skips them; and its migrations' lease holder. */
  private readonly writer = randomUUID();
  private readonly noticeChannel: string;
  /** The connections following other processes' appends (followAppends), closed with the store. */
  private readonly followers = new Set<RedisClientType>();
  private readonly retention: RedisRetention;
  private closed = false;

  constructor(options: RedisStoreOptions) {
    this.client = options.client;
    this.prefix = options.prefix;
    this.ownsClient = options.ownsClient ?? false;
    this.gate = options.gate ?? new RedisGate({ client: options.client });
    this.probe = new RedisProbe(this.gate, options.pingTimeoutMs ?? 1000);
    this.noticeChannel = this.key('appended');
    this.retention = new RedisRetention(this.gate, this.prefix);
  }

  /**
   * Listens, on a connection of its own, to the notices other processes'
   * appends publish (append-notice.ts). node-redis subscribes again after a
   * reconnect; notices published meanwhile are lost (the log poll makes
   * them up). Resolves once subscribed, with a function that stops.
   */
  async followAppends(listener: (notice: AppendNotice) => void): Promise<() => Promise<void>> {
    const sub: RedisClientType = this.client.duplicate();
    // Without a listener, an 'error' event (any dropped connection) would crash the process; the store's own client reports outages.
    sub.on('error', () => {});
    this.followers.add(sub);
    const stop = async () => {
      this.followers.delete(sub);
      if (sub.isOpen) sub.destroy();
    };
    try {
      await sub.connect();
      await sub.subscribe(this.noticeChannel, (message: string) => {
        const notice = readNotice(message, this.writer);
        if (notice) listener(notice);
      });
    } catch (err) {
      await stop();
      throw err;
    }
    return stop;
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  async createSession(meta: SessionMeta, options?: CreateOptions): Promise<void> {
    const fields = sessionHashFields(meta);
    const grants = meta.codes.map(({ role }) => JSON.stringify({ sessionId: meta.sessionId, role } satisfies Grant));
    const result = await this.gate.run((c) => c.eval(CREATE_SESSION, {
      keys: [this.key('session', meta.sessionId), this.key('sessions'), ...meta.codes.map((c) => this.key('code', c.code))],
      arguments: [meta.sessionId, String(meta.createdAt), JSON.stringify(fields), maxSessionsArgument(options), ...grants],
    }));
    this.checkCreated(result, meta, options);
  }

  async importSession(session: ImportedSession, options?: CreateOptions): Promise<void> {
    const { meta, entries } = session;
    const id = meta.sessionId;
    const logKeys = [this.key('log', id), this.key('cmds', id)];
    for (const args of stagingCalls(entries)) await this.gate.run((c) => c.eval(STAGE_IMPORT, { keys: logKeys, arguments: [String(STAGING_TTL_S), ...args] }));
    const grants = meta.codes.map(({ role }) => JSON.stringify({ sessionId: id, role } satisfies Grant));
    const facilitator = JSON.stringify(session.ownerGrant);
    const result = await this.gate.run((c) =>
      c.eval(COMMIT_IMPORT, {
        keys: [
          this.key('session', id),
          this.key('sessions'),
          ...logKeys,
          this.key('snap', id),
          this.key('token', meta.facilitatorTokenHash),
          this.key('tokens', id),
          ...meta.codes.map((code) => this.key('code', code.code)),
        ],
        arguments: [
          id,
          String(meta.createdAt),
          JSON.stringify(sessionHashFields(meta)),
          String(entries.length),
          redisArgument(session.snapshot),
          facilitator,
          meta.facilitatorTokenHash,
          maxSessionsArgument(options),
          ...grants,
        ],
      }),
    );
    if (result === 'incomplete') throw new Error(`import of ${id}: the staged log is not complete`);
    this.checkCreated(result, meta, options);
  }

  private checkCreated(result: unknown, meta: SessionMeta, options: CreateOptions | undefined): void {
    if (result === 'ok') return;
    if (result === 'full') throw new SessionsFullError(options?.maxSessions ?? 0);
    if (result === 'session-exists') throw new Error(`session ${meta.sessionId} already exists`);
    if (typeof result === 'string' && result.startsWith('code-taken:')) {
      const code = meta.codes[Number(result.slice('code-taken:'.length)) - 1]?.code;
      throw new Error(`join code ${code ?? '?'} is already in use`);
    }
    throw new Error(`unexpected reply from the session script: ${JSON.stringify(result)}`);
  }

  async getSession(sessionId: string): Promise<SessionMeta | null> {
    const hash = await this.gate.run((c) => c.hGetAll(this.key('session', sessionId)));
    return Object.keys(hash).length === 0 ? null : decodeSessionHash(hash);
  }

  async listSessions(limit: number): Promise<SessionMeta[]> {
    if (limit <= 0) return [];
    const ids = await this.gate.run((c) => c.zRange(this.key('sessions'), 0, limit - 1, { REV: true }));
    const metas = await Promise.all(ids.map((id) => this.getSession(id)));
    return metas.filter((m): m is SessionMeta => m !== null);
  }

  async resolveCode(code: string): Promise<Grant | null> {
    return this.readGrant(this.key('code', code));
  }

  /** With its hash in the session's token index, in one step, so removing the session finds it (redis-retention.ts). */
  async saveToken(tokenHash: string, grant: Grant): Promise<void> {
    const index = this.key('tokens', grant.sessionId);
    await this.gate.run((c) => c.multi().set(this.key('token', tokenHash), JSON.stringify(grant)).sAdd(index, tokenHash).exec());
  }

  async resolveToken(tokenHash: string): Promise<Grant | null> {
    return this.readGrant(this.key('token', tokenHash));
  }

  async accessChanges(sessionId: string): Promise<Record<string, AccessState>> {
    const hash = await this.gate.run((c) => c.hGetAll(this.key('access', sessionId)));
    return Object.fromEntries(Object.entries(hash).map(([k, v]) => [k, AccessStateSchema.parse(JSON.parse(v))]));
  }

  async rotateAccess(sessionId: string, key: string, role: Viewer, createdCode: string | null, newCode: string | null, tokenHash?: string): Promise<RotateResult> {
    const reply = await this.gate.run((c) =>
      c.eval(ROTATE_ACCESS, {
        keys: [this.key('access', sessionId), this.key('code', newCode ?? '-'), this.key('token', tokenHash ?? '-'), this.key('tokens', sessionId)],
        arguments: [key, createdCode ?? '', newCode ?? '', this.key('code', ''), sessionId, JSON.stringify(role), tokenHash ?? ''],
      }),
    );
    if (reply === 'code-taken') return { ok: false, reason: 'code-taken' };
    if (typeof reply !== 'string') throw new Error(`unexpected reply from rotate-access script: ${JSON.stringify(reply)}`);
    return { ok: true, access: AccessStateSchema.parse(JSON.parse(reply)) };
  }

  async keyLegacyToken(tokenHash: string, sessionId: string, fromKey: string, toKey: string): Promise<LegacyTokenKeying> {
    const reply = await this.gate.run((c) =>
      c.eval(KEY_LEGACY_TOKEN, { keys: [this.key('token', tokenHash), this.key('access', sessionId)], arguments: [sessionId, fromKey, toKey] }),
    );
    if (reply !== 'keyed' && reply !== 'pinned' && reply !== 'unchanged') throw new Error(`unexpected reply from key-legacy-token script: ${JSON.stringify(reply)}`);
    return reply;
  }

  async countRedemption(sessionId: string, key: string, generation: number): Promise<number> {
    return this.gate.run((c) => c.hIncrBy(this.key('redeemed', sessionId), `${key}:${generation}`, 1));
  }

  async append(sessionId: string, entry: LogEntry): Promise<AppendResult> {
    return singleAppend(await this.appendBatch(sessionId, [entry]));
  }

  async appendBatch(sessionId: string, entries: readonly LogEntry[], options?: AppendOptions): Promise<BatchAppendResult> {
    // Refuse up front what readLog could not parse back.
    const parsed = checkedBatch(entries);
    const limits = options?.limits;
    const placement = options?.placement;
    const keys = [this.key('log', sessionId), this.key('cmds', sessionId), this.key('barrier', sessionId)];
    const args = [String(parsed[0]?.seq ?? 0), String(MISSED_ENTRIES_MAX), this.noticeChannel, `${this.writer}\n${sessionId}`, String(NOTICE_ENTRIES_MAX), String(parsed.length)];
    args.push(placement?.movable ? '1' : '0', String(placement ? placement.barrierEnd : parsed.length), String(options?.placeUpTo ?? Number.MAX_SAFE_INTEGER));
    parsed.forEach((e, i) => {
      const limit = limits?.[i];
      // Without its seq: the script puts the seq it places the entry at first.
      const { seq: _planned, ...rest } = e;
      args.push(e.commandId, JSON.stringify(rest).slice(1), String(limit?.keys.length ?? 0));
      if (!limit) return;
      if (limit.keys.length !== limit.links.length) throw new Error(`an entry's limits name ${limit.keys.length} counters for ${limit.links.length} budgets`);
      keys.push(...limit.keys);
      for (const link of limit.links) args.push(String(link.points), String(link.windowSeconds));
    });
    const reply = await this.gate.run((c) => c.eval(APPEND, { keys, arguments: args }));
    return decodeAppendReply(reply, sessionId);
  }

  async readLog(sessionId: string, afterSeq: number): Promise<ReadonlyArray<Readonly<LogEntry>>> {
    const key = this.key('log', sessionId);
    const entries: LogEntry[] = [];
    // Stream ids are `${seq}-0`, so a range by id is a range by seq.
    let from = Math.max(0, Math.floor(afterSeq)) + 1;
    for (;;) {
      // node-redis types a null reply; XRANGE answers an empty array for a missing key.
      const page = (await this.gate.run((c) => c.xRange(key, `${from}-0`, '+', { COUNT: LOG_PAGE }))) ?? [];
      for (const { id, message } of page) {
        const entry = LogEntry.parse(JSON.parse(String(message.e)));
        if (`${entry.seq}-0` !== id) throw new Error(`log ${sessionId}: entry ${id} carries seq ${entry.seq}`);
        entries.push(entry);
      }
      const last = entries.at(-1);
      if (page.length < LOG_PAGE || !last) return entries;
      from = last.seq + 1;
    }
  }

  async head(sessionId: string): Promise<number> {
    const [last] = (await this.gate.run((c) => c.xRevRange(this.key('log', sessionId), '+', '-', { COUNT: 1 }))) ?? [];
    return last ? seqOfStreamId(last.id) : 0;
  }

  async heads(sessionIds: readonly string[]): Promise<number[]> {
    const heads: number[] = [];
    for (let i = 0; i < sessionIds.length; i += HEADS_CHUNK) {
      const keys = sessionIds.slice(i, i + HEADS_CHUNK).map((id) => this.key('log', id));
      const reply = await this.gate.run((c) => c.eval(HEADS, { keys }));
      if (!Array.isArray(reply) || reply.length !== keys.length || !reply.every((n) => typeof n === 'number')) throw new Error(`unexpected reply from heads script: ${JSON.stringify(reply)}`);
      heads.push(...(reply as number[]));
    }
    return heads;
  }

  async commandSeq(sessionId: string, commandId: string): Promise<number | null> {
    const seq = await this.gate.run((c) => c.hGet(this.key('cmds', sessionId), commandId));
    return seq === null || seq === undefined ? null : Number(seq);
  }

  async saveSnapshot(sessionId: string, snapshot: PersistedGame): Promise<void> {
    await this.gate.run((c) => c.set(this.key('snap', sessionId), JSON.stringify(snapshot)));
  }

  async loadSnapshot(sessionId: string): Promise<PersistedGame | null> {
    const json = await this.gate.run((c) => c.get(this.key('snap', sessionId)));
    // Written only by saveSnapshot; its compatibility is checked by restoreGame.
    return json === null ? null : (JSON.parse(json) as PersistedGame);
  }

  retainUntil(sessionId: string, at: number | null): Promise<void> {
    return this.retention.retainUntil(sessionId, at);
  }

  removeDue(now: number, limit: number): Promise<string[]> {
    return this.retention.removeDue(now, limit);
  }

  gone(sessionIds: readonly string[]): Promise<string[]> {
    return this.retention.gone(sessionIds);
  }

  removeLeft(sessionIds: readonly string[]): Promise<void> {
    return this.retention.removeLeft(sessionIds);
  }

  adoptUnmarked(idleMs: number, limit: number): Promise<number> {
    return this.retention.adoptUnmarked(idleMs, limit);
  }

  /** Puts the tokens stored before the token index in it, once per deployment (token-index-migration.ts). */
  migrateTokenIndex(options: MigrationOptions = {}): Promise<MigrationRun> {
    return new RedisKeyMigration(this.gate, this.prefix, TOKEN_INDEX_MIGRATION, this.writer, options).run();
  }

  unreachable(): boolean {
    return this.probe.unreachable;
  }

  /** A read for the metrics: one too slow says nothing of the commands, so it is not an outage (no `timedOut`). */
  async countSessions(timeoutMs?: number): Promise<number> {
    return this.gate.run((c) => c.zCard(this.key('sessions')), timeoutMs, () => {});
  }

  async ping(): Promise<boolean> {
    return this.closed ? false : this.probe.ping();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const sub of this.followers) if (sub.isOpen) sub.destroy();
    this.followers.clear();
    if (!this.ownsClient || !this.client.isOpen) return;
    // close() waits for the replies in flight, which a stopped Redis never sends: not at all while commands
    // are refused, and no longer than a command's bound otherwise.
    if (!this.gate.outages.refusingCommands) await settleWithin(this.client.close(), this.gate.timeoutMs, () => undefined).catch(() => {});
    if (this.client.isOpen) this.client.destroy();
  }

  private async readGrant(key: string): Promise<Grant | null> {
    const json = await this.gate.run((c) => c.get(key));
    return json === null ? null : GrantSchema.parse(JSON.parse(json));
  }
}

function seqOfStreamId(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

/** Bytes go to Redis as they are (a Buffer over the same memory): node-redis writes a Buffer without encoding it. */
function redisArgument(value: string | Uint8Array): string | Buffer {
  return typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** The scripts' cap argument: a whole number, 0 for none. */
function maxSessionsArgument(options: CreateOptions | undefined): string {
  return String(Math.max(0, Math.floor(options?.maxSessions ?? 0)));
}
