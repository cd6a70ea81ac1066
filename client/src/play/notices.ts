import type { GameView } from '@rubicon/shared';
import { beatTitle } from '../lib/describe.ts';

/** Something the white cell or the clock did to this team, told as a notice and kept in its history. */
export interface TeamNotice {
  key: string;
  version: number;
  at: number;
  kind: 'inject' | 'rewind' | 'default' | 'pause' | 'resume' | 'extend' | 'override';
  title: string;
  text: string;
}

/**
 * Every notice a team's view supports, oldest first. Words only, no rules:
 * what is said comes from the view (injects, interventions, this seat's
 * defaulted choices and the white cell's overrides).
 */
export function teamNotices(view: GameView, seat: string | null): TeamNotice[] {
  const out: TeamNotice[] = [];
  for (const i of view.injects) {
    out.push({ key: `inject:${i.version}`, version: i.version, at: i.at, kind: 'inject', title: `New development: ${i.title}`, text: i.text });
  }
  for (const n of view.interventions) {
    const base = { key: `${n.kind}:${n.version}`, version: n.version, at: n.at };
    if (n.kind === 'pause') out.push({ ...base, kind: 'pause', title: 'The white cell paused the clock', text: 'Nothing can be submitted until it resumes. Keep talking.' });
    if (n.kind === 'resume') out.push({ ...base, kind: 'resume', title: 'The clock runs again', text: 'The white cell resumed the session.' });
    if (n.kind === 'extend')
      out.push({ ...base, kind: 'extend', title: `${n.seconds ?? 0} seconds more`, text: 'The white cell extended the deadline for this beat.' });
    if (n.kind === 'rewind') {
      const beats = n.undone?.beats ?? [];
      const injects = n.undone?.injects ?? 0;
      const undone = [
        beats.length > 0 ? `the results of ${beats.map((b) => `“${beatTitle(view.scenario, b)}”`).join(', ')}` : null,
        injects > 0 ? `${injects === 1 ? 'one inject' : `${injects} injects`}` : null,
      ].filter((x) => x !== null);
      out.push({
        ...base,
        kind: 'rewind',
        title: `Rewound to “${n.beat ? beatTitle(view.scenario, n.beat) : 'an earlier beat'}”`,
        text: `The white cell took the game back to the start of that beat${undone.length > 0 ? `, undoing ${undone.join(' and ')}` : ''}. Any draft or lock-in for it is cleared: decide again.`,
      });
    }
  }
  for (const r of view.resolutions) {
    const mine = seat ? r.choices.find((c) => c.seat === seat && c.defaulted) : undefined;
    if (mine) {
      out.push({
        key: `default:${r.version}`,
        version: r.version,
        at: r.at,
        kind: 'default',
        title: `No decision in time: “${mine.title}” was taken for you`,
        text: `In “${r.title}” your team had not locked in when planning closed, so its default move was played.`,
      });
    }
    if (r.override) {
      out.push({
        key: `override:${r.version}`,
        version: r.version,
        at: r.at,
        kind: 'override',
        title: `The white cell overrode the result of “${r.title}”`,
        text: r.override.reason,
      });
    }
  }
  return out.sort((a, b) => a.version - b.version || a.key.localeCompare(b.key));
}
