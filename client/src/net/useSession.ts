import { createContext, useContext, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { Command } from '@rubicon/shared';
import { idleSnapshot, SessionConnection, type SendOutcome, type SessionSnapshot } from './connection.ts';
import { adoptPreconnected } from './preconnect.ts';

export interface Session extends SessionSnapshot {
  sessionId: string;
  send: (command: Command) => Promise<SendOutcome>;
}

const noSubscribe = () => () => {};
const idle = () => idleSnapshot;
const notConnected = (): Promise<SendOutcome> =>
  Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'Not connected to the session.' } });

/** A live connection to one session with one token (and the player's name, if given), for as long as the component is mounted. */
export function useSession(sessionId: string, token: string | null, name: string | null = null): Session {
  const [conn, setConn] = useState<SessionConnection | null>(null);
  useEffect(() => {
    if (!token) return;
    // The entry module may have started this very connection while the screen's code downloaded.
    const c = adoptPreconnected(sessionId, token, name) ?? new SessionConnection(sessionId, token, undefined, name);
    c.start();
    setConn(c);
    return () => {
      c.stop();
      setConn((cur) => (cur === c ? null : cur));
    };
  }, [sessionId, token, name]);
  const snap = useSyncExternalStore(conn?.subscribe ?? noSubscribe, conn?.getSnapshot ?? idle);
  const send = conn?.send ?? notConnected;
  return useMemo(() => ({ ...snap, sessionId, send }), [snap, sessionId, send]);
}

export const SessionContext = createContext<Session | null>(null);

export function useSessionContext(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSessionContext outside a SessionContext provider');
  return s;
}
