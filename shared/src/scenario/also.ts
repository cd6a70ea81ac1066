import type { BeatActor } from './schema.ts';

/**
 * "Also do": a seat's main move in a beat may come with other moves of the
 * same menu that are marked `also` (Iran vows punishment AND goes to the UN).
 * This is the one place that says which combinations are allowed; a
 * SUBMIT_MOVE (game/legality.ts) and a scenario's historical path
 * (load.ts) are both checked here.
 */

/**
 * Why these "also do" moves cannot go beside `main`, or null: each must be a
 * move of the menu marked `also`, not the main move, not twice, and no more
 * than the actor allows.
 */
export function alsoProblem(
  actor: BeatActor,
  main: string,
  also: readonly string[],
): { code: 'unknown_move' | 'invalid'; message: string } | null {
  for (const id of also) {
    const move = actor.moves.find((m) => m.id === id);
    if (!move) return { code: 'unknown_move', message: `"${id}" is not one of ${actor.seat}'s moves in this beat.` };
    if (!move.also) return { code: 'invalid', message: `"${move.title}" can only be taken as the main move, not beside another.` };
    if (id === main) return { code: 'invalid', message: `"${move.title}" is already the main move.` };
  }
  if (new Set(also).size !== also.length) return { code: 'invalid', message: 'A move is listed twice.' };
  if (also.length > actor.maxAlso)
    return { code: 'invalid', message: `At most ${actor.maxAlso} other move${actor.maxAlso === 1 ? '' : 's'} may go beside the main one in this beat.` };
  return null;
}

/** A main move and what else was done beside it, in words: "Vow to punish Israel; also: Go to the UN, Blame Washington". */
export function withAlso(title: string, also: readonly string[]): string {
  return also.length > 0 ? `${title}; also: ${also.join(', ')}` : title;
}
