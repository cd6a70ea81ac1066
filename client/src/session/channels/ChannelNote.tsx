import type { ChannelView, GameView } from '@rubicon/shared';
import { seatName } from '../../lib/describe.ts';

/** Who reads the open channel, in one sentence (and, for the go-between, what its role is). */
export function ChannelNote({ channel, view, self }: { channel: ChannelView; view: GameView; self: string | null }) {
  const members = channel.members.map((m) => seatName(view.scenario, m)).join(', ');
  let note: string;
  if (channel.kind === 'public') note = 'Everyone reads this, and it is shown on the shared display.';
  else if (channel.kind === 'mediated') {
    const relay = seatName(view.scenario, channel.relay);
    note =
      self !== null && channel.relay === self
        ? `You are the go-between: what the others write reaches only you. Reply to one of them, write to all, or relay a message; what you pass on during planning counts in the beat’s result.`
        : self === null
          ? `Mediated by ${relay}. Members: ${members}.`
          : `Your messages go to ${relay} only; ${relay} decides what to pass on. Members: ${members}.`;
  } else if (channel.kind === 'team') note = 'Your team only (and the white cell).';
  else note = `Private: ${members} (and the white cell).`;
  return <p className="channels__note">{note}</p>;
}
