import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { ChannelView, GameView, Message } from '@rubicon/shared';
import type { Session } from '../net/useSession.ts';
import { groupByChannel, markSeen, parseReadState, serializeReadState, unreadCounts, type ReadState } from '../net/unread.ts';
import { loadDraft, loadText, saveDraft, saveText } from '../net/storage.ts';
import { seatName } from '../lib/describe.ts';
import { MAX_MESSAGE } from '@rubicon/shared/limits';
import { CharCount } from '../common/CharCount.tsx';
import { authorLabel, MessageList, type PendingMessage } from './MessageList.tsx';

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

const KIND_LABEL: Record<ChannelView['kind'], string> = {
  public: 'Public',
  bilateral: 'Private',
  mediated: 'Mediated',
  team: 'Team',
};

let localCounter = 0;

/**
 * The channels a viewer is in: tabs with exact unread counts, the open
 * channel's messages (virtualized), and a composer whose draft survives a
 * reload. A sent message shows as pending until the server acknowledges it.
 */
export function ChannelPanel({ session, view, slot, self, selfName = null, heading = 'Channels' }: Props) {
  const channels = view.channels;
  const readKey = `read:${session.sessionId}:${slot}`;
  const activeKey = `channel:${session.sessionId}:${slot}`;
  const [active, setActive] = useState<string>(() => {
    const saved = loadText(activeKey);
    return saved && channels.some((c) => c.id === saved) ? saved : (channels[0]?.id ?? '');
  });
  const [read, setRead] = useState<ReadState>(() => parseReadState(loadText(readKey)));
  const [pending, setPending] = useState<PendingMessage[]>([]);
  const [announce, setAnnounce] = useState('');

  const channel = channels.find((c) => c.id === active) ?? channels[0];
  const activeId = channel?.id ?? '';
  const byChannel = useMemo(() => groupByChannel(session.messages), [session.messages]);
  const byId = useMemo(() => new Map(session.messages.map((m) => [m.id, m] as const)), [session.messages]);
  const channelIds = useMemo(() => channels.map((c) => c.id), [channels]);
  const reader = useMemo(() => ({ self }), [self]);
  const counts = useMemo(() => unreadCounts(read, byChannel, channelIds, reader), [read, byChannel, channelIds, reader]);
  const activeMessages = byChannel.get(activeId) ?? EMPTY;
  const activePending = useMemo(() => pending.filter((p) => p.channel === activeId), [pending, activeId]);

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
      setAnnounce(`${authorLabel(view.scenario, newest)} in ${channel?.title ?? ''}: ${newest.text}`);
    }
    lastSeq.current = newest?.seq ?? lastSeq.current ?? 0;
  }, [activeMessages, self, view.scenario, channel?.title]);

  // A pending message leaves once the update carrying it has arrived (which may come before or after the acknowledgement).
  useEffect(() => {
    const v = session.version ?? 0;
    setPending((list) => (list.some((p) => p.status === 'sent' && p.version !== null && p.version <= v) ? list.filter((p) => !(p.status === 'sent' && p.version !== null && p.version <= v)) : list));
  }, [session.version, pending]);

  const send = useCallback(
    async (p: PendingMessage) => {
      setPending((list) => [...list.filter((x) => x.localId !== p.localId), { ...p, status: 'sending', error: null }]);
      const r = await session.send({
        type: 'SEND_MESSAGE',
        channel: p.channel,
        text: p.text,
        ...(p.to ? { to: p.to } : {}),
        ...(p.relayOf ? { relayOf: p.relayOf } : {}),
      });
      setPending((list) =>
        list.map((x) =>
          x.localId !== p.localId ? x : r.ok ? { ...x, status: 'sent', version: r.version } : { ...x, status: 'failed', error: r.error.message },
        ),
      );
    },
    [session],
  );

  const retry = useCallback((p: PendingMessage) => void send(p), [send]);
  const [moderation, setModeration] = useState<string | null>(null);
  const moderate = useCallback(
    async (m: Message, from: 'display' | 'everyone' | 'none') => {
      const r = await session.send({ type: 'HIDE_MESSAGE', message: m.id, from });
      setModeration(
        r.ok
          ? from === 'none'
            ? 'The message is shown again.'
            : `Hidden from ${from === 'display' ? 'the shared display' : 'everyone but the white cell'}.`
          : `Not accepted: ${r.error.message}`,
      );
    },
    [session],
  );
  const onModerate = self === null && view.viewer.kind === 'facilitator' ? moderate : undefined;
  const dismiss = useCallback((p: PendingMessage) => setPending((list) => list.filter((x) => x.localId !== p.localId)), []);

  const tabRefs = useRef(new Map<string, HTMLButtonElement>());
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const delta = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
    let next = -1;
    if (delta) next = (index + delta + channels.length) % channels.length;
    if (e.key === 'Home') next = 0;
    if (e.key === 'End') next = channels.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const c = channels[next]!;
    setActive(c.id);
    tabRefs.current.get(c.id)?.focus();
  };

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
          <div className={`channels__tabs${channels.length > 7 ? ' channels__tabs--many' : ''}`} role="tablist" aria-label="Channels">
            {channels.map((c, i) => {
              const n = counts[c.id] ?? 0;
              const selected = c.id === activeId;
              return (
                <button
                  key={c.id}
                  ref={(el) => {
                    if (el) tabRefs.current.set(c.id, el);
                    else tabRefs.current.delete(c.id);
                  }}
                  type="button"
                  role="tab"
                  id={`tab-${c.id}`}
                  aria-selected={selected}
                  aria-controls="channel-panel"
                  tabIndex={selected ? 0 : -1}
                  className={`channels__tab${selected ? ' channels__tab--active' : ''}${!c.open ? ' channels__tab--closed' : ''}`}
                  onClick={() => setActive(c.id)}
                  onKeyDown={(e) => onTabKey(e, i)}
                  data-testid={`channel-tab-${c.id}`}
                >
                  <span className="channels__kind">{KIND_LABEL[c.kind]}</span>
                  <span className="channels__title">{c.title}</span>
                  {!c.open && <span className="channels__closed"> (closed)</span>}
                  {n > 0 && (
                    <span className="badge" data-testid={`unread-${c.id}`} aria-label={`${n} unread`}>
                      {n}
                    </span>
                  )}
                </button>
              );
            })}
          </div>
          {channel && (
            <div className="channels__body" role="tabpanel" id="channel-panel" aria-labelledby={`tab-${channel.id}`} data-testid="channel-panel" data-channel={channel.id}>
              <ChannelNote channel={channel} view={view} self={self} />
              <MessageList
                key={channel.id}
                scenario={view.scenario}
                channelTitle={channel.title}
                messages={activeMessages}
                byId={byId}
                pending={activePending}
                self={self}
                selfName={selfName}
                onRetry={retry}
                onDismiss={dismiss}
                onModerate={onModerate}
              />
              {onModerate && (
                <p className="small muted" role="status" data-testid="moderation-result">
                  {moderation}
                </p>
              )}
              <Composer
                key={`${slot}:${channel.id}`}
                channel={channel}
                view={view}
                self={self}
                draftKey={`${session.sessionId}:${slot}:msg:${channel.id}`}
                onSend={(text, to, relayOf) => {
                  const p: PendingMessage = {
                    localId: `local-${++localCounter}`,
                    channel: channel.id,
                    text,
                    to,
                    relayOf,
                    status: 'sending',
                    error: null,
                    version: null,
                  };
                  void send(p);
                }}
                messages={activeMessages}
              />
            </div>
          )}
        </>
      )}
      <p className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announce}
      </p>
    </section>
  );
}

const EMPTY: readonly Message[] = [];
const EVERYONE = '*';


function ChannelNote({ channel, view, self }: { channel: ChannelView; view: GameView; self: string | null }) {
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

interface ComposerProps {
  channel: ChannelView;
  view: GameView;
  self: string | null;
  draftKey: string;
  messages: readonly Message[];
  onSend: (text: string, to: string | null, relayOf: string | null) => void;
}

function Composer({ channel, view, self, draftKey, onSend, messages }: ComposerProps) {
  const [text, setText] = useState(() => loadDraft(draftKey) ?? '');
  const [to, setTo] = useState('');
  const [relayOf, setRelayOf] = useState<string | null>(null);
  const isRelay = channel.kind === 'mediated' && self !== null && channel.relay === self;
  const relayed = relayOf ? messages.find((m) => m.id === relayOf) : undefined;
  const recipients = channel.members.filter((m) => m !== self);

  useEffect(() => {
    const t = setTimeout(() => saveDraft(draftKey, text), 200);
    return () => clearTimeout(t);
  }, [text, draftKey]);

  const writable = channel.canWrite;
  const reason = !channel.open ? 'This channel is closed for now.' : 'You can read this channel but not write in it.';
  const trimmed = text.trim();

  const tooLong = text.length > MAX_MESSAGE;
  // The go-between says whom a message is for: there is no silent default to everyone.
  const needsAddressee = isRelay && to === '';
  const ready = writable && trimmed !== '' && !tooLong && !needsAddressee;

  const submit = () => {
    if (!ready) return;
    onSend(trimmed, isRelay && to !== EVERYONE ? to : null, isRelay ? relayOf : null);
    setText('');
    setRelayOf(null);
    saveDraft(draftKey, '');
  };

  const inputId = `composer-${channel.id}`;
  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      data-testid="composer"
    >
      {isRelay && (
        <RelayPicker
          messages={messages}
          self={self}
          view={view}
          relayOf={relayOf}
          onPick={(m) => {
            setRelayOf(m?.id ?? null);
            if (m && !text.trim()) setText(m.text);
          }}
        />
      )}
      {relayed && (
        <p className="composer__relay">
          Relaying {seatName(view.scenario, relayed.from)}’s message. Edit it if you wish before passing it on.
        </p>
      )}
      {isRelay && (
        <label className="composer__to">
          To
          <select value={to} onChange={(e) => setTo(e.target.value)} required data-testid="message-to">
            <option value="">Choose who receives this…</option>
            <option value={EVERYONE}>Everyone in {channel.title}</option>
            {recipients.map((m) => (
              <option key={m} value={m}>
                {seatName(view.scenario, m)} only
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="composer__row">
        <label htmlFor={inputId} className="visually-hidden">
          Message to {channel.title}
        </label>
        <textarea
          id={inputId}
          className="composer__input"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
          placeholder={writable ? `Write to ${channel.title}…` : reason}
          disabled={!writable}
          rows={2}
          data-testid="message-input"
          aria-describedby={`${inputId}-hint ${inputId}-count`}
          aria-invalid={tooLong || undefined}
        />
        <button type="submit" className="btn btn--primary" disabled={!ready} data-testid="send-message">
          Send
        </button>
      </div>
      <div className="composer__foot">
        <span id={`${inputId}-hint`} className="composer__hint">
          {!writable ? reason : needsAddressee ? 'Choose who receives it, then send.' : 'Enter sends, Shift+Enter for a new line.'}
        </span>
        <CharCount id={`${inputId}-count`} length={text.length} max={MAX_MESSAGE} />
      </div>
    </form>
  );
}

/** For the go-between: pick a principal's message to pass on. */
function RelayPicker({
  messages,
  self,
  view,
  relayOf,
  onPick,
}: {
  messages: readonly Message[];
  self: string | null;
  view: GameView;
  relayOf: string | null;
  onPick: (m: Message | null) => void;
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
