import type { ReactNode } from 'react';
import type { Session } from '../net/useSession.ts';
import { AppHeader } from '../common/AppHeader.tsx';
import { ConnectionBadge, useRetryInWords } from './ConnectionBadge.tsx';
import { JoinForm } from '../lobby/JoinForm.tsx';

/** What a session screen shows before it has a view: connecting, or why it cannot connect. */
export function SessionPending({ session, title, onForget }: { session: Session; title: string; onForget?: () => void }) {
  const failed = session.status === 'failed';
  const retry = useRetryInWords(session.status === 'unavailable' ? session.retryAt : null);
  return (
    <div className="page">
      <AppHeader context={<span>{title}</span>}>
        <ConnectionBadge status={session.status} retryAt={session.retryAt} />
      </AppHeader>
      <main id="main" className="narrow">
        {failed ? (
          <section className="panel" aria-labelledby="failed-heading">
            <h1 id="failed-heading">Cannot open this session</h1>
            <p className="alert" role="alert">
              {session.problem ?? 'The server refused this browser’s key for the session.'}
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
          <section className="panel loading" aria-labelledby="loading-heading" aria-busy="true">
            <h1 id="loading-heading">Connecting to the session…</h1>
            <p className="muted">
              {retry ? `The server is briefly unavailable; ${retry}.` : 'Fetching the latest state from the server.'}
            </p>
          </section>
        )}
      </main>
    </div>
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
