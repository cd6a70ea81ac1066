import { geoMercator, type GeoProjection } from 'd3-geo';
import type { MultiPoint } from 'geojson';
import type { MapMarkKind, Place } from '@rubicon/shared';

/** Where the scenario's places are, [longitude, latitude]. Washington is off the map: drawn in an inset. */
export const PLACES: Readonly<Record<Place, { name: string; lonLat: readonly [number, number]; offMap?: true }>> = {
  damascus: { name: 'Damascus', lonLat: [36.29, 33.51] },
  tehran: { name: 'Tehran', lonLat: [51.39, 35.69] },
  isfahan: { name: 'Isfahan', lonLat: [51.67, 32.65] },
  'western-iran': { name: 'Western Iran', lonLat: [47.07, 34.31] },
  israel: { name: 'Israel', lonLat: [34.85, 31.6] },
  nevatim: { name: 'Nevatim air base', lonLat: [35.01, 31.21] },
  jerusalem: { name: 'Jerusalem', lonLat: [35.22, 31.78] },
  beirut: { name: 'Beirut', lonLat: [35.5, 33.89] },
  'southern-lebanon': { name: 'Southern Lebanon', lonLat: [35.4, 33.27] },
  iraq: { name: 'Iraq', lonLat: [44.2, 33.2] },
  jordan: { name: 'Jordan', lonLat: [36.4, 31.3] },
  gulf: { name: 'The Gulf', lonLat: [51.2, 27.0] },
  'red-sea': { name: 'Red Sea', lonLat: [38.6, 20.4] },
  yemen: { name: 'Yemen', lonLat: [44.2, 15.35] },
  washington: { name: 'Washington', lonLat: [-77.04, 38.9], offMap: true },
  muscat: { name: 'Muscat', lonLat: [58.41, 23.59] },
  doha: { name: 'Doha', lonLat: [51.53, 25.29] },
};

/** The region the map is fitted to. */
export const REGION = { lonMin: 30, lonMax: 60, latMin: 12, latMax: 40 } as const;

/** Country labels. Small countries are labelled offshore with a leader line to `anchor`. */
export const COUNTRY_LABELS: readonly { name: string; lonLat: readonly [number, number]; anchor?: readonly [number, number]; featured: boolean }[] = [
  { name: 'Iran', lonLat: [54.6, 31.2], featured: true },
  { name: 'Iraq', lonLat: [43.0, 31.9], featured: true },
  { name: 'Syria', lonLat: [38.9, 35.3], featured: true },
  { name: 'Lebanon', lonLat: [32.2, 34.6], anchor: [35.75, 34.0], featured: true },
  { name: 'Israel', lonLat: [31.9, 32.35], anchor: [34.75, 31.0], featured: true },
  { name: 'Jordan', lonLat: [37.4, 30.2], featured: true },
  { name: 'Saudi Arabia', lonLat: [44.5, 24.2], featured: true },
  { name: 'Yemen', lonLat: [47.6, 16.0], featured: true },
  { name: 'Oman', lonLat: [56.2, 20.2], featured: false },
  { name: 'Egypt', lonLat: [31.2, 27.0], featured: false },
  { name: 'Turkey', lonLat: [36.5, 38.9], featured: false },
  { name: 'Qatar', lonLat: [51.15, 24.5], anchor: [51.2, 25.3], featured: false },
  { name: 'UAE', lonLat: [54.4, 23.2], featured: false },
  { name: 'Kuwait', lonLat: [47.6, 29.35], featured: false },
];

export const SEA_LABELS: readonly { name: string; lonLat: readonly [number, number] }[] = [
  { name: 'The Gulf', lonLat: [50.1, 28.4] },
  { name: 'Red Sea', lonLat: [37.1, 22.5] },
  { name: 'Mediterranean', lonLat: [30.9, 33.4] },
  { name: 'Arabian Sea', lonLat: [59.0, 15.5] },
];

/** Natural Earth names of the countries drawn a shade lighter (the crisis's actors and neighbours). */
export const FEATURED_COUNTRIES = new Set([
  'Iran',
  'Israel',
  'Syria',
  'Lebanon',
  'Iraq',
  'Jordan',
  'Saudi Arabia',
  'Yemen',
  'Palestine',
]);

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

/** A Mercator projection that fits the region into `width`×`height` with `padding` pixels on each side. */
export function regionProjection(width: number, height: number, padding = 16): GeoProjection {
  const { lonMin, lonMax, latMin, latMax } = REGION;
  const corners: MultiPoint = {
    type: 'MultiPoint',
    coordinates: [
      [lonMin, latMin],
      [lonMax, latMin],
      [lonMax, latMax],
      [lonMin, latMax],
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

/** Where a place is drawn, or null for a place off the map (Washington), which goes in the inset. */
export function projectPlace(projection: GeoProjection, place: Place): [number, number] | null {
  const p = PLACES[place];
  if (p.offMap) return null;
  const xy = projection([p.lonLat[0], p.lonLat[1]]);
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
