import { useMemo } from 'react';
import type { GameView, WireMessage } from '@rubicon/shared';
import { authorLabel } from '../lib/describe.ts';
import { timeOfDay } from '../lib/time.ts';

/**
 * Notes that seats sent to the white cell alone (SEND_MESSAGE `toWhiteCell`),
 * newest first: how a seat played by a language model reports that it fell
 * back to its default move, and why. They are messages of the session's log,
 * so they are all here after a reload or a rewind.
 */
export function WhiteCellNotes({ view, messages }: { view: GameView; messages: readonly WireMessage[] }) {
  const notes = useMemo(() => messages.filter((m) => m.toWhiteCell).reverse(), [messages]);
  if (notes.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="white-cell-notes-heading" data-testid="white-cell-notes">
      <h2 id="white-cell-notes-heading" className="panel-title">
        Notes from the seats <span className="tag">white cell only</span>
      </h2>
      <ul className="prose" aria-live="polite">
        {notes.map((m) => (
          <li key={m.id} data-testid="white-cell-note" data-from={m.from ?? 'white-cell'}>
            <strong>{authorLabel(view.scenario, m)}</strong>{' '}
            <time className="muted small" dateTime={new Date(m.at).toISOString()}>
              {timeOfDay(m.at)}
            </time>
            : {m.text}
          </li>
        ))}
      </ul>
    </section>
  );
}
