import type { SeriesPoint } from '@rubicon/shared';

const W = 640;
const H = 200;
const PAD = { l: 56, r: 12, t: 12, b: 28 };

interface Line {
  label: string;
  color: string;
  values: { x: number; y: number }[];
}

/** A step chart drawn by hand in SVG: it scales to the page and prints as vectors. */
function StepChart({ title, lines, yMin, yMax, xMax, yLabel, testId }: { title: string; lines: Line[]; yMin: number; yMax: number; xMax: number; yLabel: (v: number) => string; testId: string }) {
  const sx = (x: number) => PAD.l + (xMax === 0 ? 0 : (x / xMax) * (W - PAD.l - PAD.r));
  const sy = (y: number) => PAD.t + (yMax === yMin ? 0.5 : 1 - (y - yMin) / (yMax - yMin)) * (H - PAD.t - PAD.b);
  const ticks = [yMin, Math.round((yMin + yMax) / 2), yMax];
  const path = (vals: Line['values']) =>
    vals.map((p, i) => (i === 0 ? `M${sx(p.x)},${sy(p.y)}` : `H${sx(p.x)}V${sy(p.y)}`)).join('') + (vals.length ? `H${sx(xMax)}` : '');
  return (
    <figure className="chart" data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} className="chart__svg">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.l} x2={W - PAD.r} y1={sy(t)} y2={sy(t)} className="chart__grid" />
            <text x={PAD.l - 6} y={sy(t) + 4} textAnchor="end" className="chart__tick">
              {yLabel(t)}
            </text>
          </g>
        ))}
        <text x={W - PAD.r} y={H - 6} textAnchor="end" className="chart__tick">
          event {xMax}
        </text>
        <text x={PAD.l} y={H - 6} className="chart__tick">
          0
        </text>
        {lines.map((l) => (
          <path key={l.label} d={path(l.values)} fill="none" stroke={l.color} strokeWidth={2.5} />
        ))}
      </svg>
      <figcaption>
        <strong>{title}</strong>
        {lines.length > 1 && (
          <span className="chart__legend">
            {lines.map((l) => (
              <span key={l.label}>
                <span className="chart__swatch" style={{ background: l.color }} aria-hidden="true" /> {l.label}
              </span>
            ))}
          </span>
        )}
      </figcaption>
    </figure>
  );
}

export function LadderChart({ series, rungs, events }: { series: SeriesPoint[]; rungs: { level: number; name: string }[]; events: number }) {
  const levels = rungs.map((r) => r.level);
  return (
    <StepChart
      title="Escalation ladder over the session"
      testId="chart-ladder"
      lines={[{ label: 'Ladder', color: '#b3261e', values: series.map((p) => ({ x: p.version, y: p.ladder })) }]}
      yMin={Math.min(...levels)}
      yMax={Math.max(...levels)}
      xMax={events}
      yLabel={(v) => String(v)}
    />
  );
}

export function MeasureCharts({
  series,
  seats,
  measures,
  events,
}: {
  series: SeriesPoint[];
  seats: { id: string; name: string; color: string }[];
  measures: { id: string; label: string; min: number; max: number }[];
  events: number;
}) {
  return (
    <div className="chart-grid">
      {seats.map((s) => {
        const lines = measures
          .filter((m) => series.some((p) => p.measures[s.id]?.[m.id] !== undefined))
          .map((m, i) => ({
            label: m.label,
            color: PALETTE[i % PALETTE.length]!,
            values: series.map((p) => ({ x: p.version, y: p.measures[s.id]?.[m.id] ?? m.min })),
          }));
        const lo = Math.min(...measures.map((m) => m.min));
        const hi = Math.max(...measures.map((m) => m.max));
        return <StepChart key={s.id} title={`${s.name}: measures`} testId={`chart-measures-${s.id}`} lines={lines} yMin={lo} yMax={hi} xMax={events} yLabel={(v) => String(v)} />;
      })}
    </div>
  );
}

const PALETTE = ['#1f5fa8', '#b3261e', '#2e7d32', '#8e24aa', '#ef6c00', '#00838f', '#5d4037'];
