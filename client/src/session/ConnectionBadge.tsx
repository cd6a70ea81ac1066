import { useEffect, useState } from 'react';
import type { ConnectionStatus } from '../net/connection.ts';

const TEXT: Record<ConnectionStatus, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  unavailable: 'Server briefly unavailable',
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

/** Whether updates are flowing, in words and a symbol (never colour alone); when the server asked for a wait, how long. */
export function ConnectionBadge({ status, retryAt = null }: { status: ConnectionStatus; retryAt?: number | null }) {
  const retry = useRetryInWords(status === 'unavailable' ? retryAt : null);
  return (
    <span className={`conn conn--${status}`} role="status" data-testid="connection" data-status={status}>
      <span aria-hidden="true">{status === 'live' ? '● ' : status === 'failed' ? '✕ ' : '◌ '}</span>
      {TEXT[status]}
      {retry && `, ${retry}`}
    </span>
  );
}
