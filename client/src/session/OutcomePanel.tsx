import type { GameView } from '@rubicon/shared';
import { seatName } from '../lib/describe.ts';
import { withAlso } from '@rubicon/shared/also';

interface Row {
  key: string;
  title: string;
  /** Per seat: what this session chose and what happened historically (null: no move recorded). */
  seats: { seat: string; session: string | null; history: string | null }[];
}

function sessionTitle(c: GameView['resolutions'][number]['choices'][number] | undefined): string | null {
  return c ? withAlso(c.title, c.also.map((a) => a.title)) : null;
}

/** One row per beat: the beats this session played in order, then any historical beat it never reached. */
function comparison(view: GameView): Row[] {
  const o = view.outcome!;
  const historyByBeat = new Map<string, { seat: string; title: string }[]>();
  for (const s of o.historical.path) {
    const list = historyByBeat.get(s.beat) ?? [];
    list.push({ seat: s.seat, title: withAlso(s.title, s.also.map((a) => a.title)) });
    historyByBeat.set(s.beat, list);
  }
  const used = new Set<number>();
  const rows: Row[] = o.path.map((p, i) => {
    let r = view.resolutions[i]?.beat === p.id ? i : -1;
    if (r < 0) r = view.resolutions.findIndex((x, k) => x.beat === p.id && !used.has(k));
    if (r >= 0) used.add(r);
    const choices = r >= 0 ? view.resolutions[r]!.choices : [];
    const history = historyByBeat.get(p.id) ?? [];
    const seats = [...new Set([...choices.map((c) => c.seat), ...history.map((h) => h.seat)])];
    return {
      key: `${p.id}-${i}`,
      title: p.title,
      seats: seats.map((seat) => ({
        seat,
        session: sessionTitle(choices.find((c) => c.seat === seat)),
        history: history.find((h) => h.seat === seat)?.title ?? null,
      })),
    };
  });
  const played = new Set(o.path.map((p) => p.id));
  for (const [beat, history] of historyByBeat) {
    if (played.has(beat)) continue;
    rows.push({
      key: `history-${beat}`,
      title: `${view.scenario.beats.find((b) => b.id === beat)?.title ?? beat} (not reached this session)`,
      seats: history.map((h) => ({ seat: h.seat, session: null, history: h.title })),
    });
  }
  return rows;
}

/** The game's end: the outcome, how it was reached, and the path history actually took, beat by beat. */
export function OutcomePanel({ view, large = false }: { view: GameView; large?: boolean }) {
  const o = view.outcome;
  if (!o) return null;
  const all = comparison(view);
  // The projector cannot scroll and the room reads it from afar: there the table keeps only the moves that differ from history.
  const rows = large ? all.map((r) => ({ ...r, seats: r.seats.filter((x) => x.session !== x.history) })).filter((r) => r.seats.length > 0) : all;
  const moves = all.reduce((n, r) => n + r.seats.length, 0);
  const number = new Map(all.map((r, i) => [r.key, i + 1]));
  const same = all.reduce((n, r) => n + r.seats.filter((x) => x.session === x.history).length, 0);
  return (
    <section className={`outcome panel panel--accent${large ? ' outcome--large' : ''}`} aria-labelledby="outcome-heading" data-testid="outcome">
      <p className="eyebrow">Outcome{o.by === 'facilitator' ? ' (declared by the white cell)' : ''}</p>
      <h2 id="outcome-heading" className="outcome__title" data-testid="outcome-title">
        {o.title}
      </h2>
      <p className="outcome__desc">{o.description}</p>
      {o.reason && <p className="outcome__reason">White cell: {o.reason}</p>}
      {large && (
        <p className="outcome__same" data-testid="outcome-same">
          {same === moves ? `Every move matched what happened historically (${o.historical.title}).` : `${same} of ${moves} moves matched what happened historically (${o.historical.title}).`}
        </p>
      )}
      {rows.length > 0 && (
        <ComparisonTable
          view={view}
          rows={rows}
          number={number}
          caption={large ? 'Where this session went another way' : `This session’s path beside what happened historically (${o.historical.title})`}
        />
      )}
      <HistoricalDraws view={view} />
    </section>
  );
}

/** The session's moves beside history's, a row group per beat, numbered as in the full comparison. */
function ComparisonTable({ view, rows, number, caption }: { view: GameView; rows: Row[]; number: ReadonlyMap<string, number>; caption: string }) {
  return (
    <table className="outcome__compare">
      <caption className="subhead">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Beat</th>
          <th scope="col">Seat</th>
          <th scope="col">This session</th>
          <th scope="col">Historically</th>
        </tr>
      </thead>
      {rows.map((row) => (
        <tbody key={row.key} className="outcome__beat">
          {(row.seats.length > 0 ? row.seats : [null]).map((s, k) => (
            <tr key={s?.seat ?? 'none'}>
              {k === 0 && (
                <th scope="rowgroup" rowSpan={Math.max(1, row.seats.length)} className="outcome__beat-title">
                  {number.get(row.key)}. {row.title}
                </th>
              )}
              {s ? (
                <>
                  <th scope="row" className="outcome__seat">
                    {seatName(view.scenario, s.seat)}
                  </th>
                  <td className={s.session !== s.history ? 'outcome__move outcome__move--differs' : 'outcome__move'}>
                    {s.session ?? <span className="muted">—</span>}
                  </td>
                  <td className="outcome__move">{s.history ?? <span className="muted">—</span>}</td>
                </>
              ) : (
                <td colSpan={3} className="muted">
                  No moves recorded
                </td>
              )}
            </tr>
          ))}
        </tbody>
      ))}
    </table>
  );
}

/** Each historical draw beside what this session drew. */
function HistoricalDraws({ view }: { view: GameView }) {
  const draws = view.outcome?.historical.draws ?? [];
  if (draws.length === 0) return null;
  return (
    <ul className="outcome__draws" data-testid="outcome-historical-draws">
      {draws.map((d) => {
        const drawn = view.resolutions.flatMap((r) => r.draws).find((x) => x.draw === d.draw);
        return (
          <li key={`${d.beat}:${d.draw}`}>
            {d.title}: historically <strong>{d.label}</strong>; this session {drawn ? <strong>{drawn.label}</strong> : 'did not draw it'}.
          </li>
        );
      })}
    </ul>
  );
}
