import { memo, useLayoutEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { GameView, WireMessage } from '@rubicon/shared';
import { MessageItem } from './MessageItem.tsx';
import type { Moderate } from './ModerationControls.tsx';
import { PendingMessageItem } from './PendingMessageItem.tsx';
import type { PendingMessage } from './usePendingMessages.ts';

interface Props {
  scenario: GameView['scenario'];
  channelTitle: string;
  messages: readonly WireMessage[];
  /** Every message by id, to show what a relay passes on. */
  byId: ReadonlyMap<string, WireMessage>;
  pending: readonly PendingMessage[];
  self: string | null;
  /** The reader's own name inside the seat, to tell their messages from a teammate's. */
  selfName?: string | null;
  onRetry: (p: PendingMessage) => void;
  onDismiss: (p: PendingMessage) => void;
  /** The white cell's moderation: hide a message from the display or from everyone, or show it again. */
  onModerate?: Moderate | undefined;
}

/**
 * A channel's messages, virtualized: only the rows on screen are in the DOM,
 * so thousands of messages scroll and update without lag. Sticks to the
 * bottom while the reader is at the bottom.
 */
export const MessageList = memo(function MessageList({ scenario, channelTitle, messages, byId, pending, self, selfName = null, onRetry, onDismiss, onModerate }: Props) {
  const { scrollRef, virtualizer, onScroll } = useFollowingList(messages, pending.length);
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
        <PendingMessageItem key={p.localId} p={p} scenario={scenario} onRetry={onRetry} onDismiss={onDismiss} />
      ))}
    </div>
  );
});

/**
 * The list's rows, virtualized, and its scrolling: it opens at the newest
 * message and follows new ones (and the reader's own pending ones) while the
 * reader is at the bottom, and stays put once they scroll up to read.
 */
function useFollowingList(messages: readonly WireMessage[], pendingCount: number) {
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
    if (pendingCount > 0) {
      const el = scrollRef.current;
      if (el) el.scrollTop = el.scrollHeight;
    }
  }, [messages.length, pendingCount, virtualizer]);
  return { scrollRef, virtualizer, onScroll };
}
