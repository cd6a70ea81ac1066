import {
  applyPreset,
  presetById,
  estimateSession,
  phaseOf,
  seatsInPlay,
  type SessionHeader,
  type Scenario,
  type GameView,
  type Message,
  type Viewer,
  viewFor,
  messagesFor,
  type CreateSessionRequest,
  type CreateSessionResponse,
  type Game,
  type JoinResponse,
  type SessionSummary,
  type Presence,
  type AccessAction,
  type AccessCode,
} from '@rubicon/shared';
import { FACILITATOR_KEY, accessKeyOf, endedAt, type AccessLimits } from './access.ts';
import { CODE_ATTEMPTS, accessCodes, changeAccess, ownerGrant } from './access-codes.ts';
import { KeylessFacilitatorTokens } from './keyless-facilitator-tokens.ts';
import type { z } from 'zod';
import type { Clock, Grant, SessionLineage, SessionMeta, SessionStore } from '../store/types.ts';
import type { Logger } from '../logger.ts';
import { hashToken, newSeed, newSessionId, newToken, normalizeCode } from './secrets.ts';
import { ServiceError, isOutage } from './service-error.ts';
import { StoreUnavailableError } from '../store/redis-availability.ts';
import { settleWithin } from '../settle-within.ts';
import type { ImportVerifier } from './import-pipeline.ts';
import { planBranch, type ImportPlan, type ImportPurpose } from './import-verify.ts';
import type { SessionService } from './session-service.ts';
import { TokenExpiry, clocksStart, tokensExpired } from './token-expiry.ts';
import { drawCodes, splitCodes } from './join-codes.ts';
import { exportedText } from './session-export.ts';
import { checkLogFits } from './log-cap.ts';
import { SessionCap } from './session-cap.ts';

export type CreateSessionInput = z.output<typeof CreateSessionRequest>;

/**
 * Told of each live session created with a history (an import, a branch), once it is stored: its
 * log may hand seats to bots, which no command appended here has started. Resolves when done with
 * it, before the creator hears back; reports its own failures, never rejects.
 */
export type CreatedFromLogListener = (sessionId: string, bots: ImportPlan['bots']) => Promise<void>;


/**
 * Sessions as things people create, join, export and import: ids, join
 * codes and tokens. The game itself is the SessionService's.
 */
export class SessionDirectory {
  private readonly store: SessionStore;
  private readonly log: Logger;
  private readonly createdFromLog: CreatedFromLogListener[] = [];
  private readonly keylessTokens: KeylessFacilitatorTokens;
  /** The store's cap on sessions (MAX_SESSIONS), under which every new one is stored. */
  private readonly cap: SessionCap;
  /** When tokens stop working; the socket server and the drops at expiry ask it too. */
  readonly expiry: TokenExpiry;

  constructor(
    private readonly service: SessionService,
    private readonly clock: Clock,
    logger: Logger,
    /** Verifies uploaded files off the event loop; without it, uploads are refused. */
    private readonly imports?: ImportVerifier,
    private readonly limits: AccessLimits = { codeGraceMs: 30 * 60_000, tokenTtlAfterEndMs: 7 * 24 * 3600_000, maxPlayersPerSeat: 0 },
  ) {
    this.store = service.store;
    this.log = logger.child({ module: 'session-directory' });
    this.expiry = new TokenExpiry(service, clock, limits.tokenTtlAfterEndMs);
    this.keylessTokens = new KeylessFacilitatorTokens(this.store, this.log);
    this.cap = new SessionCap(service.maxSessions, this.log);
  }

  onCreatedFromLog(listener: CreatedFromLogListener): void {
    this.createdFromLog.push(listener);
  }

  async create(input: CreateSessionInput): Promise<CreateSessionResponse> {
    const { title, maxPlayersPerSeat, ...rest } = input;
    const applied = applyPreset(this.service.scenario(rest.scenarioId), rest);
    if (!applied.ok) throw new ServiceError('invalid', applied.message);
    const game = this.service.gameFor({ ...applied.setup, seed: rest.seed ?? newSeed() });
    const cap = maxPlayersPerSeat ?? (this.limits.maxPlayersPerSeat > 0 ? this.limits.maxPlayersPerSeat : undefined);
    return this.register(game, title ?? game.scenario.title, null, undefined, { codes: true, maxPlayersPerSeat: cap });
  }

  /**
   * Redeems a join code for a fresh token; several people may share one seat
   * (up to the session's cap per issue of the code). A revoked code no longer
   * resolves; a session that ended stops redeeming after the grace period.
   */
  async join(code: string, deadline?: number): Promise<JoinResponse> {
    if (deadline === undefined) return this.redeem(code, () => true);
    let late = false;
    // Worded as the command path words it: "unreachable" only while the store is known to be.
    return settleWithin(this.redeem(code, () => !late), deadline - performance.now(), () => {
      late = true;
      throw this.service.lateRefusal();
    });
  }

  /** The refusal of a join whose count came too late to look its code up (rate-limit.ts), worded as `join`'s own. */
  lateRefusal(): ServiceError {
    return this.service.lateRefusal();
  }

  /** `inTime` false: the caller was answered already, so nothing is written (no redemption counted, no token saved). */
  private async redeem(code: string, inTime: () => boolean): Promise<JoinResponse> {
    const found = await this.store.resolveCode(normalizeCode(code));
    if (!found) throw new ServiceError('not_found', 'No session has this code. Check it and try again.');
    const grant: Grant = { ...found, key: found.key ?? accessKeyOf(found.role), generation: found.generation ?? 0 };
    const meta = await this.store.getSession(grant.sessionId);
    if (!meta) throw new ServiceError('not_found', 'No session has this code. Check it and try again.');
    await this.checkGeneration(grant);
    const ended = await this.endedAt(grant.sessionId);
    if (ended !== null && this.clock.now() > ended + this.limits.codeGraceMs)
      throw new ServiceError('forbidden', 'This session has ended; its codes no longer let anyone in.');
    beforeWriting(inTime);
    if (grant.role.kind === 'seat' && meta.maxPlayersPerSeat !== undefined) {
      const n = await this.store.countRedemption(grant.sessionId, grant.key ?? '', grant.generation ?? 0);
      if (n > meta.maxPlayersPerSeat)
        throw new ServiceError('forbidden', `This seat is full (${meta.maxPlayersPerSeat} players); ask the facilitator.`);
    }
    const token = newToken();
    beforeWriting(inTime);
    await this.store.saveToken(hashToken(token), grant);
    return { sessionId: grant.sessionId, role: grant.role, token };
  }

  /**
   * The grant a token carries, if it still holds: not revoked, and not expired after the session ended.
   * `deadline` (performance.now() time) bounds the expiry's read of the session, which waits in its queue.
   */
  async authenticate(token: string, deadline?: number): Promise<Grant> {
    const hash = hashToken(token);
    const found = await this.store.resolveToken(hash);
    if (!found) throw new ServiceError('unauthorized', 'This token is not valid; join again with your code.');
    const grant = await this.keylessTokens.keyed(hash, found);
    await this.checkGrant(grant, deadline);
    return grant;
  }

  /**
   * Refuses a grant whose code was revoked since, or whose session ended longer ago than tokens live. With a
   * `deadline`, a session read that has not answered by then (a stalled store, a long queue) is `unavailable`.
   */
  async checkGrant(grant: Grant, deadline?: number): Promise<void> {
    await this.checkGeneration(grant);
    if (await this.expiry.sessionExpired(grant.sessionId, deadline)) throw tokensExpired();
  }

  /**
   * A hello's grant checked again once its socket has joined the grant's rooms: refused if its code was
   * revoked since authenticate checked it. A revocation stores the new generation before it drops the
   * code's room, so a drop that ran before the join is seen by this read (one store read a hello: a map
   * lookup in memory, one HGETALL on Redis), and a drop that runs after the join finds the socket there.
   */
  async confirmJoined(grant: Grant): Promise<void> {
    await this.checkGeneration(grant);
  }

  private async checkGeneration(grant: Grant): Promise<void> {
    const changes = await this.store.accessChanges(grant.sessionId);
    const current = changes[grant.key ?? accessKeyOf(grant.role)]?.generation ?? 0;
    if ((grant.generation ?? 0) !== current) throw new ServiceError('unauthorized', 'This access was revoked by the facilitator; ask for a new code.');
  }

  private async endedAt(sessionId: string): Promise<number | null> {
    return this.service.withSession(sessionId, clocksStart);
  }

  /** Every revocable code of a session as it stands. */
  async access(sessionId: string): Promise<{ meta: SessionMeta; access: AccessCode[] }> {
    return accessCodes(this.store, sessionId);
  }

  /** Revokes or re-issues one access key, the creator's token included (access-codes.ts). The caller disconnects the sockets that hold it. */
  async changeAccess(sessionId: string, key: string, action: AccessAction): Promise<AccessCode> {
    return changeAccess(this.store, this.log, sessionId, key, action);
  }

  /** The facilitator's grant for this session, or a refusal; `deadline` bounds the token's expiry read as authenticate's does. */
  async authorizeFacilitator(sessionId: string, token: string | undefined, deadline: number): Promise<void> {
    if (!token) throw new ServiceError('unauthorized', 'Send the facilitator token as a Bearer token.');
    const grant = await this.authenticate(token, deadline);
    if (grant.sessionId !== sessionId || grant.role.kind !== 'facilitator')
      throw new ServiceError('forbidden', 'Only the facilitator of this session may do this.');
  }

  async summary(sessionId: string, presence: Presence): Promise<SessionSummary> {
    const { access } = await this.access(sessionId);
    return this.service.withSession(sessionId, ({ meta, state, game }) => ({
      sessionId,
      title: meta.title,
      scenarioId: meta.scenarioId,
      preset: game.setup.preset ? { id: game.setup.preset, title: presetById(game.scenario, game.setup.preset)?.title ?? game.setup.preset } : null,
      estimate: estimateSession(game.scenario, game.setup),
      createdAt: meta.createdAt,
      version: state.version,
      phase: phaseOf(state.turn),
      codes: access.flatMap((a) => (a.code !== null && a.role.kind !== 'facilitator' ? [{ role: a.role, code: a.code }] : [])),
      facilitatorCode: access.find((a) => a.key === FACILITATOR_KEY)?.code ?? null,
      access,
      endedAt: endedAt(state),
      maxPlayersPerSeat: meta.maxPlayersPerSeat ?? null,
      presence,
      mode: meta.lineage?.replayOf ? 'replay' : 'live',
      outcome: state.turn.context.outcome?.outcome ?? null,
      parent: meta.lineage?.parent ? { sessionId: meta.lineage.parent.sessionId, title: meta.lineage.parent.title, version: meta.lineage.parent.version } : null,
    }));
  }

  /**
   * The session's file (docs/session-file.md) as the UTF-8 bytes of its JSON text, ready to send. Hashing a
   * long log's chain took the event loop seconds, so it and the text are made in a worker thread
   * (import-pipeline.ts); on the spot without one (some tests).
   */
  async export(sessionId: string): Promise<Uint8Array> {
    const meta = await this.store.getSession(sessionId);
    if (!meta) throw new ServiceError('not_found', 'There is no such session.');
    const log = await this.store.readLog(sessionId, 0);
    const header = headerOf(meta);
    const exportedAt = this.clock.now();
    if (this.imports) return this.imports.exportText(meta.setup, header, log, exportedAt);
    return exportedText({ kind: 'export', setup: meta.setup, header, exportedAt }, log, (id) => this.service.scenario(id));
  }

  async scenarioOf(sessionId: string): Promise<Scenario> {
    const meta = await this.store.getSession(sessionId);
    if (!meta) throw new ServiceError('not_found', 'There is no such session.');
    return this.service.scenario(meta.scenarioId);
  }

  /** What `viewer` (a seat id or "observer") sees of the session now: its view and its messages. */
  async viewAs(sessionId: string, viewer: string): Promise<{ view: GameView; messages: Message[] }> {
    return this.service.withSession(sessionId, ({ game, state }) => {
      const who: Viewer | null =
        viewer === 'observer' ? { kind: 'observer' } : seatsInPlay(game.scenario, game.setup).includes(viewer) ? { kind: 'seat', seat: viewer } : null;
      if (!who) throw new ServiceError('invalid', `"${viewer}" is not a seat in play or "observer".`);
      return { view: viewFor(game, state, who), messages: messagesFor(game, state, who) };
    });
  }

  /**
   * A new live session with an uploaded file's history, to play on from its end. The file is
   * checked off the event loop, and the pause a running clock needs (continuedLog) is in the
   * entries and the snapshot the check hands back, stored in one operation with them.
   */
  async import(body: Uint8Array): Promise<CreateSessionResponse> {
    const plan = await this.verify(body, 'continue');
    const game = this.service.gameFor(plan.setup);
    return this.register(game, plan.session.title, plan, { parent: plan.session.parent, replayOf: null });
  }

  /** A read-only replay of an uploaded file: no join codes, no commands; it exports as the very same chain. */
  async openReplay(body: Uint8Array): Promise<CreateSessionResponse> {
    const plan = await this.verify(body, 'replay');
    const game = this.service.gameFor(plan.setup);
    return this.register(game, plan.session.title, plan, { parent: plan.session.parent, replayOf: plan.session }, { codes: false });
  }

  /**
   * Checks an uploaded session file in a worker thread (a long log takes
   * seconds to replay); throws a ServiceError naming the first problem and
   * where it is.
   */
  private async verify(body: Uint8Array, purpose: ImportPurpose): Promise<ImportPlan> {
    if (!this.imports) throw new ServiceError('unavailable', 'Session files cannot be checked on this server.');
    return this.imports.verify(body, purpose);
  }

  /**
   * A new live session continuing from a session's state at `version`: the
   * same log up to there, new codes, and the parent recorded. If a beat's
   * clock was running at that moment, the branch starts paused with the time
   * that was left (continuedLog).
   */
  async branch(sessionId: string, version: number, title: string | undefined): Promise<CreateSessionResponse> {
    const meta = await this.store.getSession(sessionId);
    if (!meta) throw new ServiceError('not_found', 'There is no such session.');
    const all = await this.store.readLog(sessionId, 0);
    if (version > all.length) throw new ServiceError('invalid', `The session has ${all.length} events; it cannot be branched at ${version}.`);
    const game = this.service.gameFor(meta.setup);
    const header = headerOf(meta);
    // Off the event loop for a long log (import-pipeline.ts); on the spot without a verifier (some tests).
    // Only the entries up to the branch point go to the worker: the rest would be cloned for nothing.
    const upTo = all.slice(0, version);
    const plan = this.imports ? await this.imports.branch(meta.setup, header, upTo, version) : planBranch(game, header, upTo, version);
    const branchTitle = title ?? `${header.title} · branch at ${version}`.slice(0, 120);
    return this.register(game, branchTitle, plan, { parent: plan.session.parent, replayOf: null });
  }

  /**
   * Stores a new session with its codes, log (and the state it leads to, as
   * a snapshot) and facilitator token. With a log it goes in one store
   * operation, so the session appears whole or not at all.
   */
  private async register(
    game: Game,
    title: string,
    fromLog: Pick<ImportPlan, 'entries' | 'snapshot' | 'bots'> | null,
    lineage: SessionLineage | undefined,
    options: { codes: boolean; maxPlayersPerSeat?: number } = { codes: true },
  ): Promise<CreateSessionResponse> {
    const facilitatorToken = newToken();
    const tokenHash = hashToken(facilitatorToken);
    const metaFor = (sessionId: string) => this.newMeta(sessionId, game, title, tokenHash, lineage, options);
    if (!fromLog) {
      const sessionId = newSessionId();
      const { codes } = await this.withFreshCodes(() => sessionId, metaFor, (meta) => this.store.createSession(meta, this.cap.options), 'creating the session failed; drawing new codes');
      // Sockets and REST resolve every token the same way, the facilitator's included.
      await this.store.saveToken(tokenHash, ownerGrant(sessionId));
      await this.service.retention.created(sessionId, this.clock.now());
      this.log.info({ sessionId, scenarioId: game.scenario.id }, 'session created');
      return { sessionId, facilitatorToken, ...splitCodes(codes) };
    }
    const { entries, snapshot, bots } = fromLog;
    checkLogFits(this.service.logCap, entries.length);
    // Under a new id at each try: the old one's staging expires.
    const put = (meta: SessionMeta) => this.store.importSession({ meta, entries, snapshot, ownerGrant: ownerGrant(meta.sessionId) }, this.cap.options);
    const meta = await this.withFreshCodes(newSessionId, metaFor, put, 'storing the session failed; drawing new codes');
    await this.service.retention.created(meta.sessionId, meta.createdAt);
    this.log.info({ sessionId: meta.sessionId, scenarioId: game.scenario.id, entries: entries.length }, 'session created from a log');
    // A replay is only watched: nothing its log asks for is for this server to do.
    if (!lineage?.replayOf) await Promise.all(this.createdFromLog.map((listener) => listener(meta.sessionId, bots)));
    return { sessionId: meta.sessionId, facilitatorToken, ...splitCodes(meta.codes) };
  }

  /**
   * Stores a new session's meta with `put`, drawing new codes while another session holds one of them
   * (the most likely failure). Not in an outage: each try would wait out the store's bound again (five
   * of them: 5 s) and log a line, for the same `unavailable`.
   */
  private async withFreshCodes(
    sessionIdOf: () => string,
    metaFor: (sessionId: string) => SessionMeta,
    put: (meta: SessionMeta) => Promise<void>,
    failed: string,
  ): Promise<SessionMeta> {
    for (let attempt = 1; ; attempt++) {
      const meta = metaFor(sessionIdOf());
      try {
        await put(meta);
        this.cap.stored();
        return meta;
      } catch (err) {
        // New codes cannot make room: the store's cap is refused as it is.
        const full = this.cap.refusal(err);
        if (full) throw full;
        if (isOutage(err) || attempt >= CODE_ATTEMPTS) throw err;
        this.log.warn({ err, sessionId: meta.sessionId, attempt }, failed);
      }
    }
  }

  private newMeta(
    sessionId: string,
    game: Game,
    title: string,
    facilitatorTokenHash: string,
    lineage: SessionLineage | undefined,
    options: { codes: boolean; maxPlayersPerSeat?: number },
  ): SessionMeta {
    return {
      sessionId,
      title,
      scenarioId: game.scenario.id,
      setup: game.setup,
      createdAt: this.clock.now(),
      facilitatorTokenHash,
      codes: options.codes ? drawCodes(seatsInPlay(game.scenario, game.setup)) : [],
      ...(lineage ? { lineage } : {}),
      ...(options.maxPlayersPerSeat === undefined ? {} : { maxPlayersPerSeat: options.maxPlayersPerSeat }),
    };
  }
}

/** Stops a join whose caller was answered already (its bound passed) before it writes anything. */
function beforeWriting(inTime: () => boolean): void {
  if (!inTime()) throw new StoreUnavailableError('timeout', 'The join was answered before it could be written.');
}

/** The header a session's file carries: a replay keeps the header of the file it was opened from. */
function headerOf(meta: SessionMeta): SessionHeader {
  return (
    meta.lineage?.replayOf ?? { sessionId: meta.sessionId, title: meta.title, createdAt: meta.createdAt, parent: meta.lineage?.parent ?? null }
  );
}
