import type { Point } from './geometry.ts';

/**
 * Keeps the map's words apart: each label tries a few spots around its point
 * and takes the first that overlaps nothing placed before it (symbols, then
 * higher-priority labels); a label with no free spot is dropped unless it
 * must show. Widths are estimated from the text, so this runs anywhere.
 */

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface LabelRequest {
  key: string;
  text: string;
  at: Point;
  fontSize: number;
  /** Width of one character relative to the font size (wider for bold capitals). */
  charWidth?: number;
  /** Kept even when every spot collides (a mark's numbers must show). */
  required?: boolean;
  /** How far from the point to put the label (a symbol's radius). */
  gap?: number;
  /** Only centred on the point (a country or sea name), not beside it. */
  centredOnly?: boolean;
}

export interface PlacedLabel {
  key: string;
  text: string;
  x: number;
  y: number;
  anchor: 'start' | 'middle' | 'end';
  box: Box;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Text is drawn with its baseline at y; the box covers cap height and descenders. */
function boxFor(x: number, y: number, w: number, h: number, anchor: PlacedLabel['anchor']): Box {
  const left = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
  return { x: left, y: y - h * 0.8, w, h };
}

export function placeLabels(requests: readonly LabelRequest[], obstacles: readonly Box[], bounds: Box): PlacedLabel[] {
  const taken: Box[] = [...obstacles];
  const placed: PlacedLabel[] = [];
  for (const r of requests) {
    const w = r.text.length * r.fontSize * (r.charWidth ?? 0.6);
    const h = r.fontSize;
    const g = r.gap ?? 0;
    const [x, y] = r.at;
    const spots: [number, number, PlacedLabel['anchor']][] = r.centredOnly
      ? [
          [x, y, 'middle'],
          [x, y - h, 'middle'],
          [x, y + h, 'middle'],
        ]
      : [
          [x + g, y - g * 0.6, 'start'],
          [x + g, y + h * 0.8 + g * 0.4, 'start'],
          [x - g, y - g * 0.6, 'end'],
          [x - g, y + h * 0.8 + g * 0.4, 'end'],
          [x, y - g - 2, 'middle'],
          [x, y + g + h * 0.8, 'middle'],
          [x + g * 2, y + h * 0.3, 'start'],
          [x - g * 2, y + h * 0.3, 'end'],
        ];
    const inBounds = (b: Box) => b.x >= bounds.x && b.y >= bounds.y && b.x + b.w <= bounds.x + bounds.w && b.y + b.h <= bounds.y + bounds.h;
    const candidates = spots.map(([sx, sy, anchor]) => ({ sx, sy, anchor, box: boxFor(sx, sy, w, h, anchor) }));
    const free = candidates.find((c) => inBounds(c.box) && !taken.some((t) => overlaps(c.box, t)));
    const pick = free ?? (r.required ? (candidates.find((c) => inBounds(c.box)) ?? candidates[0]) : undefined);
    if (!pick) continue;
    taken.push(pick.box);
    placed.push({ key: r.key, text: r.text, x: pick.sx, y: pick.sy, anchor: pick.anchor, box: pick.box });
  }
  return placed;
}

/** Whether any two placed labels overlap (for tests and checks). */
export function anyOverlap(labels: readonly PlacedLabel[]): boolean {
  for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) if (overlaps(labels[i]!.box, labels[j]!.box)) return true;
  return false;
}
