import { useId, useMemo, useState, type FormEvent } from 'react';
import { MAX_REASON } from '@rubicon/shared/limits';
import type { GameView, RubricView } from '@rubicon/shared';
import { rubricTable } from '@rubicon/shared/rubric-table';
import { seatName } from '../lib/describe.ts';
import type { Session } from '../net/useSession.ts';
import { RubricTable } from '../report/RubricTable.tsx';

/**
 * The white cell scores each team on the scenario's rubric, during the game
 * or after it. Each score is a SCORE_TEAM event in the log, so the replay and
 * the after-action report show the same scores.
 */
export function RubricScoring({ session, view }: { session: Session; view: GameView }) {
  const rubric = view.rubric;
  if (!rubric) return null;
  return <Scoring session={session} view={view} rubric={rubric} />;
}

function Scoring({ session, view, rubric }: { session: Session; view: GameView; rubric: RubricView }) {
  const beats = view.scenario.beats;
  const table = useMemo(() => rubricTable(rubric, (id) => beats.find((b) => b.id === id)?.title ?? id), [rubric, beats]);
  const [picked, setPicked] = useState<{ seat: string; criterion: string } | null>(null);
  const name = (seat: string) => seatName(view.scenario, seat);
  const open = view.phase !== 'lobby';
  return (
    <section className="panel" aria-labelledby="rubric-heading" data-testid="rubric-panel">
      <h2 id="rubric-heading" className="panel-title">
        Rubric
      </h2>
      <p className="small muted">
        {open
          ? 'Pick a cell to score a team. You can score during the game or after it; only the white cell sees the scores until the report.'
          : 'Scoring opens when the game starts.'}
      </p>
      <RubricTable rubric={table} seatName={name} onPick={open ? (seat, criterion) => setPicked({ seat, criterion }) : undefined} picked={picked} />
      {picked && open && <ScoreForm key={`${picked.seat}:${picked.criterion}`} session={session} rubric={rubric} picked={picked} seatName={name} />}
    </section>
  );
}

type Picked = { seat: string; criterion: string };

/** One team's score on one criterion: pick a level, add a note, record it (or withdraw the score it has). */
function ScoreForm({ session, rubric, picked, seatName: name }: { session: Session; rubric: RubricView; picked: Picked; seatName: (seat: string) => string }) {
  const id = useId();
  const current = rubric.scores.find((s) => s.seat === picked.seat && s.criterion === picked.criterion) ?? null;
  const criterion = rubric.criteria.find((c) => c.id === picked.criterion);
  const [score, setScore] = useState<string>(current ? String(current.score) : '');
  const [note, setNote] = useState(current?.note ?? '');
  const { busy, status, record } = useScoreRecord(session, picked, note);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (score !== '') void record(Number(score));
  };

  return (
    <form className="rubric-form" onSubmit={submit} aria-labelledby={`${id}-title`} data-testid="rubric-form">
      <h3 id={`${id}-title`} className="small">
        {name(picked.seat)} · {criterion?.title ?? picked.criterion}
      </h3>
      {criterion && <p className="small muted">{criterion.description}</p>}
      <fieldset className="rubric-form__scale">
        <legend className="visually-hidden">Score</legend>
        {rubric.scale.map((l) => (
          <label key={l.score} className="check" title={l.description}>
            <input type="radio" name={`${id}-score`} value={l.score} checked={score === String(l.score)} onChange={() => setScore(String(l.score))} />
            {l.score} {l.label}
          </label>
        ))}
      </fieldset>
      <label className="field">
        <span>Note (optional)</span>
        <textarea rows={2} maxLength={MAX_REASON} value={note} onChange={(e) => setNote(e.target.value)} data-testid="rubric-note" />
      </label>
      <div className="review__actions">
        <button type="submit" className="btn btn--small" disabled={busy || score === ''} data-testid="rubric-save">
          Record score
        </button>
        {current && (
          <button type="button" className="btn btn--small btn--ghost" disabled={busy} onClick={() => void record(null)}>
            Withdraw score
          </button>
        )}
        <span role="status" className="small muted">
          {status}
        </span>
      </div>
    </form>
  );
}

/** Sending a score (null withdraws it) as a SCORE_TEAM command, and the line that says how it went. */
function useScoreRecord(session: Session, picked: Picked, note: string) {
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const record = async (value: number | null) => {
    setBusy(true);
    const trimmed = note.trim();
    const r = await session.send({
      type: 'SCORE_TEAM',
      seat: picked.seat,
      criterion: picked.criterion,
      score: value,
      ...(value !== null && trimmed ? { note: trimmed } : {}),
    });
    setBusy(false);
    setStatus(r.ok ? (value === null ? 'Score withdrawn.' : 'Score recorded.') : `Not accepted: ${r.error.message}`);
  };
  return { busy, status, record };
}
