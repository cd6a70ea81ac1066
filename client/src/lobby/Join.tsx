import { useEffect, useRef, useState } from 'react';
import { AppHeader } from '../common/AppHeader.tsx';
import { JoinForm, redeem } from './JoinForm.tsx';
import { ApiError, normalizeCode } from '../net/api.ts';
import { navigate } from '../router.ts';

/** `/join/:code`: redeems the code from a link or QR code, then goes to the team console or the display. */
export function Join({ code }: { code: string }) {
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);
  useEffect(() => {
    document.title = 'Joining… · Rubicon';
    if (started.current) return;
    started.current = true;
    redeem(code).then(
      (to) => navigate(to, { replace: true }),
      (err: unknown) => setError(err instanceof ApiError ? err.message : 'That code did not work.'),
    );
  }, [code]);
  return (
    <div className="page">
      <AppHeader />
      <main id="main" className="narrow">
        <section className="panel" aria-labelledby="join-heading" aria-busy={!error}>
          <h1 id="join-heading">{error ? 'Could not join' : `Joining with code ${normalizeCode(code)}…`}</h1>
          {error && (
            <>
              <p className="alert" role="alert" data-testid="join-error">
                {error}
              </p>
              <JoinForm initial={code} autoFocus />
            </>
          )}
        </section>
      </main>
    </div>
  );
}
