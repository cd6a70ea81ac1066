import { LLM_BOT, findPersona } from '@rubicon/shared/bots';
import type { Scenario } from '@rubicon/shared';
import type { Logger } from '../logger.ts';
import type { AppliedEvent, SessionService } from '../session/session-service.ts';
import { BotPlayer, type Brain, type Delays } from './bot-player.ts';
import { personaBrain } from './persona-brain.ts';

export interface BotManagerDeps {
  service: SessionService;
  logger: Logger;
  delays: Delays;
  /** Builds the brain of a seat played by a language model; null when no model is configured. */
  llmBrain: ((scenario: Scenario, seat: string) => Brain) | null;
}

/**
 * Runs the bots this process was asked for. When the facilitator's
 * SET_SEAT_BOT is appended here, a bot joins that seat with the seat's code
 * like any player (REST join, then Socket.IO), or leaves it. The bot holds
 * no other door into the server.
 */
export class BotManager {
  private baseUrl: string | null = null;
  private readonly players = new Map<string, BotPlayer>();
  private readonly log: Logger;

  constructor(private readonly deps: BotManagerDeps) {
    this.log = deps.logger.child({ module: 'bots' });
    deps.service.onApplied((e) => this.onApplied(e));
  }

  /** The address bots connect to: this process's own listener. */
  listening(baseUrl: string): void {
    this.baseUrl = baseUrl;
  }

  /** Seats of a session this process plays. */
  seatsPlayed(sessionId: string): string[] {
    return [...this.players.keys()].filter((k) => k.startsWith(`${sessionId}/`)).map((k) => k.slice(sessionId.length + 1));
  }

  private onApplied(e: AppliedEvent): void {
    const c = e.entry.command;
    if (!e.appendedHere || c.type !== 'SET_SEAT_BOT') return;
    void this.assign(e.sessionId, e.game.scenario, c.seat, c.bot);
  }

  private async assign(sessionId: string, scenario: Scenario, seat: string, bot: string | null): Promise<void> {
    const key = `${sessionId}/${seat}`;
    this.players.get(key)?.stop();
    this.players.delete(key);
    if (bot === null) return void this.log.info({ sessionId, seat }, 'seat handed back to humans');
    try {
      if (!this.baseUrl) throw new Error('the server is not listening yet');
      const brain = this.brainFor(scenario, seat, bot);
      const meta = await this.deps.service.store.getSession(sessionId);
      const code = meta?.codes.find((c) => c.role.kind === 'seat' && c.role.seat === seat)?.code;
      if (!code) throw new Error(`no join code for ${seat}`);
      const player = new BotPlayer({ baseUrl: this.baseUrl, code, sessionId, seat, brain, delays: this.deps.delays, logger: this.deps.logger });
      this.players.set(key, player);
      await player.start();
      this.log.info({ sessionId, seat, bot }, 'bot joined its seat');
    } catch (err) {
      this.players.delete(key);
      this.log.error({ err, sessionId, seat, bot }, 'could not start a bot');
    }
  }

  private brainFor(scenario: Scenario, seat: string, bot: string): Brain {
    if (bot === LLM_BOT) {
      if (!this.deps.llmBrain) throw new Error('no language model is configured (LLM_BASE_URL, LLM_MODEL)');
      return this.deps.llmBrain(scenario, seat);
    }
    const persona = findPersona(scenario, seat, bot);
    if (!persona) throw new Error(`no persona ${bot} for ${seat}`);
    return personaBrain(scenario, persona);
  }

  close(): void {
    for (const p of this.players.values()) p.stop();
    this.players.clear();
  }
}
