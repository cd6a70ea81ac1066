import type { GameView, WireMessage } from '@rubicon/shared';
import { authorLabel, seatName } from '../../lib/describe.ts';
import { timeOfDay } from '../../lib/time.ts';
import { ModerationControls, type Moderate } from './ModerationControls.tsx';

interface Props {
  m: WireMessage;
  scenario: GameView['scenario'];
  byId: ReadonlyMap<string, WireMessage>;
  self: string | null;
  selfName: string | null;
  onModerate: Moderate | undefined;
}

/** One message: who wrote it (and whether it is the reader's own), to whom, what it relays, and whether it was hidden. */
export function MessageItem({ m, scenario, byId, self, selfName, onModerate }: Props) {
  const seat = m.from ? scenario.seats.find((s) => s.id === m.from) : null;
  const original = m.relayOf ? byId.get(m.relayOf) : undefined;
  // Two people can share a seat: a message is one's own only if the names match too.
  const own = m.from === self && (m.fromName ?? null) === (selfName ?? null);
  const withheld = m.hidden !== undefined && m.text === '';
  return (
    <article
      className={`msg${own ? ' msg--own' : ''}${m.from === null ? ' msg--white' : ''}`}
      data-testid="message"
      data-seq={m.seq}
      data-channel={m.channel}
      data-from={m.from ?? 'white-cell'}
      data-hidden={m.hidden ?? 'no'}
      style={seat ? { ['--seat' as string]: seat.color } : undefined}
    >
      <header className="msg__meta">
        <span className="msg__from">
          <span className="msg__swatch" aria-hidden="true" />
          {authorLabel(scenario, m)}
          {own && <span className="msg__you"> (you)</span>}
        </span>
        {m.to && <span className="msg__to">→ to {seatName(scenario, m.to)} only</span>}
        {m.toWhiteCell && (
          <span className="msg__to" data-testid="to-white-cell">
            → to the white cell only
          </span>
        )}
        <time className="msg__time" dateTime={new Date(m.at).toISOString()}>
          {timeOfDay(m.at)}
        </time>
      </header>
      {m.hidden && !withheld && (
        <p className="msg__hidden-tag" data-testid="hidden-tag">
          Hidden from {m.hidden === 'display' ? 'the shared display' : 'everyone but the white cell'}
        </p>
      )}
      {m.relayOf && (
        <p className="msg__relay">
          {original
            ? `↪ Passing on ${authorLabel(scenario, original)}: “${original.text.length > 140 ? `${original.text.slice(0, 140)}…` : original.text}”`
            : `↪ Passed on by ${seatName(scenario, m.from)}`}
        </p>
      )}
      {withheld ? <p className="msg__text msg__text--withheld">Hidden by the white cell.</p> : <p className="msg__text">{m.text}</p>}
      {onModerate && <ModerationControls m={m} onModerate={onModerate} />}
    </article>
  );
}
