import { describe, expect, it } from 'vitest';
import type { MapMark, ScenarioMap } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { arcPath, numberRanges, projectPlace, regionProjection } from '../src/display/map/geometry.ts';
import { clusterMarks, collectMarks, declutter } from '../src/display/map/marks.ts';
import { anyOverlap, placeLabels, type LabelRequest } from '../src/display/map/labels.ts';
import { clipLand, clipRing, landBox, packLand, unpackLand } from '../src/display/map/clip.ts';

const map: ScenarioMap = shippedScenario('april-2024').map;

describe('place projection', () => {
  const w = 1000;
  const h = 800;
  const p = regionProjection(map.frame, w, h, 10);

  it('fits the frame inside the box', () => {
    for (const lon of [map.frame.west, map.frame.east]) {
      for (const lat of [map.frame.south, map.frame.north]) {
        const [x, y] = p([lon, lat])!;
        expect(x).toBeGreaterThanOrEqual(9.5);
        expect(x).toBeLessThanOrEqual(w - 9.5);
        expect(y).toBeGreaterThanOrEqual(9.5);
        expect(y).toBeLessThanOrEqual(h - 9.5);
      }
    }
  });

  it('puts places inside the frame on the map and the others (Washington) in the inset', () => {
    for (const place of map.places) {
      const xy = projectPlace(p, map, place.id);
      const inside = place.lon >= map.frame.west && place.lon <= map.frame.east && place.lat >= map.frame.south && place.lat <= map.frame.north;
      if (!inside) expect(xy).toBeNull();
      else {
        expect(xy![0]).toBeGreaterThan(0);
        expect(xy![0]).toBeLessThan(w);
        expect(xy![1]).toBeGreaterThan(0);
        expect(xy![1]).toBeLessThan(h);
      }
    }
    expect(projectPlace(p, map, 'washington')).toBeNull();
    const tehran = projectPlace(p, map, 'tehran')!;
    const damascus = projectPlace(p, map, 'damascus')!;
    const yemen = projectPlace(p, map, 'yemen')!;
    expect(tehran[0]).toBeGreaterThan(damascus[0]); // east is right
    expect(yemen[1]).toBeGreaterThan(damascus[1]); // south is down
  });

  it('draws arcs that bulge upward whichever way they go', () => {
    for (const [a, b] of [
      [[800, 300], [200, 400]],
      [[200, 400], [800, 300]],
    ] as const) {
      const m = /Q([\d.-]+),([\d.-]+)/.exec(arcPath(a, b))!;
      expect(Number(m[2])).toBeLessThan((a[1] + b[1]) / 2);
    }
  });

  it('folds runs of numbers', () => {
    expect(numberRanges([9, 10, 11, 12, 15, 3, 4])).toBe('3, 4, 9–12, 15');
  });
});

describe('map marks', () => {
  const strike: MapMark = { place: 'damascus', kind: 'strike', label: 'Consulate annex struck' };
  const launch: MapMark = { place: 'nevatim', kind: 'launch', label: 'Drones and missiles', from: 'western-iran' };
  const intercept: MapMark = { place: 'jordan', kind: 'interception', label: 'Coalition intercepts' };
  const res = (beat: string, marks: MapMark[]) =>
    ({ beat, title: beat, date: 'd', narrative: [{ text: 'x', marks }] }) as unknown as Parameters<typeof collectMarks>[0]['resolutions'][number];

  it('numbers marks from resolutions then the open beat, shows a repeat once, and flags the latest', () => {
    const marks = collectMarks({
      resolutions: [res('one', [strike]), res('two', [launch, intercept, strike])],
      beat: { title: 'Three', date: 'd3', marks: [] } as unknown as Parameters<typeof collectMarks>[0]['beat'],
    });
    expect(marks.map((m) => m.mark.label)).toEqual([launch.label, intercept.label, strike.label]);
    expect(marks.map((m) => m.n)).toEqual([1, 2, 3]);
    expect(marks.every((m) => m.recent)).toBe(true);
  });

  it('declutters deterministically so no two symbols overlap', () => {
    const pts: [number, number][] = [
      [100, 100],
      [100, 100],
      [104, 102],
      [300, 300],
    ];
    const a = declutter(pts, 20);
    expect(a).toEqual(declutter(pts, 20));
    for (let i = 0; i < a.length; i++)
      for (let j = i + 1; j < a.length; j++) expect(Math.hypot(a[i]![0] - a[j]![0], a[i]![1] - a[j]![1])).toBeGreaterThanOrEqual(19.9);
    expect(a[3]).toEqual([300, 300]);
  });

  it('clusters co-located marks of any kind into one symbol and keeps clusters apart', () => {
    const p = regionProjection(map.frame, 900, 700);
    const pile: MapMark[] = [
      launch,
      { place: 'israel', kind: 'interception', label: 'Arrow intercepts' },
      { place: 'nevatim', kind: 'strike', label: 'Base hit' },
      { place: 'jerusalem', kind: 'interception', label: 'Over Jerusalem' },
      intercept,
      { place: 'jordan', kind: 'interception', label: 'Jordan downs drones' },
      strike,
      { place: 'washington', kind: 'diplomacy', label: 'Calls' },
    ];
    const clusters = clusterMarks(collectMarks({ resolutions: [res('one', pile)], beat: null }), p, map, { minDist: 40 });
    // Every mark is in exactly one cluster.
    expect(clusters.flatMap((c) => c.members.map((m) => m.n)).sort((a, b) => a - b)).toEqual(pile.map((_, i) => i + 1));
    const israel = clusters.find((c) => c.places.includes('nevatim'))!;
    expect(israel.places).toEqual(expect.arrayContaining(['nevatim', 'israel', 'jerusalem']));
    expect(israel.kinds.length).toBeGreaterThan(1);
    const washington = clusters.find((c) => c.places.includes('washington'))!;
    expect(washington.at).toBeNull();
    const drawn = clusters.filter((c) => c.at);
    expect(drawn.length).toBeLessThan(pile.length - 1);
    for (let i = 0; i < drawn.length; i++)
      for (let j = i + 1; j < drawn.length; j++)
        expect(Math.hypot(drawn[i]!.at![0] - drawn[j]!.at![0], drawn[i]!.at![1] - drawn[j]!.at![1])).toBeGreaterThanOrEqual(39.9);
  });
});

describe('map labels', () => {
  it('keeps labels apart, drops the optional ones that do not fit and keeps the required ones', () => {
    const requests: LabelRequest[] = [
      { key: 'a', text: '1–4', at: [100, 100], fontSize: 24, gap: 14, required: true },
      { key: 'b', text: '5', at: [110, 104], fontSize: 24, gap: 14, required: true },
      { key: 'c', text: 'Lebanon', at: [105, 100], fontSize: 24, centredOnly: true },
      { key: 'd', text: 'Iran', at: [400, 300], fontSize: 24, centredOnly: true },
    ];
    const placed = placeLabels(requests, [{ x: 90, y: 90, w: 30, h: 30 }], { x: 0, y: 0, w: 600, h: 400 });
    expect(placed.map((l) => l.key)).toEqual(expect.arrayContaining(['a', 'b', 'd']));
    expect(anyOverlap(placed)).toBe(false);
  });

  it('moves a required label out to a further ring, clear of every symbol and label, when the near spots are taken', () => {
    // Five symbols side by side (Israel, Nevatim, Jerusalem, the Golan, Jordan at projector scale), each with its numbers.
    const symbols = [0, 1, 2, 3, 4].map((i) => ({ x: 300 + i * 36 - 17, y: 200 - 17, w: 34, h: 34 }));
    const requests: LabelRequest[] = symbols.map((b, i) => ({
      key: `n${i}`,
      text: i === 2 ? '8–11, 13–15' : String(i + 1),
      at: [b.x + 17, b.y + 17],
      fontSize: 24,
      size: { w: i === 2 ? 140 : 14, h: 28, top: -22 },
      gap: 17,
      required: true,
    }));
    const placed = placeLabels(requests, symbols, { x: 0, y: 0, w: 800, h: 500 });
    expect(placed).toHaveLength(5);
    expect(anyOverlap(placed)).toBe(false);
    const hits = (a: { x: number; y: number; w: number; h: number }, b: typeof a) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    for (const l of placed) for (const s of symbols) expect(hits(l.box, s)).toBe(false);
  });

  it('lays out the April 2024 labels at projector size without overlaps', () => {
    const p = regionProjection(map.frame, 1150, 800);
    const requests: LabelRequest[] = map.labels.map((l) => ({ key: l.text, text: l.text, at: p([l.lon, l.lat]) as [number, number], fontSize: 24, centredOnly: true }));
    const placed = placeLabels(requests, [], { x: 0, y: 0, w: 1150, h: 800 });
    expect(anyOverlap(placed)).toBe(false);
    // Every featured country is named.
    for (const l of map.labels.filter((x) => x.featured)) expect(placed.map((x) => x.key)).toContain(l.text);
  });
});

describe('clipped land', () => {
  it('clips a ring to the box and closes it', () => {
    const ring = clipRing(
      [
        [-10, -10],
        [10, -10],
        [10, 10],
        [-10, 10],
        [-10, -10],
      ],
      { west: 0, east: 20, south: 0, north: 20 },
    );
    expect(ring).toEqual([
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
      [0, 0],
    ]);
  });

  it('drops land outside the box and round-trips through the packed form', () => {
    const box = landBox(map.frame);
    const land = clipLand(
      [
        { type: 'Feature', properties: { name: 'In' }, geometry: { type: 'Polygon', coordinates: [[[40, 20], [45, 20], [45, 25], [40, 25], [40, 20]]] } },
        { type: 'Feature', properties: { name: 'Out' }, geometry: { type: 'Polygon', coordinates: [[[-100, 20], [-95, 20], [-95, 25], [-100, 20]]] } },
      ],
      box,
    );
    expect(land.features.map((f) => f.properties.name)).toEqual(['In']);
    expect(unpackLand(packLand(land))).toEqual(land);
  });
});
