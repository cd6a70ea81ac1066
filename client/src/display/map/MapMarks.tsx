import { inFrame, type ScenarioMap } from '@rubicon/shared';
import { arcPath, numberRanges, placeById, type Point } from './geometry.ts';
import type { Box } from './labels.ts';
import { MARK_COLOR, MarkGlyph } from './symbols.tsx';
import { SYMBOL_R, type MapLayout } from './use-map-layout.ts';

/** The svg layers that show what happened where: launch arcs, leaders from displaced symbols, and the numbered symbols. */
export function MapMarks({ map, layout }: { map: ScenarioMap; layout: MapLayout }) {
  return (
    <>
      <MarkArcs map={map} layout={layout} />
      <g className="map__leaders" aria-hidden="true">
        {layout.clusters.map((c) =>
          c.anchor && c.at ? (
            <g key={`leader-${c.lead}`}>
              <line x1={c.anchor[0]} y1={c.anchor[1]} x2={c.at[0]} y2={c.at[1]} className="map__mark-leader" />
              <circle cx={c.anchor[0]} cy={c.anchor[1]} r={3} className="map__mark-anchor" />
            </g>
          ) : null,
        )}
      </g>
      <g className="map__marks" aria-hidden="true">
        {layout.clusters.map((c) => (
          <MarkCluster key={`cluster-${c.lead}`} cluster={c} layout={layout} />
        ))}
      </g>
    </>
  );
}

function MarkArcs({ map, layout }: { map: ScenarioMap; layout: MapLayout }) {
  const { clusters, projection } = layout;
  return (
    <g className="map__arcs" aria-hidden="true">
      {clusters.flatMap((c) => {
        const to = c.anchor ?? layout.clusterAt(c);
        const froms = [...new Set(c.members.flatMap((m) => (m.mark.from ? [m.mark.from] : [])))];
        return froms.map((fromId) => {
          const place = placeById(map, fromId);
          if (!place || !to) return null;
          const xy = inFrame(map.frame, place) ? projection([place.lon, place.lat]) : layout.insetSlot(fromId);
          if (!xy) return null;
          const kind = c.members.find((m) => m.mark.from === fromId)?.mark.kind ?? c.kind;
          return (
            <path
              key={`arc-${c.lead}-${fromId}`}
              d={arcPath([xy[0], xy[1]], to)}
              className={`map__arc${c.recent ? '' : ' map__arc--old'}`}
              stroke={MARK_COLOR[kind]}
              markerEnd="url(#arrow)"
            />
          );
        });
      })}
    </g>
  );
}

function MarkCluster({ cluster: c, layout }: { cluster: MapLayout['clusters'][number]; layout: MapLayout }) {
  const at = layout.clusterAt(c);
  if (!at) return null;
  const label = layout.labelByKey.get(`n-${c.lead}`);
  const insetNumber = c.at ? null : c.places[0] ? layout.inset.slots.get(c.places[0])?.number : undefined;
  const numberSize = layout.sizeOf(`n-${c.lead}`, '');
  return (
    <g data-testid={`map-cluster-${c.lead}`} data-count={c.members.length}>
      <g transform={`translate(${at[0].toFixed(1)},${at[1].toFixed(1)})`}>
        {c.recent && <circle r={SYMBOL_R + 8} className="map__pulse" stroke={MARK_COLOR[c.kind]} />}
        <g data-testid="map-symbol" data-lead={c.lead} data-count={c.members.length}>
          <MarkGlyph kind={c.kind} r={c.recent ? SYMBOL_R : SYMBOL_R - 2} dim={!c.recent} />
          {c.kinds.length > 1 && <circle r={SYMBOL_R + 4} className="map__cluster-ring" />}
        </g>
      </g>
      {/* One hook per mark, for tests and tools. */}
      {c.members.map((m) => (
        <g key={m.n} data-testid={`map-mark-${m.n}`} data-kind={m.mark.kind} data-place={m.mark.place} data-cluster={c.lead} />
      ))}
      {label && label.far && <line x1={at[0]} y1={at[1]} x2={nearestEdge(label.box, at)[0]} y2={nearestEdge(label.box, at)[1]} className="map__mark-leader" />}
      {label && (
        <text x={label.x} y={label.y} textAnchor="middle" className="map__mark-number">
          {label.text}
        </text>
      )}
      {insetNumber && (
        <text x={insetNumber[0]} y={insetNumber[1] - numberSize.top - numberSize.h / 2} textAnchor="middle" className="map__mark-number">
          {numberRanges(c.members.map((m) => m.n))}
        </text>
      )}
    </g>
  );
}

/** The point of a box nearest to p, where a leader from p meets the label. */
function nearestEdge(b: Box, p: Point): Point {
  return [Math.min(Math.max(p[0], b.x), b.x + b.w), Math.min(Math.max(p[1], b.y), b.y + b.h)];
}
