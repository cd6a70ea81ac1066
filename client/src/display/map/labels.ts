import type { Point } from './geometry.ts';

/**
 * Keeps the map's words apart: each label tries spots around its point, nearest
 * first, and takes the first that overlaps nothing placed before it (symbols,
 * then higher-priority labels), with a small margin; a label with no free spot
 * is dropped unless it must show. Sizes are the browser's own when measured
 * (useTextSizes), else estimated from the text, so this also runs in tests.
 */

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A text's box relative to its anchor point and baseline: width, height, and the top's offset from the baseline (negative). */
export interface TextSize {
  w: number;
  h: number;
  top: number;
}

export interface LabelRequest {
  key: string;
  text: string;
  at: Point;
  fontSize: number;
  /** The text's box as drawn; estimated from the font size and `charWidth` when absent. */
  size?: TextSize | undefined;
  /** Width of one character relative to the font size (wider for bold capitals), for the estimate. */
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
  /** Where the text is drawn: centred on x (text-anchor middle), baseline at y. */
  x: number;
  y: number;
  box: Box;
  /** Placed further out than the first ring of spots: draw a leader back to the point. */
  far: boolean;
}

/** Space kept clear around every label, so two never touch. */
const MARGIN = 3;

function overlaps(a: Box, b: Box, margin = 0): boolean {
  return a.x - margin < b.x + b.w && b.x - margin < a.x + a.w && a.y - margin < b.y + b.h && b.y - margin < a.y + a.h;
}

export function estimateSize(text: string, fontSize: number, charWidth = 0.6): TextSize {
  return { w: text.length * fontSize * charWidth, h: fontSize * 1.2, top: -fontSize * 0.95 };
}

/** Spots for a label of `size` around `at`: centred, or on rings at growing distances in eight directions. */
function spots(r: LabelRequest, size: TextSize): { cx: number; cy: number; ring: number }[] {
  const [x, y] = r.at;
  const { w, h } = size;
  if (r.centredOnly)
    return [
      { cx: x, cy: y, ring: 0 },
      { cx: x, cy: y - h, ring: 0 },
      { cx: x, cy: y + h, ring: 0 },
    ];
  const g = (r.gap ?? 0) + MARGIN;
  // East and west first (numbers read beside a symbol), then the diagonals, then above and below.
  const dirs: [number, number][] = [
    [1, 0],
    [-1, 0],
    [1, -1],
    [1, 1],
    [-1, -1],
    [-1, 1],
    [0, -1],
    [0, 1],
  ];
  const out: { cx: number; cy: number; ring: number }[] = [];
  [0, 0.8, 1.6, 2.4].forEach((step, ring) => {
    const d = g + step * h;
    for (const [dx, dy] of dirs) {
      const k = dx !== 0 && dy !== 0 ? Math.SQRT1_2 : 1;
      out.push({ cx: x + dx * (d * k + w / 2), cy: y + dy * (d * k + h / 2), ring });
    }
  });
  return out;
}

export function placeLabels(requests: readonly LabelRequest[], obstacles: readonly Box[], bounds: Box): PlacedLabel[] {
  const taken: Box[] = [...obstacles];
  const placed: PlacedLabel[] = [];
  const inBounds = (b: Box) => b.x >= bounds.x && b.y >= bounds.y && b.x + b.w <= bounds.x + bounds.w && b.y + b.h <= bounds.y + bounds.h;
  for (const r of requests) {
    const size = r.size ?? estimateSize(r.text, r.fontSize, r.charWidth);
    const candidates = spots(r, size).map((s) => {
      const box = { x: s.cx - size.w / 2, y: s.cy - size.h / 2, w: size.w, h: size.h };
      // Baseline from the box's top: the text is drawn centred at x.
      return { x: s.cx, y: box.y - size.top, box, far: s.ring > 0 };
    });
    const free = candidates.find((c) => inBounds(c.box) && !taken.some((t) => overlaps(c.box, t, MARGIN)));
    const pick = free ?? (r.required ? (candidates.find((c) => inBounds(c.box)) ?? candidates[0]) : undefined);
    if (!pick) continue;
    taken.push(pick.box);
    placed.push({ key: r.key, text: r.text, ...pick });
  }
  return placed;
}

/** Whether any two placed labels overlap (for tests and checks). */
export function anyOverlap(labels: readonly PlacedLabel[]): boolean {
  for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) if (overlaps(labels[i]!.box, labels[j]!.box)) return true;
  return false;
}
