import type { RelayedQuery, Scenario, SeatId } from '../scenario/schema.ts';
import type { Message } from './channel-policy.ts';
import type { MessageLog } from './message-log.ts';

/**
 * A relay as a fact the rules can read: in a mediated channel, the relay seat
 * passed on a message written by one principal, and it reached others.
 *
 * Relays are derived from the message log, never sent to the turn machine as
 * commands: messages do not move the game version, so a relay never makes a
 * pending move stale. When planning closes, the relays sent since the beat
 * opened are read off the log (a pure function of it) and handed to the
 * adjudication, which adds them to the world as it adds the beat's choices.
 */
export interface RelayFact {
  /** The beat whose planning the relay was sent in. */
  beat: string;
  channel: string;
  /** The seat that passed the message on (the channel's relay). */
  by: SeatId;
  /** The seat whose message was passed on. */
  from: SeatId;
  /** Who received it, apart from the relay and the author. */
  to: SeatId[];
  /** The id of the message passed on. */
  original: string;
  /** The id of the relay's own message. */
  message: string;
}

/** Whether a relay is one a `relayed` condition asks for: every field it gives must match. */
export function relayMatches(fact: RelayFact, q: RelayedQuery): boolean {
  return (
    (q.from === undefined || fact.from === q.from) &&
    (q.to === undefined || fact.to.includes(q.to)) &&
    (q.beat === undefined || fact.beat === q.beat) &&
    (q.channel === undefined || fact.channel === q.channel)
  );
}

/** The author behind a relayed message: a relay of a relay goes back to whoever wrote it first. */
function authorOf(messages: { byId(id: string): Message | undefined }, original: Message, relay: SeatId): Message | undefined {
  let m: Message | undefined = original;
  for (let hops = 0; m && m.from === relay && m.relayOf && hops < 8; hops++) m = messages.byId(m.relayOf);
  return m && m.from !== null && m.from !== relay ? m : undefined;
}

/** The fact a message states, if it is a relay in a mediated channel that reached someone. */
export function relayFactOf(
  scenario: Scenario,
  messages: { byId(id: string): Message | undefined },
  message: Message,
  beat: string,
): RelayFact | null {
  if (message.relayOf === null || message.from === null) return null;
  const channel = scenario.channels.find((c) => c.id === message.channel);
  if (channel?.kind !== 'mediated' || channel.relay !== message.from) return null;
  const original = messages.byId(message.relayOf);
  const author = original ? authorOf(messages, original, message.from) : undefined;
  if (!author?.from) return null;
  const from = author.from;
  const to = message.audience.filter((s) => s !== message.from && s !== from);
  if (to.length === 0) return null;
  return { beat, channel: channel.id, by: message.from, from, to, original: author.id, message: message.id };
}

/**
 * The relays sent in the current beat's planning: messages stamped with a
 * game version at or after the one that opened the beat. Scans back from the
 * newest message and stops at the first older one, so the cost is the beat's
 * own traffic.
 */
export function relaysSince(scenario: Scenario, messages: MessageLog, openedAt: number, beat: string): RelayFact[] {
  const out: RelayFact[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages.at(i);
    if (!m || (m.gameVersion ?? 0) < openedAt) break;
    const fact = relayFactOf(scenario, messages, m, beat);
    if (fact) out.push(fact);
  }
  return out.reverse();
}
