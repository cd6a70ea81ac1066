import { phaseOf, type Actor, type GameState, type Viewer } from '@rubicon/shared';
import { ServiceError } from './service-error.ts';

/**
 * The revocable secrets of a session. Each seat's code, the observers' code
 * and the co-facilitator code is an access key; the creator's token is one
 * more (`owner`), which has no code. A token remembers the key and the
 * generation of the code it was redeemed from, so revoking a key (bumping its
 * generation) ends every token that came from it at once.
 */
export const OWNER_KEY = 'owner';
export const FACILITATOR_KEY = 'facilitator';
export const OBSERVER_KEY = 'observer';

/** The access key a code for this role belongs to. */
export function accessKeyOf(role: Viewer): string {
  return role.kind === 'seat' ? role.seat : role.kind === 'observer' ? OBSERVER_KEY : FACILITATOR_KEY;
}

/** Whoever may send commands: everyone but observers. The command path takes no other actor (CommandRequest). */
export type ActingActor = Exclude<Actor, { kind: 'observer' }>;

/**
 * The one rule on observers' commands: they watch, so every command they
 * send is refused, before it is counted against any limit (the socket
 * handler asks this first) and never reaching the command path, whose
 * types take no observer.
 */
export function actingActor(actor: Actor): ActingActor {
  if (actor.kind === 'observer') throw new ServiceError('forbidden', 'Observers can only watch.');
  return actor;
}

/** When the game reached its outcome (a rewind un-ends it), by the log's own clock; null while it runs. */
export function endedAt(state: GameState): number | null {
  const phase = phaseOf(state.turn);
  if (phase !== 'outcome' && phase !== 'debrief') return null;
  return state.turn.context.outcome?.at ?? null;
}

export interface AccessLimits {
  /** Codes stop redeeming this long after the session ends. */
  codeGraceMs: number;
  /** Tokens stop working this long after the session ends. */
  tokenTtlAfterEndMs: number;
  /** Default cap on people per seat code issue, when the session sets none; 0: no cap. */
  maxPlayersPerSeat: number;
}
