import { describe, expect, it } from 'vitest';
import type { MapMark } from '@rubicon/shared';
import { arcPath, PLACES, projectPlace, regionProjection, REGION } from '../src/display/map/places.ts';
import { collectMarks, declutter, placeMarks } from '../src/display/map/marks.ts';

describe('place projection', () => {
  const w = 1000;
  const h = 800;
  const p = regionProjection(w, h, 10);

  it('fits the region inside the box', () => {
    for (const lon of [REGION.lonMin, REGION.lonMax]) {
      for (const lat of [REGION.latMin, REGION.latMax]) {
        const [x, y] = p([lon, lat])!;
        expect(x).toBeGreaterThanOrEqual(9.5);
        expect(x).toBeLessThanOrEqual(w - 9.5);
        expect(y).toBeGreaterThanOrEqual(9.5);
        expect(y).toBeLessThanOrEqual(h - 9.5);
      }
    }
  });

  it('puts every place but Washington on the map, in the right order', () => {
    for (const [place, def] of Object.entries(PLACES)) {
      const xy = projectPlace(p, place as keyof typeof PLACES);
      if (def.offMap) expect(xy).toBeNull();
      else {
        expect(xy).not.toBeNull();
        expect(xy![0]).toBeGreaterThan(0);
        expect(xy![0]).toBeLessThan(w);
        expect(xy![1]).toBeGreaterThan(0);
        expect(xy![1]).toBeLessThan(h);
      }
    }
    const tehran = projectPlace(p, 'tehran')!;
    const damascus = projectPlace(p, 'damascus')!;
    const yemen = projectPlace(p, 'yemen')!;
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
    const b = declutter(pts, 20);
    expect(a).toEqual(b);
    for (let i = 0; i < a.length; i++)
      for (let j = i + 1; j < a.length; j++) expect(Math.hypot(a[i]![0] - a[j]![0], a[i]![1] - a[j]![1])).toBeGreaterThanOrEqual(19.9);
    expect(a[3]).toEqual([300, 300]);
  });

  it('spreads marks at one place and projects launch origins', () => {
    const p = regionProjection(800, 800);
    const placed = placeMarks(
      collectMarks({ resolutions: [res('one', [strike, { ...strike, kind: 'retaliation', label: 'Other' }, launch])], beat: null }),
      p,
    );
    const [a, b, c] = placed;
    expect(a!.at).not.toEqual(b!.at);
    expect(a!.anchor).toEqual(projectPlace(p, 'damascus'));
    expect(c!.from).toEqual(projectPlace(p, 'western-iran'));
  });

  it('gathers marks of one kind at one place into one symbol that lists their numbers', () => {
    const p = regionProjection(800, 800);
    const second: MapMark = { ...intercept, label: 'Drones downed' };
    const placed = placeMarks(collectMarks({ resolutions: [res('one', [intercept, strike, second])], beat: null }), p);
    const [a, b, c] = placed;
    expect(a!.numbers).toEqual([1, 3]);
    expect(c!.numbers).toEqual([]);
    expect(c!.leadN).toBe(1);
    expect(c!.at).toEqual(a!.at);
    expect(b!.numbers).toEqual([2]);
    // Only the two symbols are spread apart, and they no longer overlap.
    expect(Math.hypot(a!.at![0] - b!.at![0], a!.at![1] - b!.at![1])).toBeGreaterThanOrEqual(29.9);
  });

  it('sends Washington to the inset', () => {
    const placed = placeMarks(collectMarks({ resolutions: [res('one', [{ place: 'washington', kind: 'diplomacy', label: 'Calls' }])], beat: null }), regionProjection(500, 500));
    expect(placed[0]!.offMap).toBe(true);
    expect(placed[0]!.at).toBeNull();
  });
});
