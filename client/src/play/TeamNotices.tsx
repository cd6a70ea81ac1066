import { useMemo, useState } from 'react';
import type { GameView } from '@rubicon/shared';
import { loadText, saveText } from '../net/storage.ts';
import { timeOfDay } from '../lib/time.ts';
import { teamNotices, type TeamNotice } from './notices.ts';

const ICON: Record<TeamNotice['kind'], string> = {
  inject: '⚡',
  rewind: '↺',
  default: '!',
  pause: '❚❚',
  resume: '▶',
  extend: '+',
  override: '✎',
};

/**
 * Notices for what happened to this team since it last looked: they stay
 * until dismissed (a dismissal is remembered on this device), and every one
 * is also kept in the history below.
 */
export function TeamNotices({ view, seat, storageKey }: { view: GameView; seat: string | null; storageKey: string }) {
  const all = useMemo(() => teamNotices(view, seat), [view, seat]);
  const [seen, setSeen] = useState(() => Number(loadText(storageKey) ?? '0') || 0);
  const fresh = all.filter((n) => n.version > seen).slice(-3).reverse();
  const dismiss = () => {
    const v = all.at(-1)?.version ?? seen;
    setSeen(v);
    saveText(storageKey, String(v));
  };
  return (
    <div className="notices" role="status" aria-live="polite" data-testid="team-notices">
      {fresh.map((n) => (
        <article key={n.key} className={`notice notice--${n.kind}`} data-testid="team-notice" data-kind={n.kind}>
          <span className="notice__icon" aria-hidden="true">
            {ICON[n.kind]}
          </span>
          <div className="notice__body">
            <h2 className="notice__title">{n.title}</h2>
            <p className="notice__text">{n.text}</p>
          </div>
        </article>
      ))}
      {fresh.length > 0 && (
        <button type="button" className="btn btn--small notices__ok" onClick={dismiss} data-testid="notice-dismiss">
          Got it
        </button>
      )}
    </div>
  );
}

/** Every notice this team has had, newest first, for the history column. */
export function NoticeHistory({ view, seat }: { view: GameView; seat: string | null }) {
  const all = useMemo(() => teamNotices(view, seat).reverse(), [view, seat]);
  return (
    <section className="panel" aria-labelledby="notices-heading" data-testid="notice-history">
      <h2 id="notices-heading" className="panel-title">
        From the white cell
      </h2>
      {all.length === 0 ? (
        <p className="muted">No injects, pauses or rewinds yet.</p>
      ) : (
        <ol className="notice-list">
          {all.map((n) => (
            <li key={n.key} className={`notice-list__item notice--${n.kind}`} data-kind={n.kind}>
              <span className="notice-list__time">{timeOfDay(n.at)}</span> <strong>{n.title}</strong>
              <span className="notice-list__text">{n.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
