import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { TextSize } from './labels.ts';

export interface TextToMeasure {
  key: string;
  text: string;
  className: string;
}

/**
 * The boxes of texts as this browser draws them (font, weight, letter
 * spacing, capitals), measured in a hidden group inside the map's SVG, so
 * labels are placed by their real size rather than a guess. Returns the
 * group to render and the sizes by key (empty until measured); measures again
 * when the texts change, when the SVG is first `drawn`, and once the web fonts
 * have loaded.
 */
export function useTextSizes(items: readonly TextToMeasure[], drawn: boolean): [ReactNode, ReadonlyMap<string, TextSize>] {
  const ref = useRef<SVGGElement>(null);
  const [sizes, setSizes] = useState<ReadonlyMap<string, TextSize>>(new Map());
  const signature = items.map((i) => `${i.key}\u0000${i.text}\u0000${i.className}`).join('\u0001');

  useLayoutEffect(() => {
    const measure = () => {
      const g = ref.current;
      if (!g) return;
      const next = new Map<string, TextSize>();
      for (const t of Array.from(g.querySelectorAll<SVGTextElement>('text'))) {
        const b = t.getBBox();
        next.set(t.dataset.key ?? '', { w: b.width, h: b.height, top: b.y });
      }
      setSizes(next);
    };
    measure();
    let alive = true;
    void document.fonts?.ready.then(() => alive && measure());
    return () => {
      alive = false;
    };
  }, [signature, drawn]);

  const group = (
    <g ref={ref} className="map__measure" aria-hidden="true" visibility="hidden">
      {items.map((i) => (
        <text key={i.key} data-key={i.key} className={i.className} x={0} y={0}>
          {i.text}
        </text>
      ))}
    </g>
  );
  return [group, sizes];
}
