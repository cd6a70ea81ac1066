/**
 * Whole games of april-2024 on the real engine. A forced draw is found by trying seeds until
 * the seeded draw gives the wanted option, so every path here is one a real
 * session can take.
 */
import { historicalMessages } from '../src/analysis/historical.ts';
import { Driver } from './driver.ts';
import { OPTIONAL, REQUIRED, beat, scenario as s } from './april-2024.ts';

export type Picks = Record<string, Record<string, string>>;
export interface GameOptions {
  draws?: Record<string, string>;
  inPlay?: string[];
  injects?: Record<string, string[]>;
  /** Stop when this beat's adjudication is proposed, and return the driver. */
  stopAt?: string;
  /** Send the messages history records (what the mediators passed on) before each seat's move. */
  traffic?: boolean;
  /** Play history's main moves alone, without what history has the seats do beside them. */
  withoutAlso?: boolean;
}

function playOnce(picks: Picks, seed: number, opts: GameOptions) {
  const inPlay = opts.inPlay ?? REQUIRED;
  const d = new Driver(s, { seed, optionalSeats: inPlay.filter((x) => OPTIONAL.includes(x)) });
  d.fac({ type: 'START' });
  d.fac({ type: 'ADVANCE' });
  let drawsMatch = true;
  for (let guard = 0; guard < 20 && d.phase !== 'outcome'; guard++) {
    const beatId = d.ctx.beat ?? '';
    for (const injectId of opts.injects?.[beatId] ?? []) d.fac({ type: 'FIRE_INJECT', inject: injectId });
    for (const a of beat(beatId).actors) {
      const pick = picks[beatId]?.[a.seat];
      if (pick === undefined || !inPlay.includes(a.seat) || d.phase !== 'planning') continue;
      if (opts.traffic)
        for (const m of historicalMessages(s, d.state, beatId, a.seat)) d.seat(a.seat, { type: 'SEND_MESSAGE', ...m });
      // A seat playing history's main move also does what history has it do beside it (unless told not to).
      const step = opts.withoutAlso ? undefined : s.historicalPath.find((h) => h.beat === beatId && h.seat === a.seat && h.move === pick);
      d.seat(a.seat, { type: 'SUBMIT_MOVE', move: pick, ...(step && step.also.length > 0 ? { also: step.also } : {}), rationale: '', lock: true });
    }
    if (d.phase === 'planning') d.fac({ type: 'ADVANCE' });
    for (const drawn of d.ctx.proposal?.draws ?? []) {
      const wanted = opts.draws?.[drawn.draw];
      if (wanted !== undefined && wanted !== drawn.option) drawsMatch = false;
    }
    if (opts.stopAt === beatId) return { d, drawsMatch };
    d.fac({ type: 'ACCEPT_ADJUDICATION' });
    d.fac({ type: 'ADVANCE' });
  }
  return { d, drawsMatch };
}

/** Plays a whole game on the engine; returns the outcome, the beats visited and the final world. */
export function playGame(picks: Picks, opts: GameOptions = {}) {
  for (let seed = 0; seed < 2000; seed++) {
    const { d, drawsMatch } = playOnce(picks, seed, opts);
    if (!drawsMatch) continue;
    const w = d.ctx.world;
    return { outcome: d.ctx.outcome?.outcome, path: d.ctx.path, world: { ...w, flags: new Set(w.flags) }, driver: d };
  }
  throw new Error(`no seed below 2000 draws ${JSON.stringify(opts.draws)}`);
}

/** The interception draw's weights, as the engine proposes them for these picks. */
export function interceptionWeights(picks: Picks, traffic = false): Record<string, number> {
  const { d } = playOnce(picks, 1, { stopAt: 'strike-and-defence', traffic });
  const weights = d.ctx.proposal?.draws.find((x) => x.draw === 'interception')?.weights;
  if (!weights) throw new Error('no interception draw proposed');
  return weights;
}

export const historicalPicks: Picks = {};
for (const step of s.historicalPath) (historicalPicks[step.beat] ??= {})[step.seat] = step.move;

export const withPicks = (base: Picks, changes: Picks): Picks => {
  const out: Picks = {};
  for (const [b, p] of Object.entries(base)) out[b] = { ...p };
  for (const [b, p] of Object.entries(changes)) out[b] = { ...out[b], ...p };
  return out;
};
