import { useEffect, useState } from 'react';
import type { SessionSummary } from '@rubicon/shared';
import { ApiError, changeAccess, sessionSummary } from '../net/api.ts';

export type AccessAction = 'revoke' | 'reissue';

export interface SetupSummary {
  summary: SessionSummary | null;
  error: string | null;
  /** Revoke or re-issue one code (and every token redeemed from it), then show the codes as they now stand. */
  access: (key: string, action: AccessAction) => void;
}

/** The facilitator's view of the session's access codes, fetched again after each change to them. */
export function useSetupSummary(sessionId: string, token: string | null): SetupSummary {
  const [summary, setSummary] = useState<SessionSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);
  useEffect(() => {
    document.title = 'Session setup · Rubicon';
    if (!token) return;
    sessionSummary(sessionId, token).then(setSummary, (err: unknown) =>
      setError(err instanceof ApiError ? err.message : 'Could not load the session.'),
    );
  }, [sessionId, token, refresh]);
  const access = (key: string, action: AccessAction) => {
    if (!token) return;
    changeAccess(sessionId, key, action, token).then(
      () => setRefresh((n) => n + 1),
      (err: unknown) => setError(err instanceof ApiError ? err.message : 'Could not change the code.'),
    );
  };
  return { summary, error, access };
}
