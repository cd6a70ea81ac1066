import type { Channel, Scenario, SeatId } from '../scenario/schema.ts';
import { refuse, type Refusal } from '../errors.ts';
import type { Actor, HideMessage, SendMessage } from './commands.ts';
import { MAX_STATEMENTS_PER_MINUTE } from '../limits.ts';
import type { MessageLog } from './message-log.ts';
import { conditionHolds, type World } from './world.ts';

/** Who may read what: the facilitator reads everything; observers read public channels only. */
export type Viewer = { kind: 'seat'; seat: SeatId } | { kind: 'observer' } | { kind: 'facilitator' };

export interface Message {
  id: string;
  seq: number;
  at: number;
  channel: string;
  /** A seat id, or null for the white cell (facilitator). */
  from: SeatId | null;
  text: string;
  /**
   * The seats that may receive it. The facilitator always may; observers only in public channels. Read-only:
   * the messages of one channel, sent to all its members in play, share one frozen list (membersInPlay).
   */
  audience: readonly SeatId[];
  to: SeatId | null;
  relayOf: string | null;
  /**
   * The game version when it was sent: which beat's planning it belongs to
   * (relays.ts reads a beat's relays by it). Absent in messages stored before.
   */
  gameVersion?: number;
  /** Who at the seat wrote it, when they gave a name on joining. */
  fromName?: string;
  /** A seat's note to the white cell alone (its audience is empty). */
  toWhiteCell?: true;
  /** Set by the white cell's HIDE_MESSAGE: whom the text is withheld from (the white cell always reads it). */
  hidden?: 'display' | 'everyone';
  /** The version of the last HIDE_MESSAGE that changed `hidden`, so a sync after it carries the change. */
  hiddenAt?: number;
  /**
   * How many times the white cell hid it or showed it again: each is an
   * update for everyone who reads it, so a reader's own count of updates
   * (viewer-stream.ts) can be known from the state alone.
   */
  moderations?: number;
}

/** Hides and shows of a message so far (a message stored before they were counted had at most one). */
export function moderationsOf(message: Message): number {
  return message.moderations ?? (message.hiddenAt === undefined ? 0 : 1);
}

/** Whether the white cell's moderation withholds this message's text from this viewer. */
export function hiddenFrom(viewer: Viewer, message: Message): boolean {
  if (!message.hidden || viewer.kind === 'facilitator') return false;
  return message.hidden === 'everyone' || viewer.kind === 'observer';
}

/**
 * A message as one viewer receives it: a hidden one keeps its place (so counts
 * and read marks stay exact) but loses its text and what it relays.
 */
export function messageAsSeenBy(viewer: Viewer, message: Message): Message {
  return hiddenFrom(viewer, message) ? { ...message, text: '', relayOf: null } : message;
}

/** The last version that changed this message (its sending, or a later hide). */
export function messageChangedAt(message: Message): number {
  return Math.max(message.seq, message.hiddenAt ?? 0);
}

export function channelIsOpen(world: World, channel: Channel): boolean {
  return channel.opensWhen === undefined || conditionHolds(world, channel.opensWhen);
}

export function mayRead(viewer: Viewer, channel: Channel): boolean {
  if (viewer.kind === 'facilitator') return true;
  if (viewer.kind === 'observer') return channel.kind === 'public';
  return channel.members.includes(viewer.seat);
}

export function messageVisibleTo(viewer: Viewer, message: Message, channel: Channel | undefined): boolean {
  if (viewer.kind === 'facilitator') return true;
  if (viewer.kind === 'observer') return channel?.kind === 'public';
  return inAudience(message, viewer.seat);
}

/**
 * Whether `seat` is in the message's audience. A loop of `===`, not Array#includes, a builtin V8 calls out of
 * line: the viewer streams ask it once per seat viewer and message, about 600 instructions a message under
 * callgrind (docs/performance/fan-out-log.md, "The JSON escape test by character code: … a seat's read check
 * without Array#includes"). The audience holds strings, where `===` and SameValueZero agree.
 */
export function inAudience(message: Message, seat: SeatId): boolean {
  const audience = message.audience;
  for (let i = 0; i < audience.length; i++) if (audience[i] === seat) return true;
  return false;
}

/** Per session's seats in play (World.seatsInPlay, one array carried from state to state), each channel's members among them. */
const membersBySeats = new WeakMap<readonly SeatId[], Map<Channel, readonly SeatId[]>>();

/**
 * A channel's members in play, in the channel's order: one frozen list per session's seats and channel, which
 * every message sent to all of them keeps as its audience. A list of its own per message, grown by push from
 * empty (room for 17 seats), was 184 B of the 790 B a public message left alive for good
 * (docs/performance/fan-out-log.md, "What a public message keeps alive", 5 December).
 */
export function membersInPlay(world: World, channel: Channel): readonly SeatId[] {
  let byChannel = membersBySeats.get(world.seatsInPlay);
  if (!byChannel) {
    byChannel = new Map();
    membersBySeats.set(world.seatsInPlay, byChannel);
  }
  let members = byChannel.get(channel);
  if (!members) {
    // A push loop, not `filter`: its lists then have one elements kind (lists.ts).
    const list: SeatId[] = [];
    for (const m of channel.members) if (world.seatsInPlay.includes(m)) list.push(m);
    members = Object.freeze(list);
    byChannel.set(channel, members);
  }
  return members;
}

/**
 * Decides who receives a message, or refuses it. The audience is fixed at
 * send time and stored with the message, so what a socket may receive never
 * depends on later state.
 */
export function messageAudience(
  scenario: Scenario,
  world: World,
  by: Actor,
  cmd: SendMessage,
  earlier: { byId(id: string): Message | undefined },
): { audience: readonly SeatId[]; channel: Channel } | Refusal {
  const channel = scenario.channels.find((c) => c.id === cmd.channel);
  if (!channel) return refuse('unknown_channel', `There is no channel "${cmd.channel}".`);
  if (by.kind === 'observer' || by.kind === 'system') return refuse('forbidden', 'Observers cannot send messages.');
  const members = membersInPlay(world, channel);
  if (by.kind === 'seat' && !channel.members.includes(by.seat))
    return refuse('not_member', `${by.seat} is not a member of ${channel.title}.`);
  if (by.kind === 'seat' && !channelIsOpen(world, channel))
    return refuse('channel_closed', `${channel.title} is not open.`);

  if (cmd.toWhiteCell) {
    if (by.kind !== 'seat' || channel.kind !== 'team' || cmd.to !== undefined || cmd.relayOf !== undefined)
      return refuse('invalid', 'A note to the white cell goes in the sending seat’s own team channel, addressed to nobody else.');
    // Nobody but the white cell, which reads every message, receives it: not even the seat's own devices.
    return { audience: [], channel };
  }
  if (cmd.relayOf !== undefined) {
    const original = earlier.byId(cmd.relayOf);
    // Not named: the server has put the log's id in place of the sender's (viewer-stream.ts), and that id counts
    // every message before it, those of channels the sender cannot read included.
    if (!original || original.channel !== channel.id)
      return refuse('invalid', `The message to relay is not in ${channel.title}.`);
  }
  if (cmd.to !== undefined && !members.includes(cmd.to))
    return refuse('invalid', `${cmd.to} is not in ${channel.title}.`);

  if (channel.kind === 'mediated' && by.kind === 'seat') {
    const relay = channel.relay;
    if (by.seat !== relay) {
      if (cmd.to !== undefined || cmd.relayOf !== undefined)
        return refuse('forbidden', `Only ${relay ?? 'the relay'} addresses or relays messages in ${channel.title}.`);
      // A principal writes to the relay alone: there is no direct line.
      return { audience: relay ? [by.seat, relay] : [by.seat], channel };
    }
    if (cmd.to !== undefined) return { audience: [by.seat, cmd.to], channel };
    return { audience: members, channel };
  }
  // The white cell writes to all of a mediated channel's members; addressing and relaying are the relay's.
  if (channel.kind === 'mediated' && (cmd.to !== undefined || cmd.relayOf !== undefined))
    return refuse('invalid', `The white cell writes to everyone in ${channel.title}; only ${channel.relay ?? 'the relay'} addresses or relays messages there.`);
  if (cmd.to !== undefined || cmd.relayOf !== undefined)
    return refuse('invalid', 'Addressing and relaying apply to mediated channels only.');
  return { audience: members, channel };
}

/**
 * A seat may make only so many public statements a minute, counted by event
 * times, so a replay refuses exactly what the live session refused.
 */
export function statementCapProblem(
  channel: Channel,
  by: Actor,
  earlier: MessageLog,
  at: number,
): Refusal | null {
  if (channel.kind !== 'public' || by.kind !== 'seat') return null;
  const cap = channel.statementsPerMinute ?? MAX_STATEMENTS_PER_MINUTE;
  // Newest first, and no further than the cap: the seat may speak again when its cap-th latest statement leaves the minute.
  const { count: recent, oldest = at } = earlier.senderCount(channel.id, by.seat, at - 60_000, cap);
  if (recent < cap) return null;
  const waitMs = Math.max(1000, oldest + 60_000 - at);
  return refuse('rate_limited', `Each seat may make at most ${cap} statements a minute in ${channel.title}; try again in ${Math.ceil(waitMs / 1000)} s.`, waitMs);
}

/** Why the white cell cannot hide this message now, or null. */
export function hideProblem(by: Actor, cmd: HideMessage, messages: MessageLog): Refusal | null {
  if (by.kind !== 'facilitator') return refuse('forbidden', 'Only the white cell moderates messages.');
  const target = messages.byId(cmd.message);
  if (!target) return refuse('invalid', `There is no message "${cmd.message}".`);
  if ((target.hidden ?? 'none') === cmd.from) return refuse('invalid', 'The message is already shown that way.');
  return null;
}

/** The messages after a HIDE_MESSAGE: the target's `hidden` changed and stamped with the entry's version. */
export function applyHide(messages: MessageLog, cmd: HideMessage, seq: number): MessageLog {
  const target = messages.byId(cmd.message);
  if (!target) return messages;
  const { hidden: _old, ...rest } = target;
  const stamp = { hiddenAt: seq, moderations: moderationsOf(target) + 1 };
  return messages.replace(cmd.message, cmd.from === 'none' ? { ...rest, ...stamp } : { ...rest, hidden: cmd.from, ...stamp });
}
