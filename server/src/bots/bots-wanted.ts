import type { GameState, SeatId } from '@rubicon/shared';

/** The seats a session hands to bots, while there is a game to play: a finished one (the debrief) needs no players. */
export function botsWanted(state: GameState): Record<SeatId, string> {
  return state.turn.status === 'done' ? {} : state.turn.context.bots;
}
