import { LLM_BOT, findPersona } from '@rubicon/shared/bots';
import type { Scenario, SeatId } from '@rubicon/shared';
import type { Logger } from '../logger.ts';
import { ServiceError, isOutage } from '../session/service-error.ts';
import type { AppliedEvent, SessionService } from '../session/session-service.ts';
import { BotPlayer, type Brain, type Delays } from './bot-player.ts';
import type { BotLeases } from './bot-leases.ts';
import { botsWanted } from './bots-wanted.ts';
import { unconfiguredLlmBrain } from './llm-brain.ts';
import { personaBrain } from './persona-brain.ts';

export interface BotManagerDeps {
  service: SessionService;
  logger: Logger;
  delays: Delays;
  /** Builds the brain of a seat played by a language model; null when no model is configured. */
  llmBrain: ((scenario: Scenario, seat: string) => Brain) | null;
  leases: BotLeases;
  /** How often the sessions with bots are looked over and this process's leases renewed. */
  scanMs: number;
  /** What a bot sends so that its own process's per-address limits pass it (OwnBots). */
  headers?: Record<string, string>;
}


interface Running {
  bot: string;
  player: BotPlayer;
}

/**
 * Runs the bots of the sessions whose lease this process holds. What a
 * session wants is in its log (SET_SEAT_BOT, so `context.bots`); this
 * process makes its bots match it: when such a command is applied here, when
 * a session is created here from a log that has them (adopt), and on a
 * regular scan of every session with bots, which also renews the leases
 * it holds and takes over those of a process that died. A bot joins its seat
 * with the seat's code like any player (REST join, then Socket.IO), and
 * holds no other door into the server: the header it sends (OwnBots) passes
 * the per-address limits meant for strangers, nothing else.
 */
export class BotManager {
  private baseUrl: string | null = null;
  /** Session id → seat → the bot playing it here. */
  private readonly running = new Map<string, Map<SeatId, Running>>();
  /** One reconciliation at a time per session, in order. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly log: Logger;
  private timer: NodeJS.Timeout | null = null;
  private scanning = false;
  private closed = false;

  constructor(private readonly deps: BotManagerDeps) {
    this.log = deps.logger.child({ module: 'bots' });
    deps.service.onApplied((e) => this.onApplied(e));
  }

  /** The address bots connect to (this process's own listener); from now on this process plays bots. */
  listening(baseUrl: string): void {
    this.baseUrl = baseUrl;
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.scan(), this.deps.scanMs).unref();
    void this.scan();
  }

  /** Seats of a session this process plays. */
  seatsPlayed(sessionId: string): string[] {
    return [...(this.running.get(sessionId)?.keys() ?? [])];
  }

  private onApplied(e: AppliedEvent): void {
    const c = e.entry.command;
    if (c.type !== 'SET_SEAT_BOT' && !(e.after.turn.status === 'done' && e.before.turn.status !== 'done')) return;
    // A seat taken back (or handed to another bot) is left at once; starting one waits for the lease.
    const leaving = c.type === 'SET_SEAT_BOT' ? this.running.get(e.sessionId)?.get(c.seat) : undefined;
    if (c.type === 'SET_SEAT_BOT' && leaving && leaving.bot !== c.bot) {
      leaving.player.stop();
      this.running.get(e.sessionId)?.delete(c.seat);
      this.log.info({ sessionId: e.sessionId, seat: c.seat, bot: leaving.bot }, 'bot left its seat');
    }
    // The process that took the command lists the session, so some process (this one, unless another holds it) plays it.
    if (e.appendedHere && c.type === 'SET_SEAT_BOT' && c.bot !== null)
      void this.deps.leases.add(e.sessionId).then(
        () => this.reconcile(e.sessionId),
        (err: unknown) => this.failed(err, e.sessionId, 'could not list the session for its bots'),
      );
    else if (e.appendedHere || this.running.has(e.sessionId)) void this.reconcile(e.sessionId);
  }

  /**
   * Lists a live session that came into being with seats already handed to
   * bots (an import, a branch): no SET_SEAT_BOT is appended for it, so
   * onApplied never sees them. `wanted` is botsWanted of the state its log
   * leads to, worked out where the log was checked (import-verify.ts): loading
   * the session here only to learn it held it on the event loop for one piece
   * of 20-30 ms (an 8,000-entry import: a 1.3 MB snapshot read, parsed and
   * restored), for nothing when it wants no bots. Resolves once the session
   * is listed, so a process that dies right after leaves it to another; never
   * rejects.
   */
  async adopt(sessionId: string, wanted: Record<SeatId, string>): Promise<void> {
    if (Object.keys(wanted).length === 0) return;
    try {
      await this.deps.leases.add(sessionId);
    } catch (err) {
      return this.failed(err, sessionId, 'could not list the session for its bots');
    }
    void this.reconcile(sessionId);
  }

  /** Looks over every session with bots: renews what this process holds, takes over what nobody holds. */
  private async scan(): Promise<void> {
    if (this.scanning || this.closed || !this.baseUrl) return;
    this.scanning = true;
    try {
      const ids = new Set([...(await this.deps.leases.sessions()), ...this.running.keys()]);
      for (const sessionId of ids) await this.reconcile(sessionId);
    } catch (err) {
      this.failed(err, null, 'could not look over the sessions with bots');
    } finally {
      this.scanning = false;
    }
  }

  private reconcile(sessionId: string): Promise<void> {
    const next = (this.queues.get(sessionId) ?? Promise.resolve()).then(() => this.match(sessionId));
    const settled = next.catch((err: unknown) => this.failed(err, sessionId, 'could not start or stop the bots of a session'));
    this.queues.set(sessionId, settled);
    void settled.then(() => {
      if (this.queues.get(sessionId) === settled) this.queues.delete(sessionId);
    });
    return settled;
  }

  /** Makes the bots this process runs for a session match what the session wants, if this process holds its lease. */
  private async match(sessionId: string): Promise<void> {
    if (this.closed || !this.baseUrl) return;
    if (!(await this.deps.leases.hold(sessionId))) return this.stopSession(sessionId, 'another process plays them');
    const wanted = await this.deps.service
      .withSession(sessionId, (s) => ({ scenario: s.game.scenario, bots: botsWanted(s.state) }))
      .catch((err: unknown) => {
        if (err instanceof ServiceError && err.code === 'not_found') return null;
        throw err;
      });
    if (!wanted) return this.forget(sessionId, 'the session is gone');
    const here = this.running.get(sessionId) ?? new Map<SeatId, Running>();
    this.running.set(sessionId, here);
    for (const [seat, r] of here)
      if (wanted.bots[seat] !== r.bot) {
        r.player.stop();
        here.delete(seat);
        this.log.info({ sessionId, seat, bot: r.bot }, 'bot left its seat');
      }
    for (const [seat, bot] of Object.entries(wanted.bots)) if (!here.has(seat)) await this.start(sessionId, wanted.scenario, seat, bot, here);
    if (Object.keys(wanted.bots).length === 0) await this.forget(sessionId, 'no seat is played by a bot');
  }

  /** A session that needs no bots any more leaves the index, and its lease is given back. */
  private async forget(sessionId: string, why: string): Promise<void> {
    this.stopSession(sessionId, why);
    await this.deps.leases.remove(sessionId);
    await this.deps.leases.release(sessionId);
  }

  private async start(sessionId: string, scenario: Scenario, seat: SeatId, bot: string, here: Map<SeatId, Running>): Promise<void> {
    try {
      if (!this.baseUrl) throw new Error('the server is not listening yet');
      const brain = this.brainFor(scenario, seat, bot);
      const meta = await this.deps.service.store.getSession(sessionId);
      const code = meta?.codes.find((c) => c.role.kind === 'seat' && c.role.seat === seat)?.code;
      if (!code) throw new Error(`no join code for ${seat}`);
      const player = new BotPlayer({ baseUrl: this.baseUrl, code, sessionId, seat, brain, delays: this.deps.delays, logger: this.deps.logger, headers: this.deps.headers ?? {} });
      here.set(seat, { bot, player });
      await player.start();
      this.log.info({ sessionId, seat, bot }, 'bot joined its seat');
    } catch (err) {
      here.get(seat)?.player.stop();
      here.delete(seat);
      this.log.error({ err, sessionId, seat, bot }, 'could not start a bot');
    }
  }

  private stopSession(sessionId: string, why: string): void {
    const here = this.running.get(sessionId);
    if (!here) return;
    for (const [seat, r] of here) {
      r.player.stop();
      this.log.info({ sessionId, seat, bot: r.bot, why }, 'bot stopped here');
    }
    this.running.delete(sessionId);
  }

  private failed(err: unknown, sessionId: string | null, what: string): void {
    // During a store outage every scan fails; the store reports the outage once.
    if (isOutage(err)) this.log.debug({ err, sessionId }, what);
    else this.log.error({ err, sessionId }, what);
  }

  private brainFor(scenario: Scenario, seat: string, bot: string): Brain {
    if (bot === LLM_BOT) {
      if (!this.deps.llmBrain) return unconfiguredLlmBrain(seat, this.deps.logger);
      return this.deps.llmBrain(scenario, seat);
    }
    const persona = findPersona(scenario, seat, bot);
    if (!persona) throw new Error(`no persona ${bot} for ${seat}`);
    return personaBrain(scenario, persona);
  }

  /**
   * Stops every bot of this process. `release` gives the leases back, so
   * another process takes the bots over at once (a graceful shutdown);
   * without it they lapse as a crashed process's would.
   */
  async close(options: { release?: boolean } = {}): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const sessions = [...this.running.keys()];
    for (const sessionId of sessions) this.stopSession(sessionId, 'the server is shutting down');
    if (options.release ?? true)
      await Promise.all(sessions.map((s) => this.deps.leases.release(s).catch((err: unknown) => this.failed(err, s, 'could not give a bot lease back'))));
  }
}
