import { memo, useLayoutEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { GameView, Message } from '@rubicon/shared';
import { seatName } from '../lib/describe.ts';
import { timeOfDay } from '../lib/time.ts';

export interface PendingMessage {
  localId: string;
  channel: string;
  text: string;
  to: string | null;
  relayOf: string | null;
  status: 'sending' | 'sent' | 'failed';
  error: string | null;
  /** The version the server gave it, once acknowledged. */
  version: number | null;
}

interface Props {
  scenario: GameView['scenario'];
  channelTitle: string;
  messages: readonly Message[];
  /** Every message by id, to show what a relay passes on. */
  byId: ReadonlyMap<string, Message>;
  pending: readonly PendingMessage[];
  self: string | null;
  /** The reader's own name inside the seat, to tell their messages from a teammate's. */
  selfName?: string | null;
  onRetry: (p: PendingMessage) => void;
  onDismiss: (p: PendingMessage) => void;
  /** The white cell's moderation: hide a message from the display or from everyone, or show it again. */
  onModerate?: ((m: Message, from: 'display' | 'everyone' | 'none') => void) | undefined;
}

/** "Iran · Sara" when the writer gave a name, else the seat alone. */
export function authorLabel(scenario: GameView['scenario'], m: Pick<Message, 'from' | 'fromName'>): string {
  const seat = seatName(scenario, m.from);
  return m.fromName ? `${seat} · ${m.fromName}` : seat;
}

function MessageItem({
  m,
  scenario,
  byId,
  self,
  selfName,
  onModerate,
}: {
  m: Message;
  scenario: GameView['scenario'];
  byId: ReadonlyMap<string, Message>;
  self: string | null;
  selfName: string | null;
  onModerate: Props['onModerate'];
}) {
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
      {onModerate && (
        <div className="msg__actions" data-testid="moderation">
          {m.hidden !== 'display' && (
            <button type="button" className="btn btn--small btn--ghost" onClick={() => onModerate(m, 'display')} data-testid="hide-display">
              Hide from display
            </button>
          )}
          {m.hidden !== 'everyone' && (
            <button type="button" className="btn btn--small btn--ghost" onClick={() => onModerate(m, 'everyone')} data-testid="hide-everyone">
              Hide from everyone
            </button>
          )}
          {m.hidden && (
            <button type="button" className="btn btn--small btn--ghost" onClick={() => onModerate(m, 'none')} data-testid="unhide">
              Show again
            </button>
          )}
        </div>
      )}
    </article>
  );
}

/**
 * A channel's messages, virtualized: only the rows on screen are in the DOM,
 * so thousands of messages scroll and update without lag. Sticks to the
 * bottom while the reader is at the bottom.
 */
export const MessageList = memo(function MessageList({ scenario, channelTitle, messages, byId, pending, self, selfName = null, onRetry, onDismiss, onModerate }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 76,
    overscan: 8,
    getItemKey: (i) => messages[i]?.id ?? i,
  });

  // Whether the reader is at the bottom, from the virtualizer's own numbers (no forced layout while scrolling).
  const onScroll = () => {
    const offset = virtualizer.scrollOffset ?? 0;
    const height = virtualizer.scrollRect?.height ?? 0;
    atBottom.current = offset + height >= virtualizer.getTotalSize() - 48;
  };

  // Open at the newest message, and follow new ones (and our own pending ones) while the reader is at the bottom.
  const lastCount = useRef(-1);
  useLayoutEffect(() => {
    const first = lastCount.current === -1;
    lastCount.current = messages.length;
    if (!first && !atBottom.current) return;
    if (messages.length > 0) virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
    if (pending.length > 0) {
      const el = scrollRef.current;
      if (el) el.scrollTop = el.scrollHeight;
    }
  }, [messages.length, pending.length, virtualizer]);

  const items = virtualizer.getVirtualItems();
  return (
    <div
      className="msglist"
      ref={scrollRef}
      onScroll={onScroll}
      role="log"
      aria-live="off"
      aria-label={`Messages in ${channelTitle}`}
      tabIndex={0}
      data-testid="message-list"
      data-count={messages.length}
    >
      {messages.length === 0 && pending.length === 0 && <p className="msglist__empty">No messages yet.</p>}
      <div className="msglist__space" style={{ height: virtualizer.getTotalSize() }}>
        <div className="msglist__window" style={{ transform: `translateY(${items[0]?.start ?? 0}px)` }}>
          {items.map((row) => {
            const m = messages[row.index];
            if (!m) return null;
            return (
              <div key={row.key} data-index={row.index} ref={virtualizer.measureElement} className="msglist__row">
                <MessageItem m={m} scenario={scenario} byId={byId} self={self} selfName={selfName} onModerate={onModerate} />
              </div>
            );
          })}
        </div>
      </div>
      {pending.map((p) => (
        <div
          key={p.localId}
          className={`msg msg--own msg--${p.status}`}
          data-testid={p.status === 'failed' ? 'message-failed' : 'message-pending'}
        >
          <header className="msg__meta">
            <span className="msg__from">You</span>
            {p.to && <span className="msg__to">→ to {seatName(scenario, p.to)} only</span>}
            <span className="msg__status" role={p.status === 'failed' ? 'alert' : undefined}>
              {p.status === 'failed' ? `Not sent: ${p.error ?? 'refused'}` : p.status === 'sent' ? 'Delivered' : 'Sending…'}
            </span>
          </header>
          <p className="msg__text">{p.text}</p>
          {p.status === 'failed' && (
            <div className="msg__actions">
              <button type="button" className="btn btn--small" onClick={() => onRetry(p)}>
                Try again
              </button>
              <button type="button" className="btn btn--small btn--ghost" onClick={() => onDismiss(p)}>
                Dismiss
              </button>
            </div>
          )}
        </div>
      ))}
    </div>
  );
});
