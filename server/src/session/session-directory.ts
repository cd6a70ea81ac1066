import {
  ReplayError,
  applyPreset,
  estimateSession,
  persistGame,
  phaseOf,
  replay,
  seatsInPlay,
  type CreateSessionRequest,
  type CreateSessionResponse,
  type Game,
  type GameState,
  type JoinCode,
  type JoinResponse,
  type LogEntry,
  type SessionSummary,
  type Presence,
} from '@rubicon/shared';
import type { z } from 'zod';
import type { Clock, Grant, SessionMeta, SessionStore } from '../store/types.ts';
import type { Logger } from '../logger.ts';
import { hashToken, newJoinCode, newSeed, newSessionId, newToken, normalizeCode } from './secrets.ts';
import { ServiceError } from './service-error.ts';
import type { SessionService } from './session-service.ts';
import { SESSION_FILE_FORMAT, SESSION_FILE_VERSION, type SessionFile } from './session-file.ts';

export type CreateSessionInput = z.output<typeof CreateSessionRequest>;

/** Attempts at drawing join codes that no other session holds. */
const CODE_ATTEMPTS = 5;

/**
 * Sessions as things people create, join, export and import: ids, join
 * codes and tokens. The game itself is the SessionService's.
 */
export class SessionDirectory {
  private readonly store: SessionStore;
  private readonly log: Logger;

  constructor(
    private readonly service: SessionService,
    private readonly clock: Clock,
    logger: Logger,
  ) {
    this.store = service.store;
    this.log = logger.child({ module: 'session-directory' });
  }

  async create(input: CreateSessionInput): Promise<CreateSessionResponse> {
    const { title, ...rest } = input;
    const applied = applyPreset(this.service.scenario(rest.scenarioId), rest);
    if (!applied.ok) throw new ServiceError('invalid', applied.message);
    const game = this.service.gameFor({ ...applied.setup, seed: rest.seed ?? newSeed() });
    return this.register(game, title ?? game.scenario.title, [], null);
  }

  /** Redeems a join code for a fresh token; several people may share one seat. */
  async join(code: string): Promise<JoinResponse> {
    const grant = await this.store.resolveCode(normalizeCode(code));
    if (!grant) throw new ServiceError('not_found', 'No session has this code. Check it and try again.');
    const token = newToken();
    await this.store.saveToken(hashToken(token), grant);
    return { sessionId: grant.sessionId, role: grant.role, token };
  }

  async authenticate(token: string): Promise<Grant> {
    const grant = await this.store.resolveToken(hashToken(token));
    if (!grant) throw new ServiceError('unauthorized', 'This token is not valid; join again with your code.');
    return grant;
  }

  /** The facilitator's grant for this session, or a refusal. */
  async authorizeFacilitator(sessionId: string, token: string | undefined): Promise<void> {
    if (!token) throw new ServiceError('unauthorized', 'Send the facilitator token as a Bearer token.');
    const grant = await this.authenticate(token);
    if (grant.sessionId !== sessionId || grant.role.kind !== 'facilitator')
      throw new ServiceError('forbidden', 'Only the facilitator of this session may do this.');
  }

  async summary(sessionId: string, presence: Presence): Promise<SessionSummary> {
    return this.service.withSession(sessionId, ({ meta, state, game }) => ({
      sessionId,
      title: meta.title,
      scenarioId: meta.scenarioId,
      preset: game.setup.preset ?? null,
      estimate: estimateSession(game.scenario, game.setup),
      createdAt: meta.createdAt,
      version: state.version,
      phase: phaseOf(state.turn),
      codes: meta.codes,
      presence,
    }));
  }

  async export(sessionId: string): Promise<SessionFile> {
    const meta = await this.store.getSession(sessionId);
    if (!meta) throw new ServiceError('not_found', 'There is no such session.');
    const log = await this.store.readLog(sessionId, 0);
    return {
      format: SESSION_FILE_FORMAT,
      formatVersion: SESSION_FILE_VERSION,
      exportedAt: this.clock.now(),
      meta: { sessionId: meta.sessionId, title: meta.title, scenarioId: meta.scenarioId, createdAt: meta.createdAt },
      setup: meta.setup,
      log,
    };
  }

  /** A new session with the file's history, after checking that the history applies. */
  async import(file: SessionFile): Promise<CreateSessionResponse> {
    if (file.setup.scenarioId !== file.meta.scenarioId) throw new ServiceError('invalid', 'The setup and the file disagree on the scenario.');
    const game = this.service.gameFor(file.setup);
    const ids = new Set<string>();
    for (const e of file.log) {
      if (ids.has(e.commandId)) throw new ServiceError('invalid', `Command id ${e.commandId} appears twice in the log.`);
      ids.add(e.commandId);
    }
    let final: GameState;
    try {
      final = replay(game, file.log);
    } catch (err) {
      if (err instanceof ReplayError) throw new ServiceError('invalid', `The log does not apply: ${err.message}`);
      throw err;
    }
    return this.register(game, file.meta.title, file.log, final);
  }

  /** Stores a new session with its codes, log (and the state it leads to, as a snapshot) and facilitator token. */
  private async register(game: Game, title: string, log: readonly LogEntry[], final: GameState | null): Promise<CreateSessionResponse> {
    const sessionId = newSessionId();
    const facilitatorToken = newToken();
    const codes = await this.storeSession(sessionId, game, title, hashToken(facilitatorToken));
    for (const entry of log) {
      const r = await this.store.append(sessionId, entry);
      if (!r.ok) throw new Error(`session ${sessionId}: importing entry ${entry.seq} failed: ${r.reason}`);
    }
    if (final) await this.store.saveSnapshot(sessionId, persistGame(game, final));
    // Sockets and REST resolve every token the same way, the facilitator's included.
    await this.store.saveToken(hashToken(facilitatorToken), { sessionId, role: { kind: 'facilitator' } });
    this.log.info({ sessionId, scenarioId: game.scenario.id, imported: log.length > 0 }, 'session created');
    return { sessionId, facilitatorToken, codes };
  }

  private async storeSession(sessionId: string, game: Game, title: string, facilitatorTokenHash: string): Promise<JoinCode[]> {
    for (let attempt = 1; ; attempt++) {
      const codes = drawCodes(seatsInPlay(game.scenario, game.setup));
      const meta: SessionMeta = {
        sessionId,
        title,
        scenarioId: game.scenario.id,
        setup: game.setup,
        createdAt: this.clock.now(),
        facilitatorTokenHash,
        codes,
      };
      try {
        await this.store.createSession(meta);
        return codes;
      } catch (err) {
        // Most likely a code another session already holds: draw again.
        if (attempt >= CODE_ATTEMPTS) throw err;
        this.log.warn({ err, sessionId, attempt }, 'creating the session failed; drawing new codes');
      }
    }
  }
}

function drawCodes(seats: readonly string[]): JoinCode[] {
  const used = new Set<string>();
  const draw = (): string => {
    let code = newJoinCode();
    while (used.has(code)) code = newJoinCode();
    used.add(code);
    return code;
  };
  return [
    ...seats.map((seat): JoinCode => ({ role: { kind: 'seat', seat }, code: draw() })),
    { role: { kind: 'observer' }, code: draw() },
  ];
}
