import { useRef, useState } from 'react';
import type { GameView } from '@rubicon/shared';
import type { Session } from '../net/useSession.ts';
import { MAX_RATIONALE } from '@rubicon/shared/limits';
import { MEMO_PROMPT_ID, MemoPrompt } from './MemoPrompt.tsx';
import { CharCount } from '../common/CharCount.tsx';
import { withAlso } from '@rubicon/shared/also';
import { MoveCard } from './MoveCard.tsx';
import { dirtyAgainst, useMoveDraft } from './use-move-draft.ts';

interface Props {
  session: Session;
  view: GameView;
  slot: string;
}

type Busy = null | 'draft' | 'lock' | 'revise';

/**
 * The beat's move cards, a rationale, and Save draft / Lock in / Revise. The
 * server decides: nothing shows as saved or locked until its acknowledgement
 * and the update that follows; a refusal is shown with its reason. What is
 * typed is kept in storage until the beat moves on, so a reload loses nothing.
 */
export function MoveBuilder({ session, view, slot }: Props) {
  const menu = view.menu;
  const beat = view.beat;
  const mine = view.mySubmission;

  const [form, setForm] = useMoveDraft(session.sessionId, slot, view);
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const statusRef = useRef<HTMLParagraphElement>(null);

  if (!menu || !beat) return null;

  const locked = mine?.locked === true;
  const paused = view.paused;
  const dirty = dirtyAgainst(form, mine);
  const chosen = menu.moves.find((m) => m.id === form.move);
  const defaultTitle = menu.moves.find((m) => m.id === menu.defaultMove)?.title ?? menu.defaultMove;
  const titleOf = (id: string) => menu.moves.find((m) => m.id === id)?.title ?? id;
  // What is sent beside the main move: never the main move itself.
  const also = form.also.filter((id) => id !== form.move);
  const extras = menu.moves.filter((m) => m.also && m.id !== form.move);
  const tooMany = also.length > menu.maxAlso;
  const described = (sub: { move: string; also?: string[] }) => withAlso(titleOf(sub.move), (sub.also ?? []).map(titleOf));

  const rationaleTooLong = form.rationale.length > MAX_RATIONALE;
  const submit = async (kind: Exclude<Busy, null>) => {
    if (!form.move) {
      setError('Choose a move first.');
      return;
    }
    if (tooMany && kind !== 'revise') {
      setError(`Choose at most ${menu.maxAlso} other moves to take beside your main one.`);
      return;
    }
    if (rationaleTooLong && kind !== 'revise') {
      setError(`The rationale is ${form.rationale.length - MAX_RATIONALE} characters too long: shorten it first.`);
      return;
    }
    setBusy(kind);
    setError(null);
    const r = await session.send({
      type: 'SUBMIT_MOVE',
      move: form.move,
      ...(also.length > 0 ? { also } : {}),
      rationale: form.rationale,
      lock: kind === 'lock',
    });
    setBusy(null);
    if (!r.ok) {
      setError(
        r.error.code === 'stale'
          ? 'The situation changed while you were deciding. Your choice is still here: look again, then send it again.'
          : r.error.message,
      );
    }
    statusRef.current?.focus();
  };

  const status = statusLine(busy, mine ? described(mine) : undefined, locked, dirty, defaultTitle);

  return (
    <section className="moves panel" aria-labelledby="moves-heading" data-testid="move-builder">
      <h2 id="moves-heading" className="panel-title">
        Your decision
      </h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit('lock');
        }}
      >
        <fieldset className="moves__cards" disabled={locked || busy !== null}>
          <legend className="moves__prompt">{menu.prompt}</legend>
          {menu.moves.map((m) => (
            <MoveCard key={m.id} kind="main" move={m} checked={form.move === m.id} onChange={() => setForm((f) => ({ ...f, move: m.id }))} />
          ))}
        </fieldset>
        <AlsoMoves
          extras={extras}
          chosen={also}
          maxAlso={menu.maxAlso}
          mainTitle={chosen?.title}
          disabled={locked || busy !== null}
          onToggle={(id) => setForm((f) => ({ ...f, also: toggled(f.also, id) }))}
        />
        <div className="moves__rationale">
          <label htmlFor="rationale">Rationale: your argument for the white cell</label>
          <MemoPrompt prompt={view.teaching?.memoPrompt} />
          <textarea
            id="rationale"
            value={form.rationale}
            onChange={(e) => setForm((f) => ({ ...f, rationale: e.target.value }))}
            rows={4}
            aria-invalid={rationaleTooLong || undefined}
            disabled={locked || busy !== null}
            placeholder="Why this move, what you expect others to do, and what would make you change course."
            data-testid="rationale"
            aria-describedby={view.teaching?.memoPrompt ? `${MEMO_PROMPT_ID} rationale-count` : 'rationale-count'}
          />
          <CharCount id="rationale-count" length={form.rationale.length} max={MAX_RATIONALE} />
        </div>
        <p className="moves__status" role="status" tabIndex={-1} ref={statusRef} data-testid="move-status" data-locked={locked} data-busy={busy !== null}>
          {status}
        </p>
        {error && (
          <p className="alert" role="alert" data-testid="move-error">
            <strong>Not accepted:</strong> {error}
          </p>
        )}
        {paused && <p className="alert alert--info">The white cell has paused the clock. Moves can be sent again when it resumes.</p>}
        <div className="moves__actions">
          {locked ? (
            <button type="button" className="btn" onClick={() => void submit('revise')} disabled={busy !== null || paused} data-testid="revise">
              Revise
            </button>
          ) : (
            <>
              <button type="button" className="btn" onClick={() => void submit('draft')} disabled={busy !== null || paused || !form.move || rationaleTooLong} data-testid="save-draft">
                Save draft
              </button>
              <button type="submit" className="btn btn--primary" disabled={busy !== null || paused || !form.move || rationaleTooLong} data-testid="lock-in">
                Lock in{chosen ? `: ${withAlso(chosen.title, also.map(titleOf))}` : ''}
              </button>
            </>
          )}
        </div>
      </form>
    </section>
  );
}

/** The one line that says where this seat's decision stands, as the server last acknowledged it. */
function statusLine(busy: Busy, submitted: string | undefined, locked: boolean, dirty: boolean, defaultTitle: string): string {
  if (busy) return busy === 'lock' ? 'Locking in… (waiting for the server)' : busy === 'revise' ? 'Unlocking…' : 'Saving draft…';
  if (locked && submitted) return `✓ Locked in: ${submitted}`;
  if (submitted) return `✎ Draft saved (${submitted}), not locked in${dirty ? '; you have unsaved changes' : ''}`;
  return `Nothing submitted yet. If you do not lock in, “${defaultTitle}” is taken for you.`;
}

/** The also-list with `id` ticked or unticked, never listed twice. */
function toggled(list: string[], id: string): string[] {
  return list.includes(id) ? list.filter((x) => x !== id) : [...list, id];
}

type MenuMove = NonNullable<GameView['menu']>['moves'][number];

/** The moves that may be taken beside the main one, with the cap on how many. */
function AlsoMoves(props: { extras: MenuMove[]; chosen: string[]; maxAlso: number; mainTitle: string | undefined; disabled: boolean; onToggle: (id: string) => void }) {
  const { extras, chosen, maxAlso, mainTitle, disabled, onToggle } = props;
  if (extras.length === 0) return null;
  return (
    <fieldset className="moves__also" disabled={disabled} data-testid="also-moves">
      <legend className="moves__prompt">
        Also do (optional, at most {maxAlso}) beside {mainTitle ? `“${mainTitle}”` : 'your main move'}
      </legend>
      {extras.map((m) => (
        <MoveCard key={m.id} kind="also" move={m} checked={chosen.includes(m.id)} onChange={() => onToggle(m.id)} />
      ))}
      {chosen.length > maxAlso && (
        <p className="alert" role="alert">
          At most {maxAlso} beside the main move: untick {chosen.length - maxAlso}.
        </p>
      )}
    </fieldset>
  );
}
