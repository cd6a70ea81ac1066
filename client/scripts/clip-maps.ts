/**
 * Build step: for every scenario file, cut Natural Earth's 1:50m countries
 * (world-atlas) down to the land around the scenario's map frame and write it
 * to client/public/maps/<scenario>.json, which Vite copies into the build. The
 * projector then loads only its region. Prints the sizes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { feature } from 'topojson-client';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { readScenarioDir } from '@rubicon/shared/scenario-files';
import { clipLand, landBox, packLand } from '../src/display/map/clip.ts';

const require = createRequire(import.meta.url);
const atlasPath = require.resolve('world-atlas/countries-50m.json');
const atlasText = readFileSync(atlasPath, 'utf8');
const topo = JSON.parse(atlasText) as Topology<{ countries: GeometryCollection<{ name?: string }> }>;
const world = feature(topo, topo.objects.countries) as FeatureCollection<Polygon | MultiPolygon, { name?: string }>;

const outDir = fileURLToPath(new URL('../public/maps/', import.meta.url));
mkdirSync(outDir, { recursive: true });
for (const scenario of readScenarioDir()) {
  const land = clipLand(world.features, landBox(scenario.map.frame));
  const text = JSON.stringify(packLand(land));
  writeFileSync(`${outDir}${scenario.id}.json`, text);
  console.log(`map ${scenario.id}: ${land.features.length} countries, ${(text.length / 1024).toFixed(0)} KB (whole world: ${(atlasText.length / 1024).toFixed(0)} KB)`);
}
