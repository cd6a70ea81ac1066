import './rubric.css';
import type { ReportRubric, RubricCell } from '@rubicon/shared';

interface Props {
  rubric: ReportRubric;
  seatName: (seat: string) => string;
  /** When given (the white cell's console), each scorable cell is a button that picks that seat and criterion. */
  onPick?: (seat: string, criterion: string) => void;
  /** The cell picked, highlighted. */
  picked?: { seat: string; criterion: string } | null;
}

/**
 * The rubric by criterion (rows) and seat (columns), with each team's total:
 * the same table in the after-action report, the replay and the console.
 */
export function RubricTable({ rubric, seatName, onPick, picked }: Props) {
  const seats = rubric.totals.map((t) => t.seat);
  const cellOf = (seat: string, criterion: string) => rubric.cells.find((c) => c.seat === seat && c.criterion === criterion);
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Rubric scores per team (scrolls sideways)">
      <table className="report__table rubric-table" data-testid="rubric-table">
        <caption className="small muted">Scale: {rubric.scale.map((l) => `${l.score} ${l.label}`).join(' · ')}</caption>
        <thead>
          <tr>
            <th scope="col">Criterion</th>
            {seats.map((s) => (
              <th key={s} scope="col">
                {seatName(s)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rubric.criteria.map((c) => (
            <tr key={c.id}>
              <th scope="row" title={c.description}>
                {c.title}
              </th>
              {seats.map((s) => (
                <ScoreCell key={s} seat={s} criterion={c} cell={cellOf(s, c.id)} seatName={seatName} onPick={onPick} picked={picked?.seat === s && picked.criterion === c.id} />
              ))}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            {rubric.totals.map((t) => (
              <td key={t.seat} data-testid={`rubric-total-${t.seat}`}>
                <strong>{t.total}</strong> <span className="muted">of {t.max}</span>
                {t.scored < t.criteria && <span className="small muted"> ({t.scored}/{t.criteria} scored)</span>}
              </td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

type Criterion = ReportRubric['criteria'][number];

/** One seat's score on one criterion: a button that picks it when the table is the console's, n/a where it does not apply. */
function ScoreCell(props: { seat: string; criterion: Criterion; cell: RubricCell | undefined; seatName: (seat: string) => string; onPick: Props['onPick']; picked: boolean }) {
  const { seat, criterion: c, cell, seatName, onPick, picked } = props;
  return (
    <td data-testid={`rubric-${seat}-${c.id}`} className={picked ? 'rubric-table__picked' : undefined}>
      {!cell ? (
        <span className="muted" title="Not scored on this criterion">
          n/a
        </span>
      ) : onPick ? (
        <button type="button" className="btn btn--small btn--ghost" aria-pressed={picked} onClick={() => onPick(seat, c.id)}>
          <ScoreText cell={cell} />
          <span className="visually-hidden">
            {' '}
            — score {seatName(seat)} on {c.title}
          </span>
        </button>
      ) : (
        <ScoreText cell={cell} />
      )}
    </td>
  );
}

function ScoreText({ cell }: { cell: RubricCell }) {
  if (cell.score === null) return <span className="muted">—</span>;
  return (
    <span title={[cell.when, cell.note].filter(Boolean).join(' · ')}>
      {cell.score} {cell.label}
    </span>
  );
}

/** Each note the white cell wrote with a score, with when the score was given. */
export function RubricNotes({ rubric, seatName }: { rubric: ReportRubric; seatName: (seat: string) => string }) {
  const scored = rubric.cells.filter((c) => c.score !== null);
  if (scored.length === 0) return <p className="muted">No team has been scored yet.</p>;
  return (
    <ul className="small" data-testid="rubric-notes">
      {scored.map((c) => (
        <li key={`${c.seat}:${c.criterion}`}>
          {seatName(c.seat)}, {rubric.criteria.find((x) => x.id === c.criterion)?.title ?? c.criterion}: {c.score} {c.label}{' '}
          <span className="muted">({c.when})</span>
          {c.note && <> — {c.note}</>}
        </li>
      ))}
    </ul>
  );
}
