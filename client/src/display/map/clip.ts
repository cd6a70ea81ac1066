import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import type { MapFrame } from '@rubicon/shared';

/**
 * Cutting the world's land down to the part one scenario's map shows, at
 * build time (client/scripts/clip-maps.ts), so the projector loads a few
 * kilobytes instead of the whole world.
 */

export interface Box {
  west: number;
  east: number;
  south: number;
  north: number;
}

/**
 * The box of land data kept around a frame. The map is fitted to the frame,
 * so a screen wider or taller than the frame shows more on one axis: keep
 * enough around it that no coastline ends in a straight cut.
 */
export function landBox(frame: MapFrame): Box {
  const w = frame.east - frame.west;
  const h = frame.north - frame.south;
  return {
    west: Math.max(-180, frame.west - 0.5 * w),
    east: Math.min(180, frame.east + 0.5 * w),
    south: Math.max(-85, frame.south - 0.25 * h),
    north: Math.min(85, frame.north + 0.25 * h),
  };
}

type Inside = (p: Position) => boolean;
type Cross = (a: Position, b: Position) => Position;

function clipEdge(ring: Position[], inside: Inside, cross: Cross): Position[] {
  const out: Position[] = [];
  for (let i = 0; i < ring.length; i++) {
    const cur = ring[i]!;
    const prev = ring[(i + ring.length - 1) % ring.length]!;
    if (inside(cur)) {
      if (!inside(prev)) out.push(cross(prev, cur));
      out.push(cur);
    } else if (inside(prev)) out.push(cross(prev, cur));
  }
  return out;
}

const atLon = (a: Position, b: Position, lon: number): Position => [lon, a[1]! + ((b[1]! - a[1]!) * (lon - a[0]!)) / (b[0]! - a[0]!)];
const atLat = (a: Position, b: Position, lat: number): Position => [a[0]! + ((b[0]! - a[0]!) * (lat - a[1]!)) / (b[1]! - a[1]!), lat];

/**
 * Sutherland–Hodgman against the box (convex, so one pass per edge is exact),
 * rounded to `digits` decimals, dropping points nearer than `minStep` degrees
 * to the last one kept (a projector shows about 0.03° per pixel).
 */
export function clipRing(ring: readonly Position[], box: Box, digits = 2, minStep = 0.04): Position[] | null {
  // Work on the open ring; close it again at the end.
  let pts = ring.slice(0, ring.length > 1 && samePoint(ring[0]!, ring[ring.length - 1]!) ? -1 : undefined) as Position[];
  pts = clipEdge(pts, (p) => p[0]! >= box.west, (a, b) => atLon(a, b, box.west));
  pts = clipEdge(pts, (p) => p[0]! <= box.east, (a, b) => atLon(a, b, box.east));
  pts = clipEdge(pts, (p) => p[1]! >= box.south, (a, b) => atLat(a, b, box.south));
  pts = clipEdge(pts, (p) => p[1]! <= box.north, (a, b) => atLat(a, b, box.north));
  const f = 10 ** digits;
  const rounded: Position[] = [];
  for (const p of pts) {
    const q: Position = [Math.round(p[0]! * f) / f, Math.round(p[1]! * f) / f];
    const last = rounded[rounded.length - 1];
    if (!last || Math.hypot(q[0]! - last[0]!, q[1]! - last[1]!) >= minStep) rounded.push(q);
  }
  if (rounded.length > 1 && samePoint(rounded[0]!, rounded[rounded.length - 1]!)) rounded.pop();
  if (rounded.length < 3) return null;
  // An islet smaller than a few pixels only adds bytes.
  const xs = rounded.map((p) => p[0]!);
  const ys = rounded.map((p) => p[1]!);
  if (Math.max(...xs) - Math.min(...xs) < minStep * 3 && Math.max(...ys) - Math.min(...ys) < minStep * 3) return null;
  return [...rounded, rounded[0]!];
}

function samePoint(a: Position, b: Position): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

function clipPolygon(rings: readonly Position[][], box: Box): Position[][] | null {
  const [outer, ...holes] = rings;
  const clippedOuter = outer ? clipRing(outer, box) : null;
  if (!clippedOuter) return null;
  return [clippedOuter, ...holes.flatMap((h) => {
    const ring = clipRing(h, box);
    return ring ? [ring] : [];
  })];
}

export type Land = FeatureCollection<Polygon | MultiPolygon, { name: string }>;

/** The countries' land inside the box; countries wholly outside are dropped. */
export function clipLand(countries: readonly Feature<Polygon | MultiPolygon | null, { name?: string } | null>[], box: Box): Land {
  const features: Land['features'] = [];
  for (const c of countries) {
    const g = c.geometry;
    if (!g) continue;
    const polygons = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates).flatMap((p) => {
      const polygon = clipPolygon(p, box);
      return polygon ? [polygon] : [];
    });
    if (polygons.length === 0) continue;
    const geometry: Polygon | MultiPolygon =
      polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0]! } : { type: 'MultiPolygon', coordinates: polygons };
    features.push({ type: 'Feature', properties: { name: c.properties?.name ?? '' }, geometry });
  }
  return { type: 'FeatureCollection', features };
}

/**
 * The shipped form: per country its name and its rings, each ring a flat list
 * of integers in hundredths of a degree, the first point absolute and the rest
 * as steps from the one before (a third of the size of GeoJSON).
 */
export interface PackedLand {
  countries: { name: string; polygons: number[][][] }[];
}

const UNIT = 100;

export function packLand(land: Land): PackedLand {
  return {
    countries: land.features.map((f) => {
      const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
      return {
        name: f.properties.name,
        polygons: polygons.map((rings) =>
          rings.map((ring) => {
            const flat: number[] = [];
            let px = 0;
            let py = 0;
            for (const p of ring.slice(0, -1)) {
              const x = Math.round(p[0]! * UNIT);
              const y = Math.round(p[1]! * UNIT);
              flat.push(x - px, y - py);
              px = x;
              py = y;
            }
            return flat;
          }),
        ),
      };
    }),
  };
}

export function unpackLand(packed: PackedLand): Land {
  return {
    type: 'FeatureCollection',
    features: packed.countries.map((c) => {
      const polygons = c.polygons.map((rings) =>
        rings.map((flat) => {
          const ring: Position[] = [];
          let x = 0;
          let y = 0;
          for (let i = 0; i + 1 < flat.length; i += 2) {
            x += flat[i]!;
            y += flat[i + 1]!;
            ring.push([x / UNIT, y / UNIT]);
          }
          if (ring[0]) ring.push(ring[0]);
          return ring;
        }),
      );
      const geometry: Polygon | MultiPolygon =
        polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0]! } : { type: 'MultiPolygon', coordinates: polygons };
      return { type: 'Feature', properties: { name: c.name }, geometry };
    }),
  };
}

/** Where the client finds a scenario's clipped land (client/public/maps/, written at build time). */
export function landUrl(scenarioId: string): string {
  return `/maps/${encodeURIComponent(scenarioId)}.json`;
}
