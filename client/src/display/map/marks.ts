import type { GeoProjection } from 'd3-geo';
import type { GameView, MapMark } from '@rubicon/shared';
import { projectPlace } from './places.ts';

/** A mark to draw, with where it came from and a number for the legend. */
export interface NumberedMark {
  n: number;
  mark: MapMark;
  /** The beat it belongs to, for the legend ("Beat 2 · 13 April"). */
  source: string;
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
  const entries: { mark: MapMark; source: string; group: number }[] = [];
  view.resolutions.forEach((r, i) => {
    const source = `${r.title} · ${r.date}`;
    for (const mark of beatMarks[r.beat] ?? []) entries.push({ mark, source, group: i });
    for (const line of r.narrative) for (const mark of line.marks) entries.push({ mark, source, group: i });
  });
  const beatGroup = view.resolutions.length;
  if (view.beat) for (const mark of view.beat.marks) entries.push({ mark, source: `${view.beat.title} · ${view.beat.date}`, group: beatGroup });

  const lastIndex = new Map<string, number>();
  entries.forEach((e, i) => lastIndex.set(markKey(e.mark), i));
  const kept = entries.filter((e, i) => lastIndex.get(markKey(e.mark)) === i);
  const latestGroup = view.beat && view.beat.marks.length > 0 ? beatGroup : view.resolutions.length - 1;
  return kept.map((e, i) => ({ n: i + 1, mark: e.mark, source: e.source, recent: e.group >= latestGroup }));
}

export interface PlacedMark extends NumberedMark {
  /** Where the symbol goes; null when the place is off the map (the inset draws it). */
  at: [number, number] | null;
  /** The place itself, when the symbol had to move away from it to stay readable. */
  anchor: [number, number] | null;
  /** Where a launch comes from, when it has a `from` on the map. */
  from: [number, number] | null;
  offMap: boolean;
  /**
   * Marks of the same kind at the same place (and from the same place) share
   * one symbol: the first of them draws it and lists every number here; the
   * others have an empty list and sit at the same spot.
   */
  numbers: number[];
  /** The number of the mark that draws the shared symbol (its own number when it leads). */
  leadN: number;
  /** The shared symbol includes a recent mark (drawn bright). */
  groupRecent: boolean;
}

function groupKey(m: MapMark): string {
  return `${m.kind}|${m.place}|${m.from ?? ''}`;
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

/**
 * Puts marks on the map: marks of one kind at one place are gathered into a
 * single symbol, then the symbols are nudged apart so that none hides
 * another; a moved symbol keeps a leader line to its place.
 */
export function placeMarks(marks: readonly NumberedMark[], projection: GeoProjection, minDist = 30): PlacedMark[] {
  const bases = marks.map((m) => projectPlace(projection, m.mark.place));
  // The first mark of each group leads it; the others follow it.
  const leadOf = new Map<string, number>();
  const lead = marks.map((m, i) => {
    const key = groupKey(m.mark);
    const first = leadOf.get(key);
    if (first === undefined) {
      leadOf.set(key, i);
      return i;
    }
    return first;
  });
  const onMap = bases.map((b, i) => (b && lead[i] === i ? i : -1)).filter((i) => i >= 0);
  const spread = declutter(
    onMap.map((i) => bases[i]!),
    minDist,
  );
  const at = new Map(onMap.map((i, k) => [i, spread[k]!] as const));
  return marks.map((m, i) => {
    const l = lead[i]!;
    const base = bases[l] ?? null;
    const pos = at.get(l) ?? null;
    const movedFar = base && pos ? Math.hypot(pos[0] - base[0], pos[1] - base[1]) > 3 : false;
    const members = marks.filter((_, k) => lead[k] === l);
    return {
      ...m,
      at: pos,
      anchor: movedFar ? base : null,
      from: m.mark.from ? projectPlace(projection, m.mark.from) : null,
      offMap: base === null,
      numbers: l === i ? members.map((x) => x.n) : [],
      leadN: marks[l]!.n,
      groupRecent: members.some((x) => x.recent),
    };
  });
}
