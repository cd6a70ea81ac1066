import { useEffect, useState } from 'react';
import type { SessionSummary } from '@rubicon/shared';
import { Link } from '../common/Link.tsx';
import { PHASE_LABEL } from '../lib/describe.ts';
import { ApiError, sessionSummary } from '../net/api.ts';
import { hostedSessions, loadCredential, type HostedSession } from '../net/storage.ts';
import { paths } from '../router.ts';

type Row = { hosted: HostedSession; summary: SessionSummary | null; problem: string | null };

/**
 * The sessions whose facilitator token this browser holds, with what the
 * server says of each now (phase, outcome): they survive a closed tab, and
 * with Redis a server restart.
 */
export function MySessions() {
  const [rows, setRows] = useState<Row[]>(() => hostedSessions().map((hosted) => ({ hosted, summary: null, problem: null })));
  useEffect(() => {
    let live = true;
    const list = hostedSessions();
    void Promise.all(
      list.map(async (hosted): Promise<Row> => {
        const cred = loadCredential(hosted.sessionId, 'facilitator');
        if (!cred) return { hosted, summary: null, problem: 'No facilitator token on this device.' };
        try {
          return { hosted, summary: await sessionSummary(hosted.sessionId, cred.token), problem: null };
        } catch (err) {
          return { hosted, summary: null, problem: err instanceof ApiError && err.status === 404 ? 'No longer on the server.' : 'Could not be reached.' };
        }
      }),
    ).then((r) => {
      if (live) setRows(r);
    });
    return () => {
      live = false;
    };
  }, []);
  if (rows.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="hosted-heading" data-testid="my-sessions">
      <h2 id="hosted-heading" className="panel-title">
        My sessions
      </h2>
      <p className="muted small">Sessions this browser runs or has opened, newest first.</p>
      <ul className="hosted">
        {rows.map(({ hosted: h, summary: s, problem }) => (
          <li key={h.sessionId} data-testid="my-session">
            <span className="hosted__title">{s?.title ?? h.title}</span>
            <span className="muted small">{new Date(s?.createdAt ?? h.createdAt).toLocaleString()}</span>
            <span className="small" data-testid="my-session-state">
              {s ? (
                <>
                  {s.mode === 'replay' ? 'Replay · ' : ''}
                  {PHASE_LABEL[s.phase]}
                  {s.outcome ? ` · ${s.outcome}` : ''}
                  {s.parent ? ` · branched from ${s.parent.title}` : ''}
                </>
              ) : (
                <span className="muted">{problem ?? '…'}</span>
              )}
            </span>
            {s?.mode !== 'replay' && <Link href={paths.setup(h.sessionId)}>Codes and setup</Link>}
            {s?.mode !== 'replay' && <Link href={paths.facilitate(h.sessionId)}>Facilitator console</Link>}
            <Link href={paths.replay(h.sessionId)}>Replay</Link>
            <Link href={paths.report(h.sessionId)}>Report</Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
