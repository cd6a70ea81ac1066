import type { Channel, HistoricalRelay, Scenario, SeatId } from '../scenario/schema.ts';
import type { GameState } from '../game/game.ts';
import type { Message } from '../game/channel-policy.ts';
import type { Chooser, OutgoingMessage } from './runner.ts';

/**
 * History as a player: the choices and the traffic of April 2024 (or of any
 * scenario's `historicalPath`), for the headless runner, the sensitivity
 * report and the tests that replay what happened.
 */

/** The mediated channel in which `relay` carries messages from `from` to `to`. */
export function mediatedChannel(scenario: Scenario, relay: SeatId, from: SeatId, to: SeatId): Channel | undefined {
  return scenario.channels.find(
    (c) => c.kind === 'mediated' && c.relay === relay && c.members.includes(from) && c.members.includes(to) && from !== relay && to !== relay,
  );
}

/** The game version the current beat opened at: messages from then on belong to its planning. */
export function beatOpenedAt(state: GameState): number {
  return state.turn.context.checkpoints.at(-1)?.version ?? 0;
}

/** Messages in the current beat's planning that `seat` wrote in `channel` and `relay` has not passed on yet. */
export function unrelayedThisBeat(state: GameState, channel: string, seat: SeatId, relay: SeatId): Message[] {
  const opened = beatOpenedAt(state);
  const passedOn = new Set(state.messages.filter((m) => m.from === relay && m.relayOf !== null).map((m) => m.relayOf));
  return state.messages.filter((m) => m.channel === channel && m.from === seat && (m.gameVersion ?? 0) >= opened && !passedOn.has(m.id));
}

/** Every relay history records in one beat, with the relay seat that made it. */
function relaysOfBeat(scenario: Scenario, beat: string): (HistoricalRelay & { relay: SeatId })[] {
  return scenario.historicalPath.filter((h) => h.beat === beat).flatMap((h) => h.relays.map((r) => ({ ...r, relay: h.seat })));
}

/**
 * What `seat` sends in `beat` as history has it: an author writes to the relay
 * the words that were passed on; the relay passes on what history says it
 * did, once its author has written it. Call it for the author first (the
 * beat's actors are asked in order, and the relay's turn comes after).
 */
export function historicalMessages(scenario: Scenario, state: GameState, beat: string, seat: SeatId): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  for (const r of relaysOfBeat(scenario, beat)) {
    const channel = mediatedChannel(scenario, r.relay, r.from, r.to);
    if (!channel) continue;
    if (r.from === seat) out.push({ channel: channel.id, text: r.text });
    if (r.relay === seat) {
      const original = unrelayedThisBeat(state, channel.id, r.from, seat).find((m) => m.text === r.text);
      if (original) out.push({ channel: channel.id, text: r.text, to: r.to, relayOf: original.id });
    }
  }
  return out;
}

/**
 * Plays the historical moves (the main one and what else the seat did) and
 * traffic of each seat; a seat history does not name is left to its default.
 */
export function historicalChooser(scenario: Scenario, rationale = ''): Chooser {
  const picks = new Map(scenario.historicalPath.map((h) => [`${h.beat}/${h.seat}`, h]));
  return (ctx) => {
    const step = picks.get(`${ctx.beat}/${ctx.seat}`);
    return {
      move: step?.move ?? null,
      also: step?.also ?? [],
      rationale,
      messages: historicalMessages(scenario, ctx.state, ctx.beat, ctx.seat),
    };
  };
}
