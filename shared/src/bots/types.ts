import type { SeatId } from '../scenario/schema.ts';
import type { PersonaDef, PersonaVoice } from '../scenario/personas.ts';
import type { BotView } from '../game/bot-view.ts';
import type { WireMessage } from '../game/viewer-stream.ts';

/**
 * A persona is a temperament, not a script: where it sits between restraint
 * and escalation, how strongly it answers what others did, and how much it
 * talks. The generic policy (policy.ts) turns that into a choice from any
 * scenario's menu; the scenario's `personas:` section (scenario/personas.ts)
 * gives each seat its personas, with names, favoured moves and words.
 */
export type Persona = PersonaDef & { seat: SeatId };

export type { PersonaVoice };

/** Everything a bot may base a decision on: its seat's view (or the part of it a persona reads) and the messages it may read. */
export interface BotInput {
  view: BotView;
  messages: readonly WireMessage[];
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
  /** A note for the white cell alone, in the seat's team channel (SEND_MESSAGE's `toWhiteCell`). */
  toWhiteCell?: true;
}

export interface BotDecision {
  move: string;
  rationale: string;
  messages: BotMessage[];
}
