import { z } from 'zod';
import { Slug } from './slug.ts';

/**
 * The scenario's map: the places its marks name, the region to show, and the
 * names written on the land and sea. All of it is scenario data, so the
 * client's map code knows no place. Places outside the frame (a distant
 * capital) are drawn in an inset box.
 */

const Longitude = z.number().min(-180).max(180);
const Latitude = z.number().min(-85).max(85);

export const MapPlace = z
  .object({
    id: Slug,
    /** Shown in the event list and the inset. */
    name: z.string().min(1),
    lon: Longitude,
    lat: Latitude,
  })
  .strict();
export type MapPlace = z.infer<typeof MapPlace>;

/** The region that must be visible, in degrees; the map is fitted to it and the land data clipped around it. */
export const MapFrame = z
  .object({ west: Longitude, east: Longitude, south: Latitude, north: Latitude })
  .strict();
export type MapFrame = z.infer<typeof MapFrame>;

/** A name written on the map. A small country can be labelled offshore with a leader line to `anchor`. */
export const MapLabel = z
  .object({
    text: z.string().min(1),
    kind: z.enum(['country', 'sea']).default('country'),
    lon: Longitude,
    lat: Latitude,
    anchor: z.object({ lon: Longitude, lat: Latitude }).strict().optional(),
    /** Featured labels are drawn first and brighter; the others are dropped when space runs out. */
    featured: z.boolean().default(false),
  })
  .strict();
export type MapLabel = z.infer<typeof MapLabel>;

export const ScenarioMap = z
  .object({
    frame: MapFrame,
    places: z.array(MapPlace).min(1),
    labels: z.array(MapLabel).default([]),
    /** Natural Earth country names drawn a shade lighter (the crisis's actors and neighbours). */
    featuredCountries: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type ScenarioMap = z.infer<typeof ScenarioMap>;

/** True when a place lies inside the frame (so it is drawn on the map, not in the inset). */
export function inFrame(frame: MapFrame, p: { lon: number; lat: number }): boolean {
  return p.lon >= frame.west && p.lon <= frame.east && p.lat >= frame.south && p.lat <= frame.north;
}
