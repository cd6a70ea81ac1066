import type { ConnectionStatus } from '../net/connection.ts';

const TEXT: Record<ConnectionStatus, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  failed: 'Disconnected',
};

/** Whether updates are flowing, in words and a symbol (never colour alone). */
export function ConnectionBadge({ status }: { status: ConnectionStatus }) {
  return (
    <span className={`conn conn--${status}`} role="status" data-testid="connection" data-status={status}>
      <span aria-hidden="true">{status === 'live' ? '● ' : status === 'failed' ? '✕ ' : '◌ '}</span>
      {TEXT[status]}
    </span>
  );
}
