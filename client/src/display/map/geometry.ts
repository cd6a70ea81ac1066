import { geoMercator, type GeoProjection } from 'd3-geo';
import type { MultiPoint } from 'geojson';
import { inFrame, type MapFrame, type MapMarkKind, type MapPlace, type ScenarioMap } from '@rubicon/shared';

export type Point = [number, number];

/** A Mercator projection that fits the scenario's frame into `width`×`height` with `padding` pixels on each side. */
export function regionProjection(frame: MapFrame, width: number, height: number, padding = 16): GeoProjection {
  const corners: MultiPoint = {
    type: 'MultiPoint',
    coordinates: [
      [frame.west, frame.south],
      [frame.east, frame.south],
      [frame.east, frame.north],
      [frame.west, frame.north],
    ],
  };
  return geoMercator().fitExtent(
    [
      [padding, padding],
      [Math.max(padding + 1, width - padding), Math.max(padding + 1, height - padding)],
    ],
    corners,
  );
}

export function placeById(map: ScenarioMap, id: string): MapPlace | undefined {
  return map.places.find((p) => p.id === id);
}

/** The display name of a place id (the id itself if the map does not know it). */
export function placeName(map: ScenarioMap, id: string): string {
  return placeById(map, id)?.name ?? id;
}

/** Where a place is drawn, or null for a place outside the frame (drawn in the inset) or unknown. */
export function projectPlace(projection: GeoProjection, map: ScenarioMap, id: string): Point | null {
  const p = placeById(map, id);
  if (!p || !inFrame(map.frame, p)) return null;
  const xy = projection([p.lon, p.lat]);
  return xy ? [xy[0], xy[1]] : null;
}

/** A gentle arc from a to b (a quadratic curve bulging up the screen, like a trajectory), as an SVG path. */
export function arcPath(a: readonly [number, number], b: readonly [number, number], bend = 0.22): string {
  const [x1, y1] = a;
  const [x2, y2] = b;
  const mx = (x1 + x2) / 2;
  const my = (y1 + y2) / 2;
  const dx = x2 - x1;
  const dy = y2 - y1;
  // Of the two perpendiculars, take the one pointing up (smaller y on screen).
  const sign = -dx * bend <= dx * bend ? 1 : -1;
  const cx = mx + sign * dy * bend;
  const cy = my - sign * dx * bend;
  const r = (n: number) => Math.round(n * 10) / 10;
  return `M${r(x1)},${r(y1)} Q${r(cx)},${r(cy)} ${r(x2)},${r(y2)}`;
}

export const MARK_KINDS: readonly MapMarkKind[] = ['strike', 'launch', 'interception', 'retaliation', 'diplomacy', 'deployment', 'cyber'];

export const MARK_KIND_LABEL: Readonly<Record<MapMarkKind, string>> = {
  strike: 'Strike',
  launch: 'Launch',
  interception: 'Interception',
  retaliation: 'Retaliation',
  diplomacy: 'Diplomacy',
  deployment: 'Deployment',
  cyber: 'Cyber',
};

/** "9–12, 15": a list of numbers with runs folded, for a cluster's label. */
export function numberRanges(ns: readonly number[]): string {
  const sorted = [...new Set(ns)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}–${sorted[j]}` : sorted.slice(i, j + 1).join(', '));
    i = j + 1;
  }
  return parts.join(', ');
}
