import type { Land, PackedLand } from './clip.ts';
import { landUrl, unpackLand } from './clip.ts';

const cache = new Map<string, Promise<Land>>();

/** The scenario's clipped land (built by client/scripts/clip-maps.ts), fetched once per scenario. */
export function loadLand(scenarioId: string): Promise<Land> {
  let p = cache.get(scenarioId);
  if (!p) {
    p = fetch(landUrl(scenarioId)).then(async (r) => {
      if (!r.ok) throw new Error(`map data: HTTP ${r.status}`);
      return unpackLand((await r.json()) as PackedLand);
    });
    // A failed load may be retried by the next map that mounts.
    p.catch(() => cache.delete(scenarioId));
    cache.set(scenarioId, p);
  }
  return p;
}
