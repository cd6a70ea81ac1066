import type { Ref } from 'react';
import type { GameView } from '@rubicon/shared';
import type { Session } from '../net/useSession.ts';
import { MAX_RATIONALE } from '@rubicon/shared/limits';
import { MEMO_PROMPT_ID, MemoPrompt } from './MemoPrompt.tsx';
import { CharCount } from '../common/CharCount.tsx';
import { withAlso } from '@rubicon/shared/also';
import { MoveCard } from './MoveCard.tsx';
import { dirtyAgainst, useMoveDraft } from './use-move-draft.ts';
import { alsoMoves, useMoveSubmit, type Busy, type SubmitKind } from './use-move-submit.ts';

interface Props {
  session: Session;
  view: GameView;
  slot: string;
}

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
  const { busy, error, statusRef, submit } = useMoveSubmit(session, form, menu);

  if (!menu || !beat) return null;

  const locked = mine?.locked === true;
  const chosen = menu.moves.find((m) => m.id === form.move);
  const defaultTitle = menu.moves.find((m) => m.id === menu.defaultMove)?.title ?? menu.defaultMove;
  const titleOf = (id: string) => menu.moves.find((m) => m.id === id)?.title ?? id;
  const also = alsoMoves(form);
  const extras = menu.moves.filter((m) => m.also && m.id !== form.move);
  const described = (sub: { move: string; also?: string[] }) => withAlso(titleOf(sub.move), (sub.also ?? []).map(titleOf));
  const status = statusLine(busy, mine ? described(mine) : undefined, locked, dirtyAgainst(form, mine), defaultTitle);
  const disabled = locked || busy !== null;

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
        <MainMoves menu={menu} chosen={form.move} disabled={disabled} onChoose={(move) => setForm((f) => ({ ...f, move }))} />
        <AlsoMoves
          extras={extras}
          chosen={also}
          maxAlso={menu.maxAlso}
          mainTitle={chosen?.title}
          disabled={disabled}
          onToggle={(id) => setForm((f) => ({ ...f, also: toggled(f.also, id) }))}
        />
        <RationaleField value={form.rationale} memoPrompt={view.teaching?.memoPrompt} disabled={disabled} onChange={(rationale) => setForm((f) => ({ ...f, rationale }))} />
        <DecisionStatus status={status} statusRef={statusRef} locked={locked} busy={busy !== null} error={error} paused={view.paused} />
        <MoveActions
          locked={locked}
          blocked={busy !== null || view.paused}
          ready={form.move !== '' && form.rationale.length <= MAX_RATIONALE}
          lockLabel={chosen ? `: ${withAlso(chosen.title, also.map(titleOf))}` : ''}
          submit={submit}
        />
      </form>
    </section>
  );
}

/** The beat's moves, one of which is the seat's main move. */
function MainMoves({ menu, chosen, disabled, onChoose }: { menu: Menu; chosen: string; disabled: boolean; onChoose: (id: string) => void }) {
  return (
    <fieldset className="moves__cards" disabled={disabled}>
      <legend className="moves__prompt">{menu.prompt}</legend>
      {menu.moves.map((m) => (
        <MoveCard key={m.id} kind="main" move={m} checked={chosen === m.id} onChange={() => onChoose(m.id)} />
      ))}
    </fieldset>
  );
}

/** The team's argument for the white cell, with the scenario's memo prompt and a character count. */
function RationaleField({ value, memoPrompt, disabled, onChange }: { value: string; memoPrompt: string | null | undefined; disabled: boolean; onChange: (value: string) => void }) {
  return (
    <div className="moves__rationale">
      <label htmlFor="rationale">Rationale: your argument for the white cell</label>
      <MemoPrompt prompt={memoPrompt} />
      <textarea
        id="rationale"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        rows={4}
        aria-invalid={value.length > MAX_RATIONALE || undefined}
        disabled={disabled}
        placeholder="Why this move, what you expect others to do, and what would make you change course."
        data-testid="rationale"
        aria-describedby={memoPrompt ? `${MEMO_PROMPT_ID} rationale-count` : 'rationale-count'}
      />
      <CharCount id="rationale-count" length={value.length} max={MAX_RATIONALE} />
    </div>
  );
}

/** Where the decision stands (focused after a send, for screen readers), the server's refusal, and a paused clock. */
function DecisionStatus(props: { status: string; statusRef: Ref<HTMLParagraphElement>; locked: boolean; busy: boolean; error: string | null; paused: boolean }) {
  const { status, statusRef, locked, busy, error, paused } = props;
  return (
    <>
      <p className="moves__status" role="status" tabIndex={-1} ref={statusRef} data-testid="move-status" data-locked={locked} data-busy={busy}>
        {status}
      </p>
      {error && (
        <p className="alert" role="alert" data-testid="move-error">
          <strong>Not accepted:</strong> {error}
        </p>
      )}
      {paused && <p className="alert alert--info">The white cell has paused the clock. Moves can be sent again when it resumes.</p>}
    </>
  );
}

interface MoveActionsProps {
  locked: boolean;
  /** A send is on its way, or the clock is paused. */
  blocked: boolean;
  /** A main move is chosen and the rationale fits. */
  ready: boolean;
  /** What follows "Lock in" on its button. */
  lockLabel: string;
  submit: (kind: SubmitKind) => Promise<void>;
}

/** Revise when locked; otherwise Save draft and Lock in. */
function MoveActions({ locked, blocked, ready, lockLabel, submit }: MoveActionsProps) {
  return (
    <div className="moves__actions">
      {locked ? (
        <button type="button" className="btn" onClick={() => void submit('revise')} disabled={blocked} data-testid="revise">
          Revise
        </button>
      ) : (
        <>
          <button type="button" className="btn" onClick={() => void submit('draft')} disabled={blocked || !ready} data-testid="save-draft">
            Save draft
          </button>
          <button type="submit" className="btn btn--primary" disabled={blocked || !ready} data-testid="lock-in">
            Lock in{lockLabel}
          </button>
        </>
      )}
    </div>
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

type Menu = NonNullable<GameView['menu']>;
type MenuMove = Menu['moves'][number];

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
