import { useEffect, useState } from 'react';
import type { AccessCode, SessionSummary } from '@rubicon/shared';
import { ApiError, changeAccess, sessionSummary } from '../net/api.ts';
import { adoptReissuedOwnerToken } from '../net/storage.ts';

export type AccessAction = 'revoke' | 'reissue';

export interface SetupSummary {
  summary: SessionSummary | null;
  error: string | null;
  /** What the last change to the creator's token did, for a status line; null before one. */
  notice: string | null;
  /** Revoke or re-issue one code (and every token redeemed from it), then show the codes as they now stand. Resolves once answered, either way. */
  access: (key: string, action: AccessAction) => Promise<void>;
}

/**
 * What re-issuing the creator's token means for this browser: when it held the old token, the new one is
 * stored and handed to `onToken` (the screen reconnects with it; the server has dropped the old socket).
 */
export function afterOwnerReissue(sessionId: string, answer: AccessCode, onToken: (token: string) => void): string {
  const adopted = adoptReissuedOwnerToken(sessionId, answer);
  if (!adopted) return 'The creator’s facilitator token was replaced: the old one no longer works. This browser’s access is unchanged.';
  onToken(adopted);
  return 'Your facilitator token was replaced: the old one no longer works on any device. This browser now uses the new one.';
}

/** The facilitator's view of the session's access codes, fetched again after each change to them. */
export function useSetupSummary(sessionId: string, token: string | null, onToken: (token: string) => void): SetupSummary {
  const [summary, setSummary] = useState<SessionSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);
  useEffect(() => {
    document.title = 'Session setup · Rubicon';
    if (!token) return;
    sessionSummary(sessionId, token).then(setSummary, (err: unknown) =>
      setError(err instanceof ApiError ? err.message : 'Could not load the session.'),
    );
  }, [sessionId, token, refresh]);
  const access = (key: string, action: AccessAction): Promise<void> => {
    if (!token) return Promise.resolve();
    return changeAccess(sessionId, key, action, token).then(
      (answer) => {
        if (key === 'owner') setNotice(afterOwnerReissue(sessionId, answer, onToken));
        setRefresh((n) => n + 1);
      },
      (err: unknown) => setError(err instanceof ApiError ? err.message : 'Could not change the code.'),
    );
  };
  return { summary, error, notice, access };
}
