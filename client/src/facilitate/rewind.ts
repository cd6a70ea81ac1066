import type { GameView } from '@rubicon/shared';

/** Beats that can be rewound to: those entered on the current path (resolved ones and the one open now). */
export function rewindTargets(view: Pick<GameView, 'resolutions' | 'beat'>): { id: string; label: string }[] {
  const seen = new Map<string, string>();
  for (const r of view.resolutions) seen.set(r.beat, `Beat ${r.beatIndex}: ${r.title}`);
  if (view.beat) seen.set(view.beat.id, `Beat ${view.beat.index}: ${view.beat.title}`);
  return [...seen].map(([id, label]) => ({ id, label }));
}

/**
 * What a rewind to `beat` takes back, in words, for the confirm: the results
 * of that beat and every later one, the injects fired since, and the choices
 * of the beat under way.
 */
export function rewindSummary(view: GameView, beat: string): string {
  const last = view.resolutions.map((r) => r.beat).lastIndexOf(beat);
  const openNow = view.beat?.id === beat && (last === -1 || view.resolutions[last]!.beatIndex !== view.beat.index);
  const from = openNow ? view.resolutions.length : Math.max(0, last);
  const undone = view.resolutions.slice(from);
  // Injects fired after the previous beat's result (an approximation of the checkpoint the view does not carry).
  const since = from > 0 ? view.resolutions[from - 1]!.version : 0;
  const injects = view.injects.filter((i) => i.version > since);
  const parts: string[] = [];
  if (undone.length > 0) parts.push(`the results of ${undone.map((r) => `beat ${r.beatIndex} (${r.title})`).join(', ')}`);
  if (injects.length > 0) parts.push(`${injects.length === 1 ? 'the inject' : `${injects.length} injects`} ${injects.map((i) => `“${i.title}”`).join(', ')}`);
  if (view.outcome) parts.push(`the outcome “${view.outcome.title}”`);
  if (view.beat && view.phase === 'planning') parts.push('every draft and lock-in of the beat under way');
  return parts.length > 0 ? `This undoes ${parts.join('; ')}. The teams are told.` : 'The beat starts again from its checkpoint. The teams are told.';
}
