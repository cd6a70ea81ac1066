import { useMemo, type ComponentProps } from 'react';
import type { ChannelView, GameView } from '@rubicon/shared';
import type { Session } from '../../net/useSession.ts';
import { ChannelNote } from './ChannelNote.tsx';
import { ChannelTabs } from './ChannelTabs.tsx';
import { Composer } from './Composer.tsx';
import { MessageList } from './MessageList.tsx';
import { useChannelReading } from './useChannelReading.ts';
import { useModeration } from './useModeration.ts';
import { usePendingMessages } from './usePendingMessages.ts';

interface Props {
  session: Session;
  view: GameView;
  /** Storage slot of the reader (e.g. "seat:iran", "facilitator"), for drafts and read marks. */
  slot: string;
  /** The reader's seat, or null for the white cell. */
  self: string | null;
  /** The reader's own name inside the seat, if given. */
  selfName?: string | null;
  heading?: string;
}

/**
 * The channels a viewer is in: tabs with exact unread counts, the open
 * channel's messages (virtualized), and a composer whose draft survives a
 * reload. A sent message shows as pending until the server acknowledges it.
 * The white cell also gets moderation under each message.
 */
export function ChannelPanel({ session, view, slot, self, selfName = null, heading = 'Channels' }: Props) {
  const channels = view.channels;
  const { channel, activeId, setActive, counts, activeMessages, announce } = useChannelReading({
    sessionId: session.sessionId,
    messages: session.messages,
    channels,
    scenario: view.scenario,
    slot,
    self,
  });
  const byId = useMemo(() => new Map(session.messages.map((m) => [m.id, m] as const)), [session.messages]);
  const { pending, post, retry, dismiss } = usePendingMessages(session);
  const activePending = useMemo(() => pending.filter((p) => p.channel === activeId), [pending, activeId]);
  const { moderate, result: moderation } = useModeration(session);
  const onModerate = self === null && view.viewer.kind === 'facilitator' ? moderate : undefined;
  const totalUnread = Object.values(counts).reduce((a, b) => a + b, 0);

  return (
    <section className="channels panel" aria-labelledby="channels-heading" data-testid="channels">
      <h2 id="channels-heading" className="panel-title">
        {heading}
        {totalUnread > 0 && <span className="channels__total"> · {totalUnread} unread</span>}
      </h2>
      {channels.length === 0 ? (
        <p className="muted">No channels.</p>
      ) : (
        <>
          <ChannelTabs channels={channels} activeId={activeId} counts={counts} onSelect={setActive} />
          {channel && (
            <OpenChannel
              channel={channel}
              view={view}
              self={self}
              selfName={selfName}
              slot={slot}
              sessionId={session.sessionId}
              messages={activeMessages}
              byId={byId}
              pending={activePending}
              onRetry={retry}
              onDismiss={dismiss}
              onModerate={onModerate}
              moderation={moderation}
              onSend={(text, to, relayOf) => post(channel.id, text, to, relayOf)}
            />
          )}
        </>
      )}
      <p className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announce}
      </p>
    </section>
  );
}

type MessageListProps = ComponentProps<typeof MessageList>;

interface OpenChannelProps extends Pick<MessageListProps, 'byId' | 'pending' | 'onRetry' | 'onDismiss' | 'onModerate'> {
  channel: ChannelView;
  view: GameView;
  self: string | null;
  selfName: string | null;
  slot: string;
  sessionId: string;
  messages: MessageListProps['messages'];
  /** What the white cell's last moderation did, said under the messages. */
  moderation: string | null;
  onSend: ComponentProps<typeof Composer>['onSend'];
}

/** The open channel: its note, its messages (with moderation for the white cell) and the composer. */
function OpenChannel({ channel, view, self, selfName, slot, sessionId, messages, byId, pending, onRetry, onDismiss, onModerate, moderation, onSend }: OpenChannelProps) {
  return (
    <div className="channels__body" role="tabpanel" id="channel-panel" aria-labelledby={`tab-${channel.id}`} data-testid="channel-panel" data-channel={channel.id}>
      <ChannelNote channel={channel} view={view} self={self} />
      <MessageList
        key={channel.id}
        scenario={view.scenario}
        channelTitle={channel.title}
        messages={messages}
        byId={byId}
        pending={pending}
        self={self}
        selfName={selfName}
        onRetry={onRetry}
        onDismiss={onDismiss}
        onModerate={onModerate}
      />
      {onModerate && (
        <p className="small muted" role="status" data-testid="moderation-result">
          {moderation}
        </p>
      )}
      <Composer key={`${slot}:${channel.id}`} channel={channel} view={view} self={self} draftKey={`${sessionId}:${slot}:msg:${channel.id}`} onSend={onSend} messages={messages} />
    </div>
  );
}
