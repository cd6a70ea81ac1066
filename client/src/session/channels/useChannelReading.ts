import { useEffect, useMemo, useRef, useState } from 'react';
import type { ChannelView, GameView, WireMessage } from '@rubicon/shared';
import { groupByChannel, markSeen, parseReadState, serializeReadState, unreadCounts, type ReadState } from '../../net/unread.ts';
import { loadText, saveText } from '../../net/storage.ts';
import { authorLabel } from '../../lib/describe.ts';

const EMPTY: readonly WireMessage[] = [];

/**
 * Which channel is open and what the reader has read: the open tab and the
 * read marks survive a reload (under `slot`), unread counts are exact, and a
 * new message in the open channel is put into words for screen readers.
 */
export function useChannelReading({
  sessionId,
  messages,
  channels,
  scenario,
  slot,
  self,
}: {
  sessionId: string;
  messages: readonly WireMessage[];
  channels: readonly ChannelView[];
  scenario: GameView['scenario'];
  slot: string;
  self: string | null;
}) {
  const readKey = `read:${sessionId}:${slot}`;
  const activeKey = `channel:${sessionId}:${slot}`;
  const [active, setActive] = useState<string>(() => {
    const saved = loadText(activeKey);
    return saved && channels.some((c) => c.id === saved) ? saved : (channels[0]?.id ?? '');
  });
  const [read, setRead] = useState<ReadState>(() => parseReadState(loadText(readKey)));
  const [announce, setAnnounce] = useState('');

  const channel = channels.find((c) => c.id === active) ?? channels[0];
  const activeId = channel?.id ?? '';
  const byChannel = useMemo(() => groupByChannel(messages), [messages]);
  const channelIds = useMemo(() => channels.map((c) => c.id), [channels]);
  const reader = useMemo(() => ({ self }), [self]);
  const counts = useMemo(() => unreadCounts(read, byChannel, channelIds, reader), [read, byChannel, channelIds, reader]);
  const activeMessages = byChannel.get(activeId) ?? EMPTY;

  // What is on screen in the open channel is read.
  useEffect(() => {
    setRead((r) => markSeen(r, activeId, byChannel.get(activeId)));
  }, [activeId, byChannel]);

  useEffect(() => {
    const t = setTimeout(() => saveText(readKey, serializeReadState(read)), 300);
    return () => clearTimeout(t);
  }, [read, readKey]);

  useEffect(() => saveText(activeKey, activeId || null), [activeKey, activeId]);

  // Screen readers hear new messages in the open channel (not each row the list renders while scrolling).
  const lastSeq = useRef<number | null>(null);
  useEffect(() => {
    const newest = activeMessages[activeMessages.length - 1];
    if (lastSeq.current !== null && newest && newest.seq > lastSeq.current && newest.from !== self) {
      setAnnounce(`${authorLabel(scenario, newest)} in ${channel?.title ?? ''}: ${newest.text}`);
    }
    lastSeq.current = newest?.seq ?? lastSeq.current ?? 0;
  }, [activeMessages, self, scenario, channel?.title]);

  return { channel, activeId, setActive, counts, activeMessages, announce };
}
