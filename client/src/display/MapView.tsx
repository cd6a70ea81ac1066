import { useEffect, useState } from 'react';
import type { GameView } from '@rubicon/shared';
import type { Land } from './map/clip.ts';
import { loadLand } from './map/land.ts';
import { MARK_COLOR } from './map/symbols.tsx';
import { useElementSize } from './map/use-element-size.ts';
import { FONT, INSET, labelClass, useMapLayout, type MapLayout } from './map/use-map-layout.ts';
import { MapMarks } from './map/MapMarks.tsx';
import { MapEvents } from './map/MapEvents.tsx';
import './map/map.css';

interface Props {
  view: Pick<GameView, 'resolutions' | 'beat' | 'scenario'>;
  /** Show the numbered list of what happened where beside the map. */
  legend?: boolean;
}

/** The region with what happened where: strikes, launches (as arcs), interceptions, retaliation. */
export function MapView({ view, legend = true }: Props) {
  const map = view.scenario.map;
  const [land, failed] = useLand(view.scenario.id);
  const [showAll, setShowAll] = useState(false);
  const [boxRef, { width, height }] = useElementSize<HTMLDivElement>();
  const { marks, layout, measuring } = useMapLayout(view, land, width, height);

  const summary =
    marks.length === 0
      ? 'Map of the region. Nothing has been marked yet.'
      : `Map of the region with ${marks.length} marked event${marks.length === 1 ? '' : 's'}, listed beside the map.`;

  return (
    <figure className={`map${showAll ? ' map--all-events' : ''}`} data-testid="map">
      <div className="map__canvas" ref={boxRef}>
        {layout && (
          <svg width={width} height={height} role="img" aria-label={summary} className="map__svg">
            <MapGround width={width} height={height} layout={layout} failed={failed} />
            {layout.insetPlaces.length > 0 && (
              <g className="map__inset" aria-hidden="true">
                <rect x={INSET.x} y={INSET.y} width={layout.inset.width} height={INSET.h} rx={6} />
                <text x={INSET.x + 10} y={INSET.y + FONT + 2} className="map__inset-title">
                  {layout.insetTitle}
                </text>
              </g>
            )}
            <MapMarks map={map} layout={layout} />
            <PlaceLabels map={map} layout={layout} />
            {measuring}
          </svg>
        )}
        {failed && <p className="map__error">The map could not be loaded.</p>}
      </div>
      {legend && <MapEvents map={map} marks={marks} showAll={showAll} onToggle={() => setShowAll((x) => !x)} />}
    </figure>
  );
}

/** The clipped land of the scenario's region, loaded once per scenario; the second value says it failed. */
function useLand(scenarioId: string): [Land | null, boolean] {
  const [land, setLand] = useState<Land | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let alive = true;
    loadLand(scenarioId).then(
      (l) => alive && setLand(l),
      () => alive && setFailed(true),
    );
    return () => {
      alive = false;
    };
  }, [scenarioId]);
  return [land, failed];
}

/** Sea, graticule and countries (the scenario's featured ones lit), or a loading line until the land arrives. */
function MapGround({ width, height, layout, failed }: { width: number; height: number; layout: MapLayout; failed: boolean }) {
  const { paths } = layout;
  return (
    <>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" fill={MARK_COLOR.launch} />
        </marker>
        <radialGradient id="sea" cx="50%" cy="40%" r="75%">
          <stop offset="0%" stopColor="#0f2443" />
          <stop offset="100%" stopColor="#081426" />
        </radialGradient>
      </defs>
      <rect width={width} height={height} fill="url(#sea)" />
      {paths && (
        <g className="map__land">
          <path d={paths.graticule} className="map__graticule" />
          {paths.countries.map((c) => (
            <path key={c.key} d={c.d} className={c.featured ? 'map__country map__country--featured' : 'map__country'} />
          ))}
        </g>
      )}
      {!paths && !failed && (
        <text x={width / 2} y={height / 2} className="map__loading" textAnchor="middle">
          Loading map…
        </text>
      )}
    </>
  );
}

function PlaceLabels({ map, layout }: { map: GameView['scenario']['map']; layout: MapLayout }) {
  return (
    <g className="map__labels" aria-hidden="true">
      {map.labels.map((l) => {
        const placed = layout.labelByKey.get(`l-${l.text}`);
        if (!placed) return null;
        const a = l.anchor ? layout.projection([l.anchor.lon, l.anchor.lat]) : null;
        return (
          <g key={l.text}>
            {a && <line x1={placed.x} y1={placed.box.y + placed.box.h / 2} x2={a[0]} y2={a[1]} className="map__leader" />}
            <text x={placed.x} y={placed.y} className={labelClass(l)} textAnchor="middle">
              {l.text}
            </text>
          </g>
        );
      })}
    </g>
  );
}
