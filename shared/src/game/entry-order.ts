import type { Scenario } from '../scenario/schema.ts';
import type { Command } from './commands.ts';

/**
 * How far a log entry's legality depends on the entries before it, so that
 * the store may place an entry planned at one position at a later one
 * (the append's barrier, server/src/store/types.ts):
 *
 * - `free`: a plain message (SEND_MESSAGE without relayOf) in a channel that
 *   is not public. messageDecision reads the channel, the world (members in
 *   play, whether the channel is open) and, for a relay, the relayed message;
 *   applying it stamps the game version and the audience from the world. None
 *   of that is written by another free entry: messages never change the world
 *   or the game version. A public statement is not free: its statement cap
 *   (statementCapProblem) counts the seat's earlier statements, which two
 *   processes could each count without the other's.
 * - `moving`: a command of the turn machine. turnLegality reads the turn
 *   context and phase, which only such commands change, never messages;
 *   applying it reads messages only for the beat's relays (closesPlanning,
 *   beatRelays: relayFactOf ignores every message without relayOf), which free
 *   entries are not. So it may be placed after free entries, but every free
 *   entry after it must have been decided on the game it made: it is a barrier.
 * - `strict`: everything else, and anything not known to be safe: relays
 *   (they feed the beat's relays), HIDE_MESSAGE (its legality reads what
 *   another hide writes), SCORE_TEAM (reads the scores others write), public
 *   statements. Placed only where it was planned, and a barrier.
 *
 * The legality rules themselves are in legality.ts, game.ts and
 * channel-policy.ts: a change there that makes a free command read what a free
 * command writes must change this too.
 */
export type EntryOrder = 'free' | 'moving' | 'strict';

export function entryOrder(scenario: Scenario, command: Command): EntryOrder {
  if (command.type === 'HIDE_MESSAGE' || command.type === 'SCORE_TEAM') return 'strict';
  if (command.type !== 'SEND_MESSAGE') return 'moving';
  if (command.relayOf !== undefined) return 'strict';
  const channel = scenario.channels.find((c) => c.id === command.channel);
  return channel && channel.kind !== 'public' ? 'free' : 'strict';
}
