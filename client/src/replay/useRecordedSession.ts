import { useEffect, useState } from 'react';
import { Replayer, verifySessionFile, type Scenario, type SessionFile } from '@rubicon/shared';
import { ApiError, sessionFile, sessionScenario } from '../net/api.ts';
import { loadCredential } from '../net/storage.ts';

export interface RecordedSession {
  sessionId: string;
  token: string;
  file: SessionFile;
  scenario: Scenario;
  replayer: Replayer;
}

export type RecordedState = { status: 'loading' } | { status: 'failed'; message: string } | { status: 'ready'; session: RecordedSession };

/**
 * A session's whole history in this browser: its file and its scenario from
 * the server (facilitator token), checked with the same verifier the server
 * uses, and rebuilt with the engine itself, so every moment and every seat's
 * view is computed here exactly as the live server computed it.
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
    Promise.all([sessionFile(sessionId, cred.token), sessionScenario(sessionId, cred.token)])
      .then(([file, scenario]) => {
        const r = verifySessionFile(file, (id) => (id === scenario.id ? scenario : undefined));
        if (!r.ok) throw new Error(`${r.problem.message} (${r.problem.where})`);
        const replayer = new Replayer(r.session.game, r.session.log);
        if (live) setState({ status: 'ready', session: { sessionId, token: cred.token, file, scenario, replayer } });
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
