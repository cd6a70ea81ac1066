import type { GeoProjection } from 'd3-geo';
import type { GameView, MapMark, MapMarkKind, ScenarioMap } from '@rubicon/shared';
import { projectPlace, type Point } from './geometry.ts';

/** A mark to draw, with where it came from and a number for the legend. */
export interface NumberedMark {
  n: number;
  mark: MapMark;
  /** The beat it belongs to and its date, for the legend ("Iran decides", "2–10 April 2024"). */
  source: string;
  date: string;
  /** From the latest resolution or the beat now open: drawn bright; older ones are dimmed. */
  recent: boolean;
}

function markKey(m: MapMark): string {
  return `${m.kind}|${m.place}|${m.from ?? ''}|${m.label}`;
}

/**
 * Every mark the viewer may see: for each resolved beat, the marks it opened
 * with and its narrative marks, in order; then
 * the marks of the beat now open. A mark repeated later (the same kind, place
 * and label) is shown once, at its latest appearance.
 *
 * `beatMarks` holds the opening marks of each beat (beat id → marks), from
 * the scenario part of the view.
 */
export function collectMarks(
  view: Pick<GameView, 'resolutions' | 'beat'>,
  beatMarks: Readonly<Record<string, readonly MapMark[]>> = {},
): NumberedMark[] {
  const entries: { mark: MapMark; source: string; date: string; group: number }[] = [];
  view.resolutions.forEach((r, i) => {
    const at = { source: r.title, date: r.date, group: i };
    for (const mark of beatMarks[r.beat] ?? []) entries.push({ mark, ...at });
    for (const line of r.narrative) for (const mark of line.marks) entries.push({ mark, ...at });
  });
  const beatGroup = view.resolutions.length;
  if (view.beat) for (const mark of view.beat.marks) entries.push({ mark, source: view.beat.title, date: view.beat.date, group: beatGroup });

  const lastIndex = new Map<string, number>();
  entries.forEach((e, i) => lastIndex.set(markKey(e.mark), i));
  const kept = entries.filter((e, i) => lastIndex.get(markKey(e.mark)) === i);
  const latestGroup = view.beat && view.beat.marks.length > 0 ? beatGroup : view.resolutions.length - 1;
  return kept.map((e, i) => ({ n: i + 1, mark: e.mark, source: e.source, date: e.date, recent: e.group >= latestGroup }));
}

/**
 * Pushes points apart until no two are closer than `minDist` (or the
 * iterations run out). Deterministic: the same input always gives the same
 * layout, so every screen draws the same map.
 */
export function declutter(points: readonly (readonly [number, number])[], minDist: number, iterations = 60): [number, number][] {
  const out = points.map(([x, y]) => [x, y] as [number, number]);
  for (let it = 0; it < iterations; it++) {
    let moved = false;
    for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const a = out[i]!;
        const b = out[j]!;
        let dx = b[0] - a[0];
        let dy = b[1] - a[1];
        let d = Math.hypot(dx, dy);
        if (d >= minDist) continue;
        if (d < 1e-6) {
          // Same spot: separate along a fixed direction that depends on the pair, not on chance.
          const angle = ((i * 7 + j * 13) % 12) * (Math.PI / 6);
          dx = Math.cos(angle);
          dy = Math.sin(angle);
          d = 1;
        }
        const push = (minDist - d) / 2 + 0.01;
        a[0] -= (dx / d) * push;
        a[1] -= (dy / d) * push;
        b[0] += (dx / d) * push;
        b[1] += (dy / d) * push;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return out;
}

/** Marks drawn as one symbol: those at one place, or at places too close to tell apart at this size. */
export interface MarkCluster {
  /** The lowest number in the cluster: a stable key and test hook. */
  lead: number;
  members: NumberedMark[];
  /** The glyph drawn: the kind of the latest member. */
  kind: MapMarkKind;
  /** Every kind in the cluster, so a mixed cluster can say so. */
  kinds: MapMarkKind[];
  recent: boolean;
  /** Where the symbol goes; null when its place is outside the frame (the inset draws it). */
  at: Point | null;
  /** The place itself, when the symbol moved away from it to stay readable. */
  anchor: Point | null;
  /** The place ids in the cluster. */
  places: string[];
}

/**
 * Gathers marks into clusters (single link: a mark joins the cluster of any
 * mark whose place is within `joinDist` pixels), then nudges the clusters
 * apart so no symbol hides another. Marks outside the frame cluster by place.
 * Deterministic, so every screen draws the same map.
 */
export function clusterMarks(
  marks: readonly NumberedMark[],
  projection: GeoProjection,
  map: ScenarioMap,
  { joinDist = 26, minDist = 40 }: { joinDist?: number; minDist?: number } = {},
): MarkCluster[] {
  const bases = marks.map((m) => projectPlace(projection, map, m.mark.place));
  const groups: { base: Point | null; place: string; idx: number[] }[] = [];
  marks.forEach((m, i) => {
    const b = bases[i] ?? null;
    const g = groups.find((x) =>
      b && x.base ? x.idx.some((k) => Math.hypot(bases[k]![0] - b[0], bases[k]![1] - b[1]) < joinDist) : !b && !x.base && x.place === m.mark.place,
    );
    if (g) g.idx.push(i);
    else groups.push({ base: b, place: m.mark.place, idx: [i] });
  });
  const onMap = groups.filter((g) => g.base);
  const spread = declutter(
    onMap.map((g) => centroid(g.idx.map((k) => bases[k]!))),
    minDist,
  );
  return groups.map((g) => {
    const members = g.idx.map((k) => marks[k]!);
    const latest = members.reduce((a, b) => (b.n > a.n ? b : a));
    const i = onMap.indexOf(g);
    const at = i >= 0 ? spread[i]! : null;
    const base = g.base ? centroid(g.idx.map((k) => bases[k]!)) : null;
    const moved = at && base ? Math.hypot(at[0] - base[0], at[1] - base[1]) > 3 : false;
    return {
      lead: Math.min(...members.map((m) => m.n)),
      members,
      kind: latest.mark.kind,
      kinds: [...new Set(members.map((m) => m.mark.kind))],
      recent: members.some((m) => m.recent),
      at,
      anchor: moved ? base : null,
      places: [...new Set(members.map((m) => m.mark.place))],
    };
  });
}

function centroid(points: readonly Point[]): Point {
  const n = points.length;
  return [points.reduce((s, p) => s + p[0], 0) / n, points.reduce((s, p) => s + p[1], 0) / n];
}
