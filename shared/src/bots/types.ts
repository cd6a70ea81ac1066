import type { SeatId } from '../scenario/schema.ts';
import type { GameView } from '../game/view.ts';
import type { Message } from '../game/channel-policy.ts';

/**
 * A persona is a temperament, not a script: where it sits between restraint
 * and escalation, how strongly it answers what others did, and how much it
 * talks. The generic policy (policy.ts) turns that into a choice from any
 * scenario's menu; persona data keyed by scenario adds names, signature
 * moves and the words it uses.
 */
export interface Persona {
  /** Unique within its seat, e.g. "hard-liner". */
  id: string;
  seat: SeatId;
  name: string;
  summary: string;
  /** −1: always the least escalatory option; +1: always the most. */
  stance: number;
  /** How far what others did last beat moves the stance (tit for tat). */
  reactivity: number;
  /** How far diplomatic traffic received this beat pulls the stance down. */
  receptiveness: number;
  /** Seats whose escalation this persona answers in kind. */
  rivals: SeatId[];
  /** Chance per beat of a public statement. */
  vocal: number;
  /** Move ids this persona favours, with a weight multiplier (scenario data). */
  favours: Record<string, number>;
  /** How it argues: rationale openings, by the direction of its choice. */
  voice: PersonaVoice;
}

export interface PersonaVoice {
  /** Shown before the move's own description in a rationale. */
  restrain: string[];
  hold: string[];
  escalate: string[];
  /** Public statements. */
  public: string[];
  /** To a mediator or partner in a private channel. */
  private: string[];
  /** When passing a message on as the relay of a mediated channel ({from}, {text}). */
  relay: string[];
}

/** Everything a bot may base a decision on: its seat's view and the messages it may read. */
export interface BotInput {
  view: GameView;
  messages: readonly Message[];
  /** A random number in [0, 1), seeded by the caller so the decision is reproducible. */
  random: () => number;
  /**
   * The published escalation score (Rivera et al. 2024) of a move, or null if
   * the scenario does not classify it. Public scenario data, not game state.
   */
  escalationOf: (moveId: string) => number | null;
}

export interface BotMessage {
  channel: string;
  text: string;
  to?: SeatId;
  relayOf?: string;
}

export interface BotDecision {
  move: string;
  rationale: string;
  messages: BotMessage[];
}
