import { useMemo, type ReactNode } from 'react';
import { geoGraticule10, geoPath, type GeoProjection } from 'd3-geo';
import { inFrame, type GameView, type ScenarioMap } from '@rubicon/shared';
import type { Land } from './clip.ts';
import { numberRanges, placeById, placeName, regionProjection, type Point } from './geometry.ts';
import { estimateSize, placeLabels, type Box, type LabelRequest, type PlacedLabel, type TextSize } from './labels.ts';
import { useTextSizes, type TextToMeasure } from './measure.tsx';
import { clusterMarks, collectMarks, type MarkCluster, type NumberedMark } from './marks.ts';

/** The room reads the map from across a classroom: no map text under this (px at 1920×1080). */
export const FONT = 24;
export const SYMBOL_R = 13;
const PADDING = 12;
export const INSET = { x: 12, y: 12, h: 84 };

export function labelClass(l: ScenarioMap['labels'][number]): string {
  return l.kind === 'sea' ? 'map__sea-label' : l.featured ? 'map__country-label map__country-label--featured' : 'map__country-label';
}

/** Where everything on the map goes at this size: the projection, land paths, mark clusters, the inset and the labels. */
export interface MapLayout {
  projection: GeoProjection;
  paths: { graticule: string; countries: { key: string; d: string; featured: boolean }[] } | null;
  clusters: MarkCluster[];
  insetPlaces: string[];
  insetTitle: string;
  inset: { slots: Map<string, { at: Point; number: Point }>; width: number };
  insetSlot(place: string): Point;
  clusterAt(c: MarkCluster): Point | null;
  labelByKey: Map<string, PlacedLabel>;
  sizeOf(key: string, text: string, charWidth?: number): TextSize;
}

/**
 * Lays the map out for a box of `width`×`height`. Layout waits for the browser to measure every text the map
 * draws (returned as `measuring`, to be rendered inside the svg), so labels are kept apart by their real boxes.
 */
export function useMapLayout(
  view: Pick<GameView, 'resolutions' | 'beat' | 'scenario'>,
  land: Land | null,
  width: number,
  height: number,
): { marks: NumberedMark[]; layout: MapLayout | null; measuring: ReactNode } {
  const map = view.scenario.map;
  const projection = useMemo(() => (width > 0 && height > 0 ? regionProjection(map.frame, width, height, PADDING) : null), [map.frame, width, height]);
  const paths = useMemo(() => (projection && land ? landPaths(map, land, width, height) : null), [projection, land, map, width, height]);

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

  const inset = useMemo(() => insetLayout(insetPlaces, clusters, insetTitle, sizeOf), [insetPlaces, clusters, sizes, insetTitle]);
  const insetSlot = (place: string): Point => inset.slots.get(place)?.at ?? [INSET.x + 10 + SYMBOL_R, INSET.y + INSET.h - SYMBOL_R - 10];
  const clusterAt = (c: MarkCluster): Point | null => c.at ?? (c.places[0] ? insetSlot(c.places[0]) : null);

  const labels = useMemo(() => {
    if (!projection) return [];
    const symbols: Box[] = clusters.flatMap((c) => {
      const at = clusterAt(c);
      return at ? [{ x: at[0] - SYMBOL_R - 4, y: at[1] - SYMBOL_R - 4, w: 2 * SYMBOL_R + 8, h: 2 * SYMBOL_R + 8 }] : [];
    });
    if (insetPlaces.length > 0) symbols.push({ x: INSET.x, y: INSET.y, w: inset.width, h: INSET.h });
    return placeLabels(labelRequests(map, projection, clusters, sizeOf), symbols, { x: 0, y: 0, w: width, h: height });
  }, [projection, clusters, insetPlaces, inset, map, width, height, sizes]);

  const layout: MapLayout | null = projection
    ? { projection, paths, clusters, insetPlaces, insetTitle, inset, insetSlot, clusterAt, labelByKey: new Map(labels.map((l) => [l.key, l])), sizeOf }
    : null;
  return { marks, layout, measuring };
}

function landPaths(map: ScenarioMap, land: Land, width: number, height: number): NonNullable<MapLayout['paths']> {
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
}

/** The inset: its title, then for each place a symbol with its marks' numbers beside it. */
function insetLayout(insetPlaces: readonly string[], clusters: readonly MarkCluster[], insetTitle: string, sizeOf: MapLayout['sizeOf']): MapLayout['inset'] {
  const slots = new Map<string, { at: Point; number: Point }>();
  let x = INSET.x + 10 + SYMBOL_R;
  const y = INSET.y + INSET.h - SYMBOL_R - 10;
  let right = x;
  for (const place of insetPlaces) {
    const onInset = clusters.filter((c) => !c.at && c.places[0] === place);
    const w = onInset.map((c) => sizeOf(`n-${c.lead}`, numberRanges(c.members.map((m) => m.n))).w).reduce((a, b) => a + b, 0);
    slots.set(place, { at: [x, y], number: [x + SYMBOL_R + 10 + w / 2, y] });
    right = x + SYMBOL_R + (w > 0 ? 10 + w : 0);
    x = right + 16 + SYMBOL_R;
  }
  const title = sizeOf('inset', insetTitle);
  return { slots, width: Math.max(title.w + 20, right + 10 - INSET.x) };
}

/** Marks on the map are numbered beside their symbol (those in the inset were numbered there), then place names, featured first. */
function labelRequests(map: ScenarioMap, projection: GeoProjection, clusters: readonly MarkCluster[], sizeOf: MapLayout['sizeOf']): LabelRequest[] {
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
  return requests;
}
