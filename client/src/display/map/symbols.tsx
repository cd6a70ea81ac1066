import type { MapMarkKind } from '@rubicon/shared';

/** One shape per kind of mark, so the map never relies on colour alone. */
export const MARK_COLOR: Readonly<Record<MapMarkKind, string>> = {
  strike: '#ff6f61',
  launch: '#ffb547',
  interception: '#5fd3f3',
  retaliation: '#ff8fc8',
  diplomacy: '#8fe3a0',
  deployment: '#b9a8ff',
  cyber: '#f3e46b',
};

function star(r: number, points: number, inner: number): string {
  let d = '';
  for (let i = 0; i < points * 2; i++) {
    const rad = i % 2 === 0 ? r : r * inner;
    const a = (Math.PI * i) / points - Math.PI / 2;
    d += `${i === 0 ? 'M' : 'L'}${(rad * Math.cos(a)).toFixed(2)},${(rad * Math.sin(a)).toFixed(2)}`;
  }
  return `${d}Z`;
}

function polygon(r: number, sides: number, rotate = 0): string {
  let d = '';
  for (let i = 0; i < sides; i++) {
    const a = (2 * Math.PI * i) / sides - Math.PI / 2 + rotate;
    d += `${i === 0 ? 'M' : 'L'}${(r * Math.cos(a)).toFixed(2)},${(r * Math.sin(a)).toFixed(2)}`;
  }
  return `${d}Z`;
}

/** A mark's glyph centred on (0,0), radius about `r`. */
export function MarkGlyph({ kind, r = 9, dim = false }: { kind: MapMarkKind; r?: number; dim?: boolean }) {
  const fill = MARK_COLOR[kind];
  const common = { stroke: '#08111f', strokeWidth: 1.5, opacity: dim ? 0.55 : 1 };
  switch (kind) {
    case 'strike':
      return <path d={star(r * 1.25, 8, 0.45)} fill={fill} {...common} />;
    case 'launch':
      return <path d={polygon(r * 1.1, 3)} fill={fill} {...common} />;
    case 'interception':
      return (
        <g opacity={common.opacity}>
          <circle r={r} fill={fill} stroke="#08111f" strokeWidth={1.5} />
          <path d={`M${-r * 0.55},${-r * 0.55}L${r * 0.55},${r * 0.55}M${r * 0.55},${-r * 0.55}L${-r * 0.55},${r * 0.55}`} stroke="#08111f" strokeWidth={2.2} />
        </g>
      );
    case 'retaliation':
      return <path d={polygon(r * 1.2, 4)} fill={fill} {...common} />;
    case 'diplomacy':
      return (
        <g opacity={common.opacity}>
          <circle r={r} fill="#08111f" stroke={fill} strokeWidth={3.5} />
        </g>
      );
    case 'deployment':
      return <rect x={-r * 0.85} y={-r * 0.85} width={r * 1.7} height={r * 1.7} fill={fill} {...common} />;
    case 'cyber':
      return <path d={polygon(r, 6, Math.PI / 6)} fill={fill} {...common} />;
  }
}

/** A glyph as a small standalone image for legends. */
export function GlyphIcon({ kind, size = 22 }: { kind: MapMarkKind; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="-12 -12 24 24" aria-hidden="true" focusable="false" className="glyph-icon">
      <MarkGlyph kind={kind} r={8} />
    </svg>
  );
}
