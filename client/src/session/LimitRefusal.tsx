import { isOutage, type Connection } from '../net/connection.ts';
import { useRetryInWords } from './ConnectionBadge.tsx';

/** A hello the server refused by a limit (not an outage): its own words, and when this page says hello again. */
export interface LimitRefusal {
  message: string;
  retry: string;
}

/**
 * The connection's refusal by a limit (such as the token's cap on tabs), kept up to date every second; null
 * while connected, connecting, or refused by an outage (whose words are for a client, not a person).
 */
export function useLimitRefusal(connection: Connection): LimitRefusal | null {
  const waiting = connection.status === 'retrying' ? connection : null;
  const retry = useRetryInWords(waiting?.retryAt ?? null);
  if (!waiting || !retry || isOutage(waiting.reason)) return null;
  return { message: waiting.message, retry };
}

/** The refusal's words (which say what to do: close a tab) and the countdown; an alert, so that it is read out. */
export function LimitRefusalText({ refusal }: { refusal: LimitRefusal }) {
  return (
    <>
      <p className="alert alert--info" role="alert" data-testid="hello-refusal">
        {refusal.message}
      </p>
      <p className="muted">{`This page is ${refusal.retry}.`}</p>
    </>
  );
}

/**
 * In a screen that already shows the game: a tab whose reconnect was refused by a limit says so above the game,
 * which stays as it was when the connection dropped; gone as soon as the tab is connected again.
 */
export function LimitRefusalBanner({ connection }: { connection: Connection }) {
  const refusal = useLimitRefusal(connection);
  if (!refusal) return null;
  return (
    <section className="panel limit-refusal" aria-labelledby="limit-refusal-heading" data-testid="limit-refusal">
      <h2 id="limit-refusal-heading" className="panel-title">
        Not connected: what you see is not being updated
      </h2>
      <LimitRefusalText refusal={refusal} />
    </section>
  );
}
