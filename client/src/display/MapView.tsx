import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { geoGraticule10, geoPath } from 'd3-geo';
import { inFrame, type GameView, type ScenarioMap } from '@rubicon/shared';
import type { Land } from './map/clip.ts';
import { loadLand } from './map/land.ts';
import { MARK_KIND_LABEL, MARK_KINDS, arcPath, numberRanges, placeById, placeName, regionProjection, type Point } from './map/geometry.ts';
import { estimateSize, placeLabels, type Box, type LabelRequest, type TextSize } from './map/labels.ts';
import { useTextSizes, type TextToMeasure } from './map/measure.tsx';
import { clusterMarks, collectMarks, type MarkCluster } from './map/marks.ts';
import { GlyphIcon, MARK_COLOR, MarkGlyph } from './map/symbols.tsx';
import './map/map.css';

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
  /** Show the numbered list of what happened where beside the map. */
  legend?: boolean;
}

/** The room reads the map from across a classroom: no map text under this (px at 1920×1080). */
const FONT = 24;
const SYMBOL_R = 13;
const PADDING = 12;
const INSET = { x: 12, y: 12, h: 84 };

/** The region with what happened where: strikes, launches (as arcs), interceptions, retaliation. */
export function MapView({ view, legend = true }: Props) {
  const map = view.scenario.map;
  const [land, setLand] = useState<Land | null>(null);
  const [failed, setFailed] = useState(false);
  const [showAll, setShowAll] = useState(false);
  const [boxRef, { width, height }] = useElementSize<HTMLDivElement>();

  useEffect(() => {
    let alive = true;
    loadLand(view.scenario.id).then(
      (l) => alive && setLand(l),
      () => alive && setFailed(true),
    );
    return () => {
      alive = false;
    };
  }, [view.scenario.id]);

  const projection = useMemo(() => (width > 0 && height > 0 ? regionProjection(map.frame, width, height, PADDING) : null), [map.frame, width, height]);

  const paths = useMemo(() => {
    if (!projection || !land) return null;
    const path = geoPath(
      regionProjection(map.frame, width, height, PADDING).clipExtent([
        [-50, -50],
        [width + 50, height + 50],
      ]),
    );
    const featured = new Set(map.featuredCountries);
    return {
      graticule: path(geoGraticule10()) ?? '',
      countries: land.features.map((f, i) => ({ key: `${f.properties.name}-${i}`, d: path(f) ?? '', featured: featured.has(f.properties.name) })),
    };
  }, [projection, land, map, width, height]);

  // Each played beat's opening marks (the strike that starts the crisis) stay on the map after the beat.
  const marks = useMemo(() => collectMarks(view, Object.fromEntries(view.scenario.beats.map((b) => [b.id, b.marks]))), [view]);
  const clusters = useMemo(() => (projection ? clusterMarks(marks, projection, map, { minDist: SYMBOL_R * 3 }) : []), [marks, projection, map]);

  // Places outside the frame (a distant capital) get a slot each in the inset box.
  const insetPlaces = useMemo(() => {
    const ids = new Set<string>();
    for (const c of clusters) if (!c.at) c.places.forEach((p) => ids.add(p));
    for (const m of marks) if (m.mark.from && !inFrame(map.frame, placeById(map, m.mark.from) ?? { lon: 0, lat: -90 })) ids.add(m.mark.from);
    return [...ids];
  }, [clusters, marks, map]);
  const insetTitle = `${insetPlaces.map((id) => placeName(map, id)).join(' · ')} ↗`;

  // Every text the map draws, measured as the browser draws it, so labels are kept apart by their real boxes.
  const texts = useMemo<TextToMeasure[]>(
    () => [
      ...clusters.map((c) => ({ key: `n-${c.lead}`, text: numberRanges(c.members.map((m) => m.n)), className: 'map__mark-number' })),
      ...map.labels.map((l) => ({ key: `l-${l.text}`, text: l.text, className: labelClass(l) })),
      { key: 'inset', text: insetTitle, className: 'map__inset-title' },
    ],
    [clusters, map.labels, insetTitle],
  );
  const [measuring, sizes] = useTextSizes(texts, projection !== null);
  const sizeOf = (key: string, text: string, charWidth = 0.62): TextSize => sizes.get(key) ?? estimateSize(text, FONT, charWidth);

  // The inset: its title, then for each place a symbol with its marks' numbers beside it.
  const inset = useMemo(() => {
    const slots = new Map<string, { at: Point; number: Point }>();
    let x = INSET.x + 10 + SYMBOL_R;
    const y = INSET.y + INSET.h - SYMBOL_R - 10;
    let right = x;
    for (const place of insetPlaces) {
      const onInset = clusters.filter((c) => !c.at && c.places[0] === place);
      const numbers = onInset.map((c) => sizeOf(`n-${c.lead}`, numberRanges(c.members.map((m) => m.n))).w);
      const w = numbers.reduce((a, b) => a + b, 0);
      slots.set(place, { at: [x, y], number: [x + SYMBOL_R + 10 + w / 2, y] });
      right = x + SYMBOL_R + (w > 0 ? 10 + w : 0);
      x = right + 16 + SYMBOL_R;
    }
    const title = sizeOf('inset', insetTitle);
    return { slots, width: Math.max(title.w + 20, right + 10 - INSET.x) };
  }, [insetPlaces, clusters, sizes, insetTitle]);
  const insetSlot = (place: string): Point => inset.slots.get(place)?.at ?? [INSET.x + 10 + SYMBOL_R, INSET.y + INSET.h - SYMBOL_R - 10];
  const clusterAt = (c: MarkCluster): Point | null => c.at ?? (c.places[0] ? insetSlot(c.places[0]) : null);

  const labels = useMemo(() => {
    if (!projection) return [];
    const symbols: Box[] = clusters.flatMap((c) => {
      const at = clusterAt(c);
      return at ? [{ x: at[0] - SYMBOL_R - 4, y: at[1] - SYMBOL_R - 4, w: 2 * SYMBOL_R + 8, h: 2 * SYMBOL_R + 8 }] : [];
    });
    if (insetPlaces.length > 0) symbols.push({ x: INSET.x, y: INSET.y, w: inset.width, h: INSET.h });
    // Marks on the map are numbered beside their symbol; those in the inset were numbered there.
    const requests: LabelRequest[] = clusters.flatMap((c) => {
      if (!c.at) return [];
      const key = `n-${c.lead}`;
      const text = numberRanges(c.members.map((m) => m.n));
      return [{ key, text, at: c.at, fontSize: FONT, size: sizeOf(key, text), gap: SYMBOL_R + 4, required: true }];
    });
    const names = [...map.labels].sort((a, b) => Number(b.featured) - Number(a.featured));
    for (const l of names) {
      const p = projection([l.lon, l.lat]);
      if (!p) continue;
      const key = `l-${l.text}`;
      requests.push({ key, text: l.text, at: [p[0], p[1]], fontSize: FONT, size: sizeOf(key, l.text, l.kind === 'sea' ? 0.55 : 0.7), centredOnly: true });
    }
    return placeLabels(requests, symbols, { x: 0, y: 0, w: width, h: height });
  }, [projection, clusters, insetPlaces, inset, map, width, height, sizes]);
  const labelByKey = new Map(labels.map((l) => [l.key, l]));

  const summary =
    marks.length === 0
      ? 'Map of the region. Nothing has been marked yet.'
      : `Map of the region with ${marks.length} marked event${marks.length === 1 ? '' : 's'}, listed beside the map.`;

  return (
    <figure className={`map${showAll ? ' map--all-events' : ''}`} data-testid="map">
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
            {insetPlaces.length > 0 && (
              <g className="map__inset" aria-hidden="true">
                <rect x={INSET.x} y={INSET.y} width={inset.width} height={INSET.h} rx={6} />
                <text x={INSET.x + 10} y={INSET.y + FONT + 2} className="map__inset-title">
                  {insetTitle}
                </text>
              </g>
            )}
            <g className="map__arcs" aria-hidden="true">
              {clusters.flatMap((c) => {
                const to = c.anchor ?? clusterAt(c);
                const froms = [...new Set(c.members.flatMap((m) => (m.mark.from ? [m.mark.from] : [])))];
                return froms.map((fromId) => {
                  const place = placeById(map, fromId);
                  if (!place || !to) return null;
                  const xy = inFrame(map.frame, place) ? projection([place.lon, place.lat]) : insetSlot(fromId);
                  if (!xy) return null;
                  const kind = c.members.find((m) => m.mark.from === fromId)?.mark.kind ?? c.kind;
                  return (
                    <path
                      key={`arc-${c.lead}-${fromId}`}
                      d={arcPath([xy[0], xy[1]], to)}
                      className={`map__arc${c.recent ? '' : ' map__arc--old'}`}
                      stroke={MARK_COLOR[kind]}
                      markerEnd="url(#arrow)"
                    />
                  );
                });
              })}
            </g>
            <g className="map__leaders" aria-hidden="true">
              {clusters.map((c) =>
                c.anchor && c.at ? (
                  <g key={`leader-${c.lead}`}>
                    <line x1={c.anchor[0]} y1={c.anchor[1]} x2={c.at[0]} y2={c.at[1]} className="map__mark-leader" />
                    <circle cx={c.anchor[0]} cy={c.anchor[1]} r={3} className="map__mark-anchor" />
                  </g>
                ) : null,
              )}
            </g>
            <g className="map__marks" aria-hidden="true">
              {clusters.map((c) => {
                const at = clusterAt(c);
                if (!at) return null;
                const label = labelByKey.get(`n-${c.lead}`);
                const insetNumber = c.at ? null : c.places[0] ? inset.slots.get(c.places[0])?.number : undefined;
                return (
                  <g key={`cluster-${c.lead}`} data-testid={`map-cluster-${c.lead}`} data-count={c.members.length}>
                    <g transform={`translate(${at[0].toFixed(1)},${at[1].toFixed(1)})`}>
                      {c.recent && <circle r={SYMBOL_R + 8} className="map__pulse" stroke={MARK_COLOR[c.kind]} />}
                      <g data-testid="map-symbol" data-lead={c.lead} data-count={c.members.length}>
                        <MarkGlyph kind={c.kind} r={c.recent ? SYMBOL_R : SYMBOL_R - 2} dim={!c.recent} />
                        {c.kinds.length > 1 && <circle r={SYMBOL_R + 4} className="map__cluster-ring" />}
                      </g>
                    </g>
                    {/* One hook per mark, for tests and tools. */}
                    {c.members.map((m) => (
                      <g key={m.n} data-testid={`map-mark-${m.n}`} data-kind={m.mark.kind} data-place={m.mark.place} data-cluster={c.lead} />
                    ))}
                    {label && label.far && (
                      <line x1={at[0]} y1={at[1]} x2={nearestEdge(label.box, at)[0]} y2={nearestEdge(label.box, at)[1]} className="map__mark-leader" />
                    )}
                    {label && (
                      <text x={label.x} y={label.y} textAnchor="middle" className="map__mark-number">
                        {label.text}
                      </text>
                    )}
                    {insetNumber && (
                      <text x={insetNumber[0]} y={insetNumber[1] - sizeOf(`n-${c.lead}`, '').top - sizeOf(`n-${c.lead}`, '').h / 2} textAnchor="middle" className="map__mark-number">
                        {numberRanges(c.members.map((m) => m.n))}
                      </text>
                    )}
                  </g>
                );
              })}
            </g>
            <g className="map__labels" aria-hidden="true">
              {map.labels.map((l) => {
                const placed = labelByKey.get(`l-${l.text}`);
                if (!placed) return null;
                const a = l.anchor ? projection([l.anchor.lon, l.anchor.lat]) : null;
                const cls = labelClass(l);
                return (
                  <g key={l.text}>
                    {a && <line x1={placed.x} y1={placed.box.y + placed.box.h / 2} x2={a[0]} y2={a[1]} className="map__leader" />}
                    <text x={placed.x} y={placed.y} className={cls} textAnchor="middle">
                      {l.text}
                    </text>
                  </g>
                );
              })}
            </g>
            {measuring}
          </svg>
        )}
        {failed && <p className="map__error">The map could not be loaded.</p>}
      </div>
      {legend && (
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
              <button type="button" className="map__all-toggle" aria-expanded={showAll} onClick={() => setShowAll((x) => !x)} data-testid="map-events-toggle">
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
      )}
    </figure>
  );
}

function labelClass(l: ScenarioMap['labels'][number]): string {
  return l.kind === 'sea' ? 'map__sea-label' : l.featured ? 'map__country-label map__country-label--featured' : 'map__country-label';
}

/** The point of a box nearest to p, where a leader from p meets the label. */
function nearestEdge(b: Box, p: Point): Point {
  return [Math.min(Math.max(p[0], b.x), b.x + b.w), Math.min(Math.max(p[1], b.y), b.y + b.h)];
}
