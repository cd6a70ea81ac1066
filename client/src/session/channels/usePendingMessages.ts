import { useCallback, useEffect, useState } from 'react';
import type { Session } from '../../net/useSession.ts';

export interface PendingMessage {
  localId: string;
  channel: string;
  text: string;
  to: string | null;
  relayOf: string | null;
  status: 'sending' | 'sent' | 'failed';
  error: string | null;
  /** The version the server gave it, once acknowledged. */
  version: number | null;
}

let localCounter = 0;

/**
 * The reader's messages on their way: sent to the server, shown as pending
 * until the update carrying them arrives, or kept as failed with a retry.
 */
export function usePendingMessages(session: Session) {
  const [pending, setPending] = useState<PendingMessage[]>([]);

  // A pending message leaves once the update carrying it has arrived (which may come before or after the acknowledgement).
  useEffect(() => {
    const v = session.version ?? 0;
    setPending((list) => (list.some((p) => p.status === 'sent' && p.version !== null && p.version <= v) ? list.filter((p) => !(p.status === 'sent' && p.version !== null && p.version <= v)) : list));
  }, [session.version, pending]);

  const send = useCallback(
    async (p: PendingMessage) => {
      setPending((list) => [...list.filter((x) => x.localId !== p.localId), { ...p, status: 'sending', error: null }]);
      const r = await session.send({
        type: 'SEND_MESSAGE',
        channel: p.channel,
        text: p.text,
        ...(p.to ? { to: p.to } : {}),
        ...(p.relayOf ? { relayOf: p.relayOf } : {}),
      });
      setPending((list) =>
        list.map((x) =>
          x.localId !== p.localId ? x : r.ok ? { ...x, status: 'sent', version: r.version } : { ...x, status: 'failed', error: r.error.message },
        ),
      );
    },
    [session],
  );

  const post = useCallback(
    (channel: string, text: string, to: string | null, relayOf: string | null) =>
      void send({ localId: `local-${++localCounter}`, channel, text, to, relayOf, status: 'sending', error: null, version: null }),
    [send],
  );
  const retry = useCallback((p: PendingMessage) => void send(p), [send]);
  const dismiss = useCallback((p: PendingMessage) => setPending((list) => list.filter((x) => x.localId !== p.localId)), []);
  return { pending, post, retry, dismiss };
}
