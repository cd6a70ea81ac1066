import type { ReactNode } from 'react';
import type { Connection } from '../net/connection.ts';
import type { Session } from '../net/useSession.ts';
import { AppHeader } from '../common/AppHeader.tsx';
import { ConnectionBadge, useRetryInWords } from './ConnectionBadge.tsx';
import { JoinForm } from '../lobby/JoinForm.tsx';
import { LimitRefusalText, useLimitRefusal } from './LimitRefusal.tsx';

/** What a session screen shows before it has a view: connecting, or why it cannot connect. */
export function SessionPending({ session, title, onForget }: { session: Session; title: string; onForget?: () => void }) {
  const { connection } = session;
  return (
    <div className="page">
      <AppHeader context={<span>{title}</span>}>
        <ConnectionBadge connection={connection} />
      </AppHeader>
      <main id="main" className="narrow">
        {connection.status === 'failed' ? (
          <section className="panel" aria-labelledby="failed-heading">
            <h1 id="failed-heading">Cannot open this session</h1>
            <p className="alert" role="alert">
              {connection.problem}
            </p>
            <p>If you have a join code, enter it to join again.</p>
            <JoinForm />
            {onForget && (
              <button type="button" className="btn btn--ghost" onClick={onForget}>
                Forget this session on this device
              </button>
            )}
          </section>
        ) : (
          <ConnectingPanel connection={connection} />
        )}
      </main>
    </div>
  );
}

/**
 * What the wait is: a refusal by a limit in the server's own words, which say what to do (close a tab), with when
 * this page tries again by itself (not marked busy, so that the words are read out); an outage in general words;
 * otherwise that the state is on its way.
 */
function ConnectingPanel({ connection }: { connection: Connection }) {
  const refusal = useLimitRefusal(connection);
  const retry = useRetryInWords(connection.status === 'retrying' ? connection.retryAt : null);
  if (refusal) {
    return (
      <section className="panel loading" aria-labelledby="loading-heading">
        <h1 id="loading-heading">Waiting to connect to the session</h1>
        <LimitRefusalText refusal={refusal} />
      </section>
    );
  }
  return (
    <section className="panel loading" aria-labelledby="loading-heading" aria-busy="true">
      <h1 id="loading-heading">Connecting to the session…</h1>
      <p className="muted">{retry ? `The server is briefly unavailable; ${retry}.` : 'Fetching the latest state from the server.'}</p>
    </section>
  );
}

/** A screen for a role this browser holds no key for. */
export function NeedsJoin({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="page">
      <AppHeader context={<span>{title}</span>} />
      <main id="main" className="narrow">
        <section className="panel" aria-labelledby="needs-join-heading">
          <h1 id="needs-join-heading">Join this session</h1>
          {children ?? <p>This device has not joined this session yet. Enter the join code you were given.</p>}
          <JoinForm autoFocus />
        </section>
      </main>
    </div>
  );
}
