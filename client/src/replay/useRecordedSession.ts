import { useEffect, useState } from 'react';
import type { Replayer, Scenario, SessionFile, VerifiedSession } from '@rubicon/shared';
import { ApiError } from '../net/api.ts';
import { loadCredential } from '../net/storage.ts';
import { loadRecording } from './recorded-session.ts';

export interface RecordedSession {
  sessionId: string;
  token: string;
  file: SessionFile;
  scenario: Scenario;
  verified: VerifiedSession;
  replayer: Replayer;
}

export type RecordedState = { status: 'loading' } | { status: 'failed'; message: string } | { status: 'ready'; session: RecordedSession };

/**
 * A session's whole history in this browser (recorded-session.ts), rebuilt
 * with the engine itself, so every moment and every seat's view is computed
 * here exactly as the live server computed it.
 */
export function useRecordedSession(sessionId: string): RecordedState {
  const [state, setState] = useState<RecordedState>({ status: 'loading' });
  useEffect(() => {
    const cred = loadCredential(sessionId, 'facilitator');
    if (!cred) {
      setState({ status: 'failed', message: 'This browser holds no facilitator token for this session. Open the session file from the start page instead.' });
      return;
    }
    let live = true;
    loadRecording(sessionId, cred.token)
      .then(({ file, scenario, verified, replayer }) => {
        if (live) setState({ status: 'ready', session: { sessionId, token: cred.token, file, scenario, verified, replayer } });
      })
      .catch((err: unknown) => {
        if (live) setState({ status: 'failed', message: err instanceof ApiError || err instanceof Error ? err.message : 'The session could not be loaded.' });
      });
    return () => {
      live = false;
    };
  }, [sessionId]);
  return state;
}
