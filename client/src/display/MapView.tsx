import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { geoGraticule10, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { GameView } from '@rubicon/shared';
import { COUNTRY_LABELS, FEATURED_COUNTRIES, MARK_KIND_LABEL, MARK_KINDS, PLACES, SEA_LABELS, arcPath, regionProjection } from './map/places.ts';
import { collectMarks, placeMarks, type PlacedMark } from './map/marks.ts';
import { GlyphIcon, MARK_COLOR, MarkGlyph } from './map/symbols.tsx';

type Countries = Feature<Geometry, { name?: string }>[];

let atlasPromise: Promise<Countries> | null = null;

/** Natural Earth 1:50m countries, bundled by Vite as its own chunk and loaded once. */
function loadCountries(): Promise<Countries> {
  atlasPromise ??= import('world-atlas/countries-50m.json').then((mod) => {
    const topo = mod.default as Topology<{ countries: GeometryCollection<{ name?: string }> }>;
    const fc = feature(topo, topo.objects.countries) as FeatureCollection<Geometry, { name?: string }>;
    return fc.features;
  });
  return atlasPromise;
}

function useElementSize<T extends HTMLElement>(): [RefObject<T | null>, { width: number; height: number }] {
  const ref = useRef<T>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const { width, height } = entry.contentRect;
      setSize((s) => (Math.abs(s.width - width) < 1 && Math.abs(s.height - height) < 1 ? s : { width, height }));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, size];
}

interface Props {
  view: Pick<GameView, 'resolutions' | 'beat' | 'scenario'>;
  /** Show the numbered list of what happened where under the map. */
  legend?: boolean;
}

const INSET = { x: 14, y: 14, w: 170, h: 64 };

/** The region with what happened where: strikes, launches (as arcs), interceptions, retaliation. */
export function MapView({ view, legend = true }: Props) {
  const [countries, setCountries] = useState<Countries | null>(null);
  const [failed, setFailed] = useState(false);
  const [boxRef, { width, height }] = useElementSize<HTMLDivElement>();

  useEffect(() => {
    let alive = true;
    loadCountries().then(
      (c) => alive && setCountries(c),
      () => alive && setFailed(true),
    );
    return () => {
      alive = false;
    };
  }, []);

  const projection = useMemo(() => (width > 0 && height > 0 ? regionProjection(width, height, 12) : null), [width, height]);

  const land = useMemo(() => {
    if (!projection || !countries) return null;
    const clipped = regionProjection(width, height, 12).clipExtent([
      [-50, -50],
      [width + 50, height + 50],
    ]);
    const path = geoPath(clipped);
    return {
      graticule: path(geoGraticule10()) ?? '',
      countries: countries.map((f, i) => ({
        key: `${f.properties?.name ?? 'c'}-${i}`,
        d: path(f) ?? '',
        featured: FEATURED_COUNTRIES.has(f.properties?.name ?? ''),
      })),
    };
  }, [projection, countries, width, height]);

  // Each played beat's opening marks (the Damascus strike) stay on the map after the beat.
  const marks = useMemo(
    () => collectMarks(view, Object.fromEntries(view.scenario.beats.map((b) => [b.id, b.marks]))),
    [view],
  );
  const placed = useMemo(() => (projection ? placeMarks(marks, projection) : []), [marks, projection]);
  const offMap = placed.filter((m) => m.offMap);
  const offMapLeads = offMap.filter((m) => m.numbers.length > 0).map((m) => m.n);
  const insetAnchor: [number, number] = [INSET.x + INSET.w - 18, INSET.y + INSET.h / 2 + 8];
  const insetSlot = (m: PlacedMark): [number, number] => [INSET.x + 22 + Math.max(0, offMapLeads.indexOf(m.leadN)) * 30, INSET.y + 44];

  const summary =
    marks.length === 0
      ? 'Map of the region. Nothing has been marked yet.'
      : `Map of the region with ${marks.length} marked event${marks.length === 1 ? '' : 's'}, listed below the map.`;

  return (
    <figure className="map" data-testid="map">
      <div className="map__canvas" ref={boxRef}>
        {projection && (
          <svg width={width} height={height} role="img" aria-label={summary} className="map__svg">
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
            {land && (
              <g className="map__land">
                <path d={land.graticule} className="map__graticule" />
                {land.countries.map((c) => (
                  <path key={c.key} d={c.d} className={c.featured ? 'map__country map__country--featured' : 'map__country'} />
                ))}
              </g>
            )}
            {!land && !failed && (
              <text x={width / 2} y={height / 2} className="map__loading" textAnchor="middle">
                Loading map…
              </text>
            )}
            {offMap.length > 0 && (
              <g className="map__inset" aria-hidden="true">
                <rect x={INSET.x} y={INSET.y} width={INSET.w} height={INSET.h} rx={6} />
                <text x={INSET.x + 10} y={INSET.y + 20} className="map__inset-title">
                  {PLACES.washington.name} ↗
                </text>
              </g>
            )}
            <g className="map__arcs" aria-hidden="true">
              {placed.map((m) => {
                if (!m.mark.from || m.numbers.length === 0) return null;
                const from = m.mark.from === 'washington' ? insetAnchor : m.from;
                const to = m.offMap ? insetSlot(m) : (m.anchor ?? m.at);
                if (!from || !to) return null;
                return (
                  <path
                    key={`arc-${m.n}`}
                    d={arcPath(from, to)}
                    className={`map__arc${m.groupRecent ? '' : ' map__arc--old'}`}
                    stroke={MARK_COLOR[m.mark.kind]}
                    markerEnd="url(#arrow)"
                  />
                );
              })}
            </g>
            <g className="map__leaders" aria-hidden="true">
              {placed.map((m) =>
                m.anchor && m.at && m.numbers.length > 0 ? (
                  <g key={`leader-${m.n}`}>
                    <line x1={m.anchor[0]} y1={m.anchor[1]} x2={m.at[0]} y2={m.at[1]} className="map__mark-leader" />
                    <circle cx={m.anchor[0]} cy={m.anchor[1]} r={2.5} className="map__mark-anchor" />
                  </g>
                ) : null,
              )}
            </g>
            <g className="map__marks" aria-hidden="true">
              {placed.map((m) => {
                const at = m.offMap ? insetSlot(m) : m.at;
                if (!at) return null;
                const transform = `translate(${at[0].toFixed(1)},${at[1].toFixed(1)})`;
                // A mark that shares another's symbol keeps its own (empty) hook for tests and tools.
                if (m.numbers.length === 0)
                  return <g key={`mark-${m.n}`} transform={transform} data-testid={`map-mark-${m.n}`} data-kind={m.mark.kind} data-place={m.mark.place} data-group={m.leadN} />;
                return (
                  <g key={`mark-${m.n}`} transform={transform} data-testid={`map-mark-${m.n}`} data-kind={m.mark.kind} data-place={m.mark.place}>
                    {m.groupRecent && <circle r={17} className="map__pulse" stroke={MARK_COLOR[m.mark.kind]} />}
                    <MarkGlyph kind={m.mark.kind} r={m.groupRecent ? 10 : 8} dim={!m.groupRecent} />
                    <text x={12} y={-9} className="map__mark-number">
                      {m.numbers.join(',')}
                    </text>
                  </g>
                );
              })}
            </g>
            <g className="map__labels" aria-hidden="true">
              {SEA_LABELS.map((l) => {
                const p = projection([l.lonLat[0], l.lonLat[1]]);
                return p ? (
                  <text key={l.name} x={p[0]} y={p[1]} className="map__sea-label" textAnchor="middle">
                    {l.name}
                  </text>
                ) : null;
              })}
              {COUNTRY_LABELS.map((l) => {
                const p = projection([l.lonLat[0], l.lonLat[1]]);
                const a = l.anchor ? projection([l.anchor[0], l.anchor[1]]) : null;
                if (!p) return null;
                return (
                  <g key={l.name}>
                    {a && <line x1={p[0] + (a[0] > p[0] ? 4 : -4)} y1={p[1] - 5} x2={a[0]} y2={a[1]} className="map__leader" />}
                    <text
                      x={p[0]}
                      y={p[1]}
                      className={l.featured ? 'map__country-label map__country-label--featured' : 'map__country-label'}
                      textAnchor={a ? (a[0] > p[0] ? 'end' : 'start') : 'middle'}
                    >
                      {l.name}
                    </text>
                  </g>
                );
              })}
            </g>
          </svg>
        )}
        {failed && <p className="map__error">The map could not be loaded.</p>}
      </div>
      {legend && (
        <figcaption className="map__legend">
          <ul className="map__key" aria-label="Map key">
            {MARK_KINDS.map((k) => (
              <li key={k}>
                <GlyphIcon kind={k} size={20} /> {MARK_KIND_LABEL[k]}
              </li>
            ))}
          </ul>
          {marks.length > 0 && (
            <ol className="map__events" aria-label="What happened where" data-testid="map-events">
              {[...marks].reverse().map((m) => (
                <li key={m.n} className={m.recent ? 'map__event map__event--recent' : 'map__event'} value={m.n}>
                  <span className="map__event-n" aria-hidden="true">
                    {m.n}
                  </span>
                  <GlyphIcon kind={m.mark.kind} size={20} />
                  <span>
                    <span className="map__event-kind">{MARK_KIND_LABEL[m.mark.kind]}</span>
                    {' — '}
                    {m.mark.label}
                    <span className="map__event-place">
                      {' '}
                      ({m.mark.from ? `${PLACES[m.mark.from].name} → ` : ''}
                      {PLACES[m.mark.place].name})
                    </span>
                  </span>
                </li>
              ))}
            </ol>
          )}
        </figcaption>
      )}
    </figure>
  );
}
