import type { GameView } from '@rubicon/shared';
import { seatName } from '../../lib/describe.ts';
import type { PendingMessage } from './usePendingMessages.ts';

/** A message of the reader's on its way: sending, delivered, or refused with a retry. */
export function PendingMessageItem({
  p,
  scenario,
  onRetry,
  onDismiss,
}: {
  p: PendingMessage;
  scenario: GameView['scenario'];
  onRetry: (p: PendingMessage) => void;
  onDismiss: (p: PendingMessage) => void;
}) {
  return (
    <div className={`msg msg--own msg--${p.status}`} data-testid={p.status === 'failed' ? 'message-failed' : 'message-pending'}>
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
  );
}
