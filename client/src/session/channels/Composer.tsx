import { useEffect, useState, type Dispatch, type SetStateAction } from 'react';
import type { ChannelView, GameView, WireMessage } from '@rubicon/shared';
import { MAX_MESSAGE } from '@rubicon/shared/limits';
import { loadDraft, saveDraft } from '../../net/storage.ts';
import { seatName } from '../../lib/describe.ts';
import { CharCount } from '../../common/CharCount.tsx';
import { RelayPicker } from './RelayPicker.tsx';

const EVERYONE = '*';

interface ComposerProps {
  channel: ChannelView;
  view: GameView;
  self: string | null;
  draftKey: string;
  messages: readonly WireMessage[];
  onSend: (text: string, to: string | null, relayOf: string | null) => void;
}

/**
 * Writing to the open channel: the draft survives a reload, a counter shows
 * the length against the limit (too long is refused, not cut), and the
 * go-between names an addressee before Send, with no default.
 */
export function Composer({ channel, view, self, draftKey, onSend, messages }: ComposerProps) {
  const c = useComposer(channel, self, draftKey, onSend);
  const inputId = `composer-${channel.id}`;
  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        c.submit();
      }}
      data-testid="composer"
    >
      <GoBetweenFields channel={channel} view={view} self={self} messages={messages} isRelay={c.isRelay} relayOf={c.relayOf} to={c.to} onTo={c.setTo} onPick={c.pick} />
      <MessageField
        inputId={inputId}
        title={channel.title}
        text={c.text}
        onText={c.setText}
        onSubmit={c.submit}
        writable={c.writable}
        tooLong={c.tooLong}
        ready={c.ready}
        hint={!c.writable ? c.reason : c.needsAddressee ? 'Choose who receives it, then send.' : 'Enter sends, Shift+Enter for a new line.'}
        placeholder={c.writable ? `Write to ${channel.title}…` : c.reason}
      />
    </form>
  );
}

/** The message being written, whom the go-between sends it to and which message it passes on, and whether it can be sent. */
function useComposer(channel: ChannelView, self: string | null, draftKey: string, onSend: ComposerProps['onSend']) {
  const [text, setText] = useDraft(draftKey);
  const [to, setTo] = useState('');
  const [relayOf, setRelayOf] = useState<string | null>(null);
  const isRelay = channel.kind === 'mediated' && self !== null && channel.relay === self;

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
  const pick = (m: WireMessage | null) => {
    setRelayOf(m?.id ?? null);
    if (m && !text.trim()) setText(m.text);
  };
  return { text, setText, to, setTo, relayOf, isRelay, writable, reason, tooLong, needsAddressee, ready, submit, pick };
}

/** The message being written, kept in storage (a moment after each keystroke) so a reload loses nothing. */
function useDraft(draftKey: string): [string, Dispatch<SetStateAction<string>>] {
  const [text, setText] = useState(() => loadDraft(draftKey) ?? '');
  useEffect(() => {
    const t = setTimeout(() => saveDraft(draftKey, text), 200);
    return () => clearTimeout(t);
  }, [text, draftKey]);
  return [text, setText];
}

interface GoBetweenProps {
  channel: ChannelView;
  view: GameView;
  self: string | null;
  messages: readonly WireMessage[];
  /** This seat is the channel's go-between. */
  isRelay: boolean;
  relayOf: string | null;
  to: string;
  onTo: (to: string) => void;
  onPick: (message: WireMessage | null) => void;
}

/** What only the go-between of a mediated channel sees: which message it passes on, and to whom. */
function GoBetweenFields({ channel, view, self, messages, isRelay, relayOf, to, onTo, onPick }: GoBetweenProps) {
  const relayed = relayOf ? messages.find((m) => m.id === relayOf) : undefined;
  const recipients = channel.members.filter((m) => m !== self);
  return (
    <>
      {isRelay && <RelayPicker messages={messages} self={self} view={view} relayOf={relayOf} onPick={onPick} />}
      {relayed && (
        <p className="composer__relay">
          Relaying {seatName(view.scenario, relayed.from)}’s message. Edit it if you wish before passing it on.
        </p>
      )}
      {isRelay && (
        <label className="composer__to">
          To
          <select value={to} onChange={(e) => onTo(e.target.value)} required data-testid="message-to">
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
    </>
  );
}

interface MessageFieldProps {
  inputId: string;
  title: string;
  text: string;
  onText: (text: string) => void;
  onSubmit: () => void;
  writable: boolean;
  tooLong: boolean;
  ready: boolean;
  /** The line under the field: why it cannot be written in, or how to send. */
  hint: string;
  placeholder: string;
}

/** The text field and Send, with its hint and character count. Enter sends; Shift+Enter (or composing) does not. */
function MessageField({ inputId, title, text, onText, onSubmit, writable, tooLong, ready, hint, placeholder }: MessageFieldProps) {
  return (
    <>
      <div className="composer__row">
        <label htmlFor={inputId} className="visually-hidden">
          Message to {title}
        </label>
        <textarea
          id={inputId}
          className="composer__input"
          value={text}
          onChange={(e) => onText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              onSubmit();
            }
          }}
          placeholder={placeholder}
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
          {hint}
        </span>
        <CharCount id={`${inputId}-count`} length={text.length} max={MAX_MESSAGE} />
      </div>
    </>
  );
}
