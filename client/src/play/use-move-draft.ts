import { useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import type { GameView } from '@rubicon/shared';
import { loadJson, saveText } from '../net/storage.ts';

export interface MoveForm {
  move: string;
  /** Moves marked "also" taken beside the main one. */
  also: string[];
  rationale: string;
}

/**
 * The seat's decision as being typed: kept in storage under the session, slot and beat, so a reload loses
 * nothing, and brought up to date when the server's record changes (a teammate on another device saved),
 * unless it holds edits made since the previous record.
 */
export function useMoveDraft(sessionId: string, slot: string, view: GameView): [MoveForm, Dispatch<SetStateAction<MoveForm>>] {
  const beat = view.beat;
  const mine = view.mySubmission;
  const draftKey = beat ? `draft:move:${sessionId}:${slot}:${beat.id}:${beat.index}` : null;

  const [form, setForm] = useState<MoveForm>(() => {
    const stored = draftKey ? loadJson<MoveForm>(draftKey) : null;
    if (stored && typeof stored.move === 'string' && typeof stored.rationale === 'string')
      return { ...stored, also: Array.isArray(stored.also) ? stored.also.filter((x) => typeof x === 'string') : [] };
    return { move: mine?.move ?? '', also: mine?.also ?? [], rationale: mine?.rationale ?? '' };
  });

  const lastSeen = useRef(mine);
  useEffect(() => {
    const prev = lastSeen.current;
    lastSeen.current = mine;
    if (!mine || (prev && prev.at === mine.at && prev.locked === mine.locked)) return;
    setForm((f) => (dirtyAgainst(f, prev) ? f : { move: mine.move, also: mine.also ?? [], rationale: mine.rationale }));
  }, [mine]);

  useEffect(() => {
    if (draftKey) saveText(draftKey, JSON.stringify(form));
  }, [form, draftKey]);

  return [form, setForm];
}

/** Whether the form holds something the server's record (`mine`) does not. */
export function dirtyAgainst(form: MoveForm, mine: GameView['mySubmission']): boolean {
  const also = form.also.filter((id) => id !== form.move);
  if (!mine) return form.move !== '' || form.rationale !== '' || also.length > 0;
  return form.move !== mine.move || form.rationale !== mine.rationale || also.join(' ') !== (mine.also ?? []).join(' ');
}
