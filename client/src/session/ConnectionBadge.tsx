import { useEffect, useState } from 'react';
import { isOutage, type Connection, type ConnectionStatus } from '../net/connection.ts';

const TEXT: Record<Exclude<ConnectionStatus, 'retrying'>, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  failed: 'Disconnected',
};

/** When a refused hello is said again, in words: "trying again in 3 s" (never under 1 s, so never "in 0 s"). */
export function retryInWords(retryAt: number, now: number): string {
  return `trying again in ${Math.max(1, Math.ceil((retryAt - now) / 1000))} s`;
}

/** The words for a retry due at `retryAt`, brought up to date every second while one is due. */
export function useRetryInWords(retryAt: number | null): string | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (retryAt === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [retryAt]);
  return retryAt === null ? null : retryInWords(retryAt, now);
}

/** The badge's words: while a refused hello waits, whether the server is out or a limit turned it away. */
function badgeText(connection: Connection): string {
  if (connection.status !== 'retrying') return TEXT[connection.status];
  return isOutage(connection.reason) ? 'Server briefly unavailable' : 'Refused by a server limit';
}

/**
 * Whether updates are flowing, in words and a symbol (never colour alone); when the server asked for a wait, how
 * long, and for a limit its own words on hover (the badge is too small for them; the pending screen shows them).
 */
export function ConnectionBadge({ connection }: { connection: Connection }) {
  const waiting = connection.status === 'retrying' ? connection : null;
  const retry = useRetryInWords(waiting?.retryAt ?? null);
  const { status } = connection;
  return (
    <span
      className={`conn conn--${status}`}
      role="status"
      data-testid="connection"
      data-status={status}
      data-reason={waiting?.reason}
      title={waiting && !isOutage(waiting.reason) ? waiting.message : undefined}
    >
      <span aria-hidden="true">{status === 'live' ? '● ' : status === 'failed' ? '✕ ' : '◌ '}</span>
      {badgeText(connection)}
      {retry && `, ${retry}`}
    </span>
  );
}
