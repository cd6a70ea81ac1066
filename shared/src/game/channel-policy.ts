import type { Channel, Scenario, SeatId } from '../scenario/schema.ts';
import { refuse, type Refusal } from '../errors.ts';
import type { Actor, SendMessage } from './commands.ts';
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
  /** The seats that may receive it. The facilitator always may; observers only in public channels. */
  audience: SeatId[];
  to: SeatId | null;
  relayOf: string | null;
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
  return message.audience.includes(viewer.seat);
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
  earlier: readonly Message[],
): { audience: SeatId[]; channel: Channel } | Refusal {
  const channel = scenario.channels.find((c) => c.id === cmd.channel);
  if (!channel) return refuse('unknown_channel', `There is no channel "${cmd.channel}".`);
  if (by.kind === 'observer' || by.kind === 'system') return refuse('forbidden', 'Observers cannot send messages.');
  const members = channel.members.filter((m) => world.seatsInPlay.includes(m));
  if (by.kind === 'seat' && !channel.members.includes(by.seat))
    return refuse('not_member', `${by.seat} is not a member of ${channel.title}.`);
  if (by.kind === 'seat' && !channelIsOpen(world, channel))
    return refuse('channel_closed', `${channel.title} is not open.`);

  if (cmd.relayOf !== undefined) {
    const original = earlier.find((m) => m.id === cmd.relayOf);
    if (!original || original.channel !== channel.id)
      return refuse('invalid', `Message ${cmd.relayOf} is not in ${channel.title}.`);
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
  if (cmd.to !== undefined || cmd.relayOf !== undefined)
    return refuse('invalid', 'Addressing and relaying apply to mediated channels only.');
  return { audience: members, channel };
}
