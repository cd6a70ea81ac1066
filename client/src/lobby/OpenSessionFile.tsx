import { useState } from 'react';
import { FileRefusedError, ApiError, openReplay } from '../net/api.ts';
import { rememberHostedSession } from '../net/storage.ts';
import { navigate, paths } from '../router.ts';
import { Link } from '../common/Link.tsx';

/** Upload an exported session file: the server checks its chain and opens it as a read-only replay. */
export function OpenSessionFile() {
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section className="panel" aria-labelledby="open-file-heading">
      <h2 id="open-file-heading" className="panel-title">
        Replay a session file
      </h2>
      <p className="muted small">Open an exported session to scrub through it, see it as any team saw it, write the report, or branch a new game from any moment.</p>
      <label className="stack">
        Session file (.json)
        <input
          type="file"
          accept="application/json,.json"
          disabled={busy}
          data-testid="open-file"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            if (!f) return;
            setBusy(true);
            setProblem(null);
            try {
              const text = await f.text();
              const created = await openReplay(text);
              let title = f.name;
              try {
                title = (JSON.parse(text) as { session?: { title?: string } }).session?.title ?? f.name;
              } catch {
                // the server accepted it, so it parses; keep the file name otherwise
              }
              rememberHostedSession(created, `${title} (replay)`, Date.now());
              navigate(paths.replay(created.sessionId));
            } catch (err) {
              setProblem(
                err instanceof FileRefusedError
                  ? `${err.message}${err.where ? ` [${err.where}]` : ''}`
                  : err instanceof ApiError
                    ? err.message
                    : 'The file could not be read.',
              );
              setBusy(false);
            }
          }}
        />
      </label>
      <p className="small">
        <Link href={paths.compare()} data-testid="open-compare">
          Compare several sessions
        </Link>{' '}
        <span className="muted">— a class’s groups side by side, and beside the scenario’s historical path.</span>
      </p>
      {problem && (
        <p className="alert" role="alert" data-testid="open-file-error">
          {problem}
        </p>
      )}
    </section>
  );
}
