import { useMemo } from 'react';
import type { GameView, WireMessage } from '@rubicon/shared';
import { seatName } from '../../lib/describe.ts';

/** For the go-between: pick a principal's message to pass on. */
export function RelayPicker({
  messages,
  self,
  view,
  relayOf,
  onPick,
}: {
  messages: readonly WireMessage[];
  self: string | null;
  view: GameView;
  relayOf: string | null;
  onPick: (m: WireMessage | null) => void;
}) {
  const candidates = useMemo(() => messages.filter((m) => m.from !== self && m.from !== null).slice(-30).reverse(), [messages, self]);
  if (candidates.length === 0) return null;
  return (
    <label className="composer__relay-pick">
      Relay a message{' '}
      <select
        value={relayOf ?? ''}
        onChange={(e) => onPick(candidates.find((m) => m.id === e.target.value) ?? null)}
        data-testid="relay-select"
      >
        <option value="">— write a new message —</option>
        {candidates.map((m) => (
          <option key={m.id} value={m.id}>
            {seatName(view.scenario, m.from)}: {m.text.length > 60 ? `${m.text.slice(0, 60)}…` : m.text}
          </option>
        ))}
      </select>
    </label>
  );
}
