import type { WireMessage } from '@rubicon/shared';

/** Where the white cell hides a message from: the shared display, everyone but itself, or nowhere (shown again). */
export type HideFrom = 'display' | 'everyone' | 'none';
export type Moderate = (m: WireMessage, from: HideFrom) => void;

/** The white cell's buttons under a message: hide it from the display or from everyone, or show it again. */
export function ModerationControls({ m, onModerate }: { m: WireMessage; onModerate: Moderate }) {
  return (
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
  );
}
