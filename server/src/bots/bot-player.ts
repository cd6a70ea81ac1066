import type { GameView, WireMessage } from '@rubicon/shared';
import { seededRandom, unrelayed, type BotDecision, type BotMessage } from '@rubicon/shared/bots';
import type { Logger } from '../logger.ts';
import { ProtocolClient, ProtocolError } from './protocol-client.ts';

/** How a bot thinks: the pure persona policy, or a language model behind the adapter. */
export interface Brain {
  decide(view: GameView, messages: readonly WireMessage[], random: () => number): Promise<BotDecision | null>;
  relays(view: GameView, messages: readonly WireMessage[], random: () => number): BotMessage[];
  /** The longest a decision may take (a model's timeouts); the bot starts that much earlier. */
  worstCaseMs?: number;
}

export interface Delays {
  /** A bot waits at least this long after planning opens before it locks in… */
  minMs: number;
  /** …and at most this long, */
  maxMs: number;
  /** …and always locks in this long before the deadline (or at once, if the deadline is nearer). */
  marginMs: number;
}

export const DEFAULT_DELAYS: Delays = { minMs: 3000, maxMs: 30_000, marginMs: 1500 };

export interface BotPlayerOptions {
  baseUrl: string;
  code: string;
  sessionId: string;
  seat: string;
  brain: Brain;
  delays: Delays;
  logger: Logger;
  now?: () => number;
  /** The seat's connection; by default one to `baseUrl` with `code` (tests pass one that loses races). */
  client?: ProtocolClient;
  /** Sent with the join and the handshake, so the process's per-address limits pass its own bots (OwnBots). */
  headers?: Record<string, string>;
}

/**
 * When to lock in: somewhere between `minMs` and `maxMs` (never more than
 * half the time left), and never later than `marginMs` before the deadline.
 */
export function lockInDelay(view: Pick<GameView, 'timer'>, delays: Delays, random: () => number, now: number): number {
  const wish = delays.minMs + random() * Math.max(0, delays.maxMs - delays.minMs);
  const deadline = view.timer?.deadline ?? null;
  if (deadline === null) return wish;
  const latest = deadline - now - delays.marginMs;
  return Math.max(0, Math.min(wish, Math.max(delays.minMs, latest / 2), latest));
}

/** Plays one seat through the protocol: decides when planning opens, locks in after a human-like wait, relays as a mediator. */
export class BotPlayer {
  private readonly client: ProtocolClient;
  private readonly log: Logger;
  private readonly now: () => number;
  private pendingBeat: string | null = null;
  private moveTimer: NodeJS.Timeout | null = null;
  private relayTimer: NodeJS.Timeout | null = null;
  /** True while a relay round is being sent: its own messages have not come back as updates yet. */
  private relaying = false;
  /** Messages this bot has passed on (or is passing on), so a slow echo never makes it relay one twice. */
  private readonly relayed = new Set<string>();
  private busy = false;
  private stopped = false;

  constructor(private readonly o: BotPlayerOptions) {
    this.client = o.client ?? new ProtocolClient(o.baseUrl, o.code, o.headers);
    this.log = o.logger.child({ module: 'bot', sessionId: o.sessionId, seat: o.seat });
    this.now = o.now ?? Date.now;
  }

  async start(): Promise<void> {
    await this.client.connect();
    this.client.onChange(() => this.onChange());
    this.onChange();
  }

  stop(): void {
    this.stopped = true;
    if (this.moveTimer) clearTimeout(this.moveTimer);
    if (this.relayTimer) clearTimeout(this.relayTimer);
    this.client.close();
  }

  private needsMove(view: GameView): boolean {
    return view.phase === 'planning' && !view.paused && view.menu !== null && view.mySubmission?.locked !== true;
  }

  private onChange(): void {
    if (this.stopped) return;
    const view = this.client.view;
    const key = beatKey(view);
    if (this.needsMove(view) && key !== this.pendingBeat) {
      this.pendingBeat = key;
      if (this.moveTimer) clearTimeout(this.moveTimer);
      const delays = { ...this.o.delays, marginMs: this.o.delays.marginMs + (this.o.brain.worstCaseMs ?? 0) };
      const delay = lockInDelay(view, delays, seededRandom(this.o.sessionId, this.o.seat, 'delay', view.version), this.now());
      this.log.debug({ beat: key, delay }, 'bot will lock in');
      this.moveTimer = setTimeout(() => void this.act(), delay);
    }
    if (!this.needsMove(view) && view.phase !== 'planning') this.pendingBeat = null;
    // A paused beat: forget the plan, so resuming plans again against the new deadline.
    if (view.paused && this.moveTimer) {
      clearTimeout(this.moveTimer);
      this.moveTimer = null;
      this.pendingBeat = null;
    }
    if (!this.relayTimer && !this.relaying && this.owed(view).length > 0) {
      const random = seededRandom(this.o.sessionId, this.o.seat, 'relay', view.version);
      this.relayTimer = setTimeout(() => void this.relay(), Math.round(this.o.delays.minMs * (0.3 + random())));
    }
  }

  private owed(view: GameView): WireMessage[] {
    return unrelayed(view, this.client.messages, this.o.seat).filter((m) => !this.relayed.has(m.id));
  }

  private async relay(): Promise<void> {
    this.relayTimer = null;
    if (this.stopped) return;
    this.relaying = true;
    try {
      const view = this.client.view;
      const random = seededRandom(this.o.sessionId, this.o.seat, 'relay-text', view.version);
      const owed = this.client.messages.filter((m) => !this.relayed.has(m.id));
      for (const m of this.o.brain.relays(view, owed, random)) await this.sayOnce(m);
    } finally {
      this.relaying = false;
    }
    // Messages that arrived while this round was being sent are owed a round of their own.
    this.onChange();
  }

  /**
   * Says a message, but a relay only if no other round has passed that message on: the lock-in's
   * messages and the relay rounds both relay, and neither sees the other's relay until it comes back
   * as an update. Marked before sending, so a refused relay is logged, not retried in a loop.
   */
  private async sayOnce(m: BotMessage): Promise<void> {
    if (m.relayOf !== undefined) {
      if (this.relayed.has(m.relayOf)) return;
      this.relayed.add(m.relayOf);
    }
    await this.say(m);
  }

  private async say(m: BotMessage): Promise<void> {
    try {
      await this.client.send({ type: 'SEND_MESSAGE', channel: m.channel, text: m.text, ...(m.to ? { to: m.to } : {}), ...(m.relayOf ? { relayOf: m.relayOf } : {}), ...(m.toWhiteCell ? { toWhiteCell: true } : {}) });
    } catch (err) {
      this.log.warn({ err, channel: m.channel }, 'bot message refused');
    }
  }

  private async act(): Promise<void> {
    this.moveTimer = null;
    if (this.stopped || this.busy) return;
    this.busy = true;
    try {
      // Other seats' moves move the game on, so a busy table may need several tries. A decision
      // stands while its beat does and its move is still on the menu: it is sent again, not
      // decided again, so a model is not asked twice for one beat (messages are never resent).
      let decided: { decision: BotDecision; beat: string } | null = null;
      for (let attempt = 0; attempt < 20; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 + 20 * attempt));
        const view = this.client.view;
        if (!this.needsMove(view)) return;
        if (!decided || !stillStands(decided, view)) {
          const decision = await this.o.brain.decide(view, this.client.messages, seededRandom(this.o.sessionId, this.o.seat, 'move', view.version));
          if (!decision || this.stopped) return;
          if (!decided) for (const m of decision.messages) await this.sayOnce(m);
          decided = { decision, beat: beatKey(view) ?? '' };
        }
        const { move, rationale } = decided.decision;
        try {
          await this.client.send({ type: 'SUBMIT_MOVE', move, rationale, lock: true }, this.client.view.gameVersion);
          this.log.info({ move }, 'bot locked in');
          return;
        } catch (err) {
          // Someone moved the session on meanwhile: look again.
          if (err instanceof ProtocolError && err.code === 'stale') continue;
          this.log.warn({ err }, 'bot move refused');
          return;
        }
      }
    } finally {
      this.busy = false;
    }
  }
}

/** A beat as entered: a rewind to the same beat is a new one. */
function beatKey(view: GameView): string | null {
  return view.beat ? `${view.beat.index}:${view.beat.id}` : null;
}

/** Whether a decision made earlier in this beat can still be sent as it is. */
function stillStands(decided: { decision: BotDecision; beat: string }, view: GameView): boolean {
  return beatKey(view) === decided.beat && (view.menu?.moves.some((m) => m.id === decided.decision.move) ?? false);
}
