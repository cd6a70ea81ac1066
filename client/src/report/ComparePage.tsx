import { useEffect, useMemo, useRef, useState } from 'react';
import '../replay/replay.css';
import { buildReport, compareReports, decisionsCsv, sessionsCsv, type Comparison, type Scenario, type SessionReport } from '@rubicon/shared';
import { AppHeader } from '../common/AppHeader.tsx';
import { Link } from '../common/Link.tsx';
import { ApiError, FileRefusedError, openReplay } from '../net/api.ts';
import { hostedSessions, loadCredential, rememberHostedSession } from '../net/storage.ts';
import { paths } from '../router.ts';
import { loadRecording } from '../replay/recorded-session.ts';
import { ComparisonView } from './ComparisonView.tsx';
import { downloadBlob } from '../lib/download.ts';

type Loaded = { status: 'loading' } | { status: 'failed'; message: string } | { status: 'ready'; report: SessionReport };

function selectedIds(): string[] {
  return (new URLSearchParams(location.search).get('s') ?? '').split(',').filter(Boolean);
}

/**
 * `/compare?s=ID,ID,…`: several sessions side by side with their scenario's historical path. Each
 * session is one this browser holds the facilitator token of: one played
 * here, or a session file just added (the server checks it and opens it as a
 * read-only replay). The reports are rebuilt here with the engine, as on the
 * report page, and compared with the same function as `rubicon summarize`.
 */
export function ComparePage() {
  const [ids, setIds] = useState<string[]>(selectedIds);
  const loaded = useReports(ids);
  useEffect(() => {
    history.replaceState(null, '', ids.length ? `${paths.compare()}?s=${ids.map(encodeURIComponent).join(',')}` : paths.compare());
    document.title = 'Compare sessions · Rubicon';
  }, [ids]);
  const toggle = (id: string, on: boolean) => setIds((list) => (on ? [...new Set([...list, id])] : list.filter((x) => x !== id)));
  const groups = useMemo(() => comparisons(ids, loaded), [ids, loaded]);

  return (
    <div className="page page--report">
      <AppHeader context={<strong>Compare sessions</strong>} />
      <main id="main" className="report report--wide">
        <h1>Compare sessions</h1>
        <Sources ids={ids} toggle={toggle} />
        <Problems ids={ids} loaded={loaded} />
        {ids.length > 0 && groups.length === 0 && !ids.some((id) => loaded[id]?.status === 'failed') && <p className="muted">Rebuilding the sessions…</p>}
        {groups.map((g) => (
          <section key={g.comparison.scenario.id} className="report__section">
            <Exports comparison={g.comparison} />
            <ComparisonView comparison={g.comparison} />
          </section>
        ))}
      </main>
    </div>
  );
}

/** Each selected session's report, rebuilt from its file (scenarios fetched once per scenario). */
function useReports(ids: readonly string[]): Record<string, Loaded> {
  const [loaded, setLoaded] = useState<Record<string, Loaded>>({});
  const scenarios = useRef(new Map<string, Promise<Scenario>>());
  const started = useRef(new Set<string>());
  useEffect(() => {
    for (const id of ids) {
      if (started.current.has(id)) continue;
      started.current.add(id);
      const cred = loadCredential(id, 'facilitator');
      if (!cred) {
        setLoaded((m) => ({ ...m, [id]: { status: 'failed', message: 'This browser holds no facilitator token for it.' } }));
        continue;
      }
      setLoaded((m) => ({ ...m, [id]: { status: 'loading' } }));
      loadRecording(id, cred.token, scenarios.current)
        .then(({ file, verified }) => buildReport(file, verified.game, verified.log))
        .then(
          (report) => setLoaded((m) => ({ ...m, [id]: { status: 'ready', report } })),
          (err: unknown) => setLoaded((m) => ({ ...m, [id]: { status: 'failed', message: err instanceof Error ? err.message : 'It could not be loaded.' } })),
        );
    }
  }, [ids]);
  return loaded;
}

/** One comparison per scenario (and version) among the sessions ready so far, in the order chosen. */
function comparisons(ids: readonly string[], loaded: Record<string, Loaded>): { comparison: Comparison }[] {
  const ready = ids.flatMap((id) => {
    const l = loaded[id];
    return l?.status === 'ready' ? [l.report] : [];
  });
  const titles = new Map<string, number>();
  for (const r of ready) titles.set(r.title, (titles.get(r.title) ?? 0) + 1);
  const groups = new Map<string, { label: string; report: SessionReport }[]>();
  for (const report of ready) {
    const key = `${report.scenario.id}@${report.scenario.version}`;
    // Two groups may share a title: tell them apart by their session id.
    const label = (titles.get(report.title) ?? 0) > 1 ? `${report.title} (${report.sessionId})` : report.title;
    groups.set(key, [...(groups.get(key) ?? []), { label, report }]);
  }
  return [...groups.values()].map((items) => ({ comparison: compareReports(items) }));
}

function Sources({ ids, toggle }: { ids: readonly string[]; toggle: (id: string, on: boolean) => void }) {
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const [hosted, setHosted] = useState(hostedSessions);
  const add = async (files: FileList) => {
    setBusy(true);
    const refused: string[] = [];
    for (const f of Array.from(files)) {
      try {
        const text = await f.text();
        const created = await openReplay(text);
        rememberHostedSession(created, `${f.name} (replay)`, Date.now());
        toggle(created.sessionId, true);
      } catch (err) {
        const why = err instanceof FileRefusedError ? `${err.message}${err.where ? ` [${err.where}]` : ''}` : err instanceof ApiError ? err.message : 'It could not be read.';
        refused.push(`${f.name}: ${why}`);
      }
    }
    setHosted(hostedSessions());
    setProblems(refused);
    setBusy(false);
  };
  return (
    <section className="panel no-print" aria-labelledby="compare-sources">
      <h2 id="compare-sources" className="panel-title">
        Sessions to compare
      </h2>
      <label className="stack">
        Add session files (.json, several at once): each is checked by the server and opened as a read-only replay
        <input type="file" multiple accept="application/json,.json" disabled={busy} data-testid="compare-files" onChange={(e) => e.target.files && void add(e.target.files)} />
      </label>
      {problems.length > 0 && (
        <ul className="alert" role="alert" data-testid="compare-file-errors">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {hosted.length > 0 && (
        <fieldset className="compare__hosted">
          <legend>Or pick sessions run or opened on this device</legend>
          {hosted.map((h) => (
            <label key={h.sessionId} className="check">
              <input type="checkbox" checked={ids.includes(h.sessionId)} onChange={(e) => toggle(h.sessionId, e.target.checked)} data-testid={`compare-pick-${h.sessionId}`} />
              {h.title} <span className="small muted">· {new Date(h.createdAt).toLocaleDateString()}</span>
            </label>
          ))}
        </fieldset>
      )}
      <p className="small">
        <button type="button" className="btn btn--small" onClick={() => window.print()} disabled={ids.length === 0}>
          Print / PDF
        </button>{' '}
        <Link href={paths.home()}>Start page</Link>
      </p>
    </section>
  );
}

function Problems({ ids, loaded }: { ids: readonly string[]; loaded: Record<string, Loaded> }) {
  const failed = ids.flatMap((id) => {
    const l = loaded[id];
    return l?.status === 'failed' ? [`${id}: ${l.message}`] : [];
  });
  if (failed.length === 0) return null;
  return (
    <ul className="alert no-print" role="alert">
      {failed.map((f) => (
        <li key={f}>{f}</li>
      ))}
    </ul>
  );
}

const download = (name: string, text: string) => downloadBlob(name, new Blob([text], { type: 'text/csv' }));

function Exports({ comparison }: { comparison: Comparison }) {
  const base = `rubicon-${comparison.scenario.id}`;
  return (
    <p className="no-print small">
      <button type="button" className="btn btn--small btn--ghost" onClick={() => download(`${base}-sessions.csv`, sessionsCsv(comparison))}>
        Download sessions.csv
      </button>{' '}
      <button type="button" className="btn btn--small btn--ghost" onClick={() => download(`${base}-decisions.csv`, decisionsCsv(comparison))}>
        Download decisions.csv
      </button>
    </p>
  );
}
