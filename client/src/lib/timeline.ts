import type { GameView } from '@rubicon/shared';

export type TimelineEntry =
  | { kind: 'resolution'; key: string; version: number; at: number; title: string; detail: string; ladder: { from: number; to: number } | null }
  | { kind: 'inject'; key: string; version: number; at: number; title: string; detail: string }
  | { kind: 'outcome'; key: string; version: number; at: number; title: string; detail: string };

/** The session so far, in order: each resolved beat, each inject fired, and the outcome. */
export function timelineEntries(view: Pick<GameView, 'resolutions' | 'injects' | 'outcome'>): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const r of view.resolutions) {
    const ladder = r.changes.filter((c) => c.target.kind === 'ladder');
    const first = ladder[0];
    const last = ladder[ladder.length - 1];
    out.push({
      kind: 'resolution',
      key: `r-${r.version}`,
      version: r.version,
      at: r.at,
      title: `${r.title} (${r.date})`,
      detail: r.narrative[0]?.text ?? r.choices.map((c) => c.title).join('; '),
      ladder: first && last && first.from !== last.to ? { from: first.from, to: last.to } : null,
    });
  }
  for (const i of view.injects) {
    out.push({ kind: 'inject', key: `i-${i.version}`, version: i.version, at: i.at, title: i.title, detail: i.text });
  }
  if (view.outcome) {
    const o = view.outcome;
    out.push({ kind: 'outcome', key: 'outcome', version: Number.MAX_SAFE_INTEGER, at: 0, title: o.title, detail: o.description });
  }
  return out.sort((a, b) => a.version - b.version);
}
