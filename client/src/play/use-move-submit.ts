import { useRef, useState } from 'react';
import type { GameView } from '@rubicon/shared';
import { MAX_RATIONALE } from '@rubicon/shared/limits';
import type { Session } from '../net/useSession.ts';
import type { MoveForm } from './use-move-draft.ts';

export type Busy = null | 'draft' | 'lock' | 'revise';
export type SubmitKind = Exclude<Busy, null>;
type Menu = NonNullable<GameView['menu']>;

/** What is sent beside the main move: never the main move itself. */
export function alsoMoves(form: MoveForm): string[] {
  return form.also.filter((id) => id !== form.move);
}

/** Why the form cannot be sent as `kind` yet, or null. A revision only unlocks, so only a main move is needed for it. */
function submitProblem(form: MoveForm, maxAlso: number, kind: SubmitKind): string | null {
  if (!form.move) return 'Choose a move first.';
  if (kind === 'revise') return null;
  if (alsoMoves(form).length > maxAlso) return `Choose at most ${maxAlso} other moves to take beside your main one.`;
  if (form.rationale.length > MAX_RATIONALE) return `The rationale is ${form.rationale.length - MAX_RATIONALE} characters too long: shorten it first.`;
  return null;
}

/**
 * Sending the seat's decision: which send is on its way, the server's refusal if any, and the status
 * line to focus once the answer is in (so a screen reader hears where the decision stands).
 */
export function useMoveSubmit(session: Session, form: MoveForm, menu: Menu | null) {
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const statusRef = useRef<HTMLParagraphElement>(null);

  const submit = async (kind: SubmitKind) => {
    if (!menu) return;
    const problem = submitProblem(form, menu.maxAlso, kind);
    if (problem) {
      setError(problem);
      return;
    }
    const also = alsoMoves(form);
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
  return { busy, error, statusRef, submit };
}
