import type { ScenarioMap } from '@rubicon/shared';
import { MARK_KIND_LABEL, MARK_KINDS, placeName } from './geometry.ts';
import type { NumberedMark } from './marks.ts';
import { GlyphIcon } from './symbols.tsx';

/** The map's key and its numbered list of what happened where, newest first; "All N events" gives the list the map's room. */
export function MapEvents({ map, marks, showAll, onToggle }: { map: ScenarioMap; marks: readonly NumberedMark[]; showAll: boolean; onToggle: () => void }) {
  return (
    <figcaption className="map__legend">
      <ul className="map__key" aria-label="Map key">
        {MARK_KINDS.map((k) => (
          <li key={k}>
            <GlyphIcon kind={k} size={24} /> {MARK_KIND_LABEL[k]}
          </li>
        ))}
      </ul>
      {marks.length > 0 && (
        <>
          <button type="button" className="map__all-toggle" aria-expanded={showAll} onClick={onToggle} data-testid="map-events-toggle">
            {showAll ? 'Back to the map' : `All ${marks.length} event${marks.length === 1 ? '' : 's'}`}
          </button>
          {/* Focusable: the list scrolls, so a keyboard must be able to reach it. */}
          <ol className="map__events" aria-label="What happened where" data-testid="map-events" tabIndex={0}>
            {[...marks].reverse().map((m) => (
              <li key={m.n} className={m.recent ? 'map__event map__event--recent' : 'map__event'} value={m.n}>
                <span className="map__event-n" aria-hidden="true">
                  {m.n}
                </span>
                <GlyphIcon kind={m.mark.kind} size={24} />
                <span>
                  <span className="map__event-kind">{MARK_KIND_LABEL[m.mark.kind]}</span>
                  {' — '}
                  {m.mark.label}
                  <span className="map__event-place">
                    {' '}
                    ({m.mark.from ? `${placeName(map, m.mark.from)} → ` : ''}
                    {placeName(map, m.mark.place)})
                  </span>
                  <span className="map__event-source">
                    {' '}
                    · {m.source}
                    <span className="map__event-date"> · {m.date}</span>
                  </span>
                </span>
              </li>
            ))}
          </ol>
        </>
      )}
    </figcaption>
  );
}
