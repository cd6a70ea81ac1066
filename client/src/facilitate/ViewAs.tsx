import { useCallback, useEffect, useRef, useState } from 'react';
import type { GameView, WireMessage } from '@rubicon/shared';
import { seatName } from '../lib/describe.ts';
import { ApiError, viewAs } from '../net/api.ts';
import { PointOfView } from '../replay/PointOfView.tsx';

/** Who the white cell's console shows the session as: itself, a seat id, or `observer`. */
export type ViewAsChoice = 'facilitator' | 'observer' | (string & {});

export function viewAsLabel(view: GameView, as: ViewAsChoice): string {
  return as === 'facilitator' ? 'the white cell' : as === 'observer' ? 'the shared display (observer)' : seatName(view.scenario, as);
}

/** The console's point-of-view switch. */
export function ViewAsPicker({ view, as, onChange }: { view: GameView; as: ViewAsChoice; onChange: (as: ViewAsChoice) => void }) {
  return (
    <label className="replay__pov">
      View as{' '}
      <select value={as} onChange={(e) => onChange(e.target.value)} data-testid="view-as">
        <option value="facilitator">White cell (you)</option>
        {view.scenario.seats
          .filter((s) => s.inPlay)
          .map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        <option value="observer">Observer (the shared display)</option>
      </select>
    </label>
  );
}

type Seen = { view: GameView; messages: WireMessage[] };

/**
 * What `as` sees now, fetched from the server's view-as endpoint (the same
 * viewFor/messagesFor the seat's own socket is served with) and fetched again
 * whenever the session moves on. One request at a time: changes that arrive
 * while one is out are caught by a single follow-up request. Mount it with
 * `key={as}`, so another choice starts from nothing.
 */
function useViewAs(sessionId: string, token: string, as: string, version: number): { seen: Seen | null; error: string | null } {
  const [seen, setSeen] = useState<Seen | null>(null);
  const [error, setError] = useState<string | null>(null);
  const inFlight = useRef(false);
  const mounted = useRef(true);
  const wanted = useRef({ as, version });
  wanted.current = { as, version };

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const load = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    const asked = wanted.current;
    try {
      const r = await viewAs(sessionId, token, asked.as);
      if (mounted.current) {
        setSeen(r);
        setError(null);
      }
    } catch (err) {
      if (mounted.current) setError(err instanceof ApiError ? err.message : 'The view could not be loaded.');
    } finally {
      inFlight.current = false;
    }
    // The session moved on while we asked: ask once more.
    if (mounted.current && wanted.current.version !== asked.version) void load();
  }, [sessionId, token]);

  useEffect(() => {
    void load();
  }, [load, as, version]);
  return { seen, error };
}

/**
 * The console showing the session as one seat (or the shared display) sees
 * it right now: clearly marked, read-only, with no control that acts.
 */
export function ViewAsPanel({
  sessionId,
  token,
  as,
  view,
  version,
  onClose,
}: {
  sessionId: string;
  token: string;
  as: string;
  /** The white cell's own view, for names. */
  view: GameView;
  /** The latest version the console holds (a message moves it without a new view): each change asks again. */
  version: number;
  onClose: () => void;
}) {
  const { seen, error } = useViewAs(sessionId, token, as, version);
  const label = viewAsLabel(view, as);
  return (
    <div className="view-as" data-testid="view-as-panel">
      <div className="view-as__banner" role="region" aria-label="Viewing as another seat" data-testid="view-as-banner">
        <p>
          <strong>Viewing as {label}</strong> — exactly what {label} sees now, read-only. You cannot act as {label} from here; your own controls are
          the white cell’s.
        </p>
        <button type="button" className="btn btn--small" onClick={onClose} data-testid="view-as-close">
          Back to the white cell
        </button>
      </div>
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      {seen ? (
        <PointOfView view={seen.view} messages={seen.messages} eyebrow={<>Version {seen.view.version} · {label}’s view</>} />
      ) : (
        !error && <p className="muted">Loading {label}’s view…</p>
      )}
    </div>
  );
}
