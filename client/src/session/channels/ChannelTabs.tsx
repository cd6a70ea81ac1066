import { useRef, type KeyboardEvent } from 'react';
import type { ChannelView } from '@rubicon/shared';

const KIND_LABEL: Record<ChannelView['kind'], string> = {
  public: 'Public',
  bilateral: 'Private',
  mediated: 'Mediated',
  team: 'Team',
};

/**
 * The keyboard of a tab list (WAI-ARIA tabs): arrow keys move to the next or
 * previous tab, wrapping, Home and End to the first and last; the tab reached
 * is selected and focused.
 */
function useTabKeys(channels: readonly ChannelView[], onSelect: (id: string) => void) {
  const tabRefs = useRef(new Map<string, HTMLButtonElement>());
  const tabRef = (id: string) => (el: HTMLButtonElement | null) => {
    if (el) tabRefs.current.set(id, el);
    else tabRefs.current.delete(id);
  };
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const delta = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
    let next = -1;
    if (delta) next = (index + delta + channels.length) % channels.length;
    if (e.key === 'Home') next = 0;
    if (e.key === 'End') next = channels.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const c = channels[next]!;
    onSelect(c.id);
    tabRefs.current.get(c.id)?.focus();
  };
  return { tabRef, onTabKey };
}

/** The channels as tabs, each with its unread count; arrow keys, Home and End move between them. */
export function ChannelTabs({
  channels,
  activeId,
  counts,
  onSelect,
}: {
  channels: readonly ChannelView[];
  activeId: string;
  counts: Readonly<Record<string, number>>;
  onSelect: (id: string) => void;
}) {
  const { tabRef, onTabKey } = useTabKeys(channels, onSelect);
  return (
    <div className={`channels__tabs${channels.length > 7 ? ' channels__tabs--many' : ''}`} role="tablist" aria-label="Channels">
      {channels.map((c, i) => {
        const n = counts[c.id] ?? 0;
        const selected = c.id === activeId;
        return (
          <button
            key={c.id}
            ref={tabRef(c.id)}
            type="button"
            role="tab"
            id={`tab-${c.id}`}
            aria-selected={selected}
            aria-controls="channel-panel"
            tabIndex={selected ? 0 : -1}
            className={`channels__tab${selected ? ' channels__tab--active' : ''}${!c.open ? ' channels__tab--closed' : ''}`}
            onClick={() => onSelect(c.id)}
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
  );
}
