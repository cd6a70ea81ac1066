import { nextFloat, seedFrom } from '../prng.ts';
import type { Scenario, SeatId } from '../scenario/schema.ts';
import { beatById } from '../game/adjudication.ts';
import { nextStepIndex } from '../game/machine.ts';
import { createGame, initialState, type Game, type GameState } from '../game/game.ts';
import { runHeadless, type OutgoingMessage } from './runner.ts';
import { historicalChooser, historicalMessages, unrelayedThisBeat } from './historical.ts';

/**
 * Do the choices matter? For each seat acting in each beat of the historical
 * path, the share of seeded games in which switching that seat's decision
 * (its move, from the historical one or its default where history names
 * none; or, for the relay of a mediated channel, whether it passes messages
 * on) changes what follows: the next beat, a later draw's odds, a rule that
 * fires in a later beat, or the outcome. Numbers alone (a measure moving) do
 * not count unless something read them.
 *
 * Each game: the beats before the one under test are played as in history,
 * its traffic included (with the game's own seeded draws); from that beat on
 * every other choice is random, but the same in both branches (a pick is a
 * hash of game, beat and seat): a move, whether a principal writes to the
 * relay of each mediated channel it is in, and whether a relay passes on what
 * it was sent. So the only difference between the branches is the switch.
 * Both branches go on from one shared prefix state through the real engine
 * (`runHeadless`), and the alternative stops at its first difference.
 */

export interface SensitivityOptions {
  /** Seeded games per cell (the report's bar is set over 2,000). */
  games?: number;
  /**
   * Stop a cell as soon as it is decided against this share (e.g. 0.1):
   * passed once some alternative has changed enough games, failed once none
   * can. After 100 games only the leading alternative is played on, so a pass
   * is exact and a fail is conservative (re-run without `decideAt` to see
   * every alternative); the shares shown are then lower bounds.
   */
  decideAt?: number;
  /** Only these beats (default: every beat of the historical path). */
  beats?: readonly string[];
}

export interface AlternativeResult {
  move: string;
  /** Whether the seat passes on the messages it relays (only a relay seat's alternatives differ in it). */
  relaying: boolean;
  /** Games in which this alternative changed what follows. */
  changed: number;
}

export interface SensitivityCell {
  beat: string;
  seat: SeatId;
  /** The move switched away from: the historical one, or the seat's default. */
  baseline: string;
  /** Whether the baseline passes messages on (history names relays by this seat in this beat). */
  baselineRelaying: boolean;
  /** Games that reached this beat with its history before it (fewer when a draw leads elsewhere, or `decideAt` settled it). */
  games: number;
  /** True when `decideAt` settled the cell before all games were played: the share is then a lower bound. */
  settledEarly: boolean;
  alternatives: AlternativeResult[];
  /** The alternative that changed most games, and the share it changed. */
  best: { move: string; relaying: boolean; share: number } | null;
}

export interface SensitivityReport {
  scenario: string;
  games: number;
  beats: string[];
  seats: SeatId[];
  cells: SensitivityCell[];
}

/** Games after which a cell being decided against a bar plays only its leading alternative. */
const FOCUS_AFTER = 100;

function leader(cell: SensitivityCell): AlternativeResult | undefined {
  return cell.alternatives.reduce<AlternativeResult | undefined>((top, a) => (top && top.changed >= a.changed ? top : a), undefined);
}

interface CellRun {
  cell: SensitivityCell;
  decided: boolean;
}

export function sensitivityReport(scenario: Scenario, options: SensitivityOptions = {}): SensitivityReport {
  const games = options.games ?? 2000;
  const historicalBeats = [...new Set(scenario.historicalPath.map((h) => h.beat))];
  const beats = options.beats ? historicalBeats.filter((b) => options.beats?.includes(b)) : historicalBeats;
  const optionalSeats = scenario.seats.filter((s) => s.optional).map((s) => s.id);

  const runs: CellRun[] = beats.flatMap((beat) =>
    beatById(scenario, beat).actors.map((actor) => {
      const step = scenario.historicalPath.find((h) => h.beat === beat && h.seat === actor.seat);
      const baseline = step?.move ?? actor.defaultMove;
      const relaying = (step?.relays.length ?? 0) > 0;
      const isRelay = scenario.channels.some((c) => c.kind === 'mediated' && c.relay === actor.seat);
      const alternatives: AlternativeResult[] = [
        ...actor.moves.filter((m) => m.id !== baseline).map((m) => ({ move: m.id, relaying, changed: 0 })),
        ...(isRelay ? [{ move: baseline, relaying: !relaying, changed: 0 }] : []),
      ];
      return {
        decided: false,
        cell: { beat, seat: actor.seat, baseline, baselineRelaying: relaying, games: 0, settledEarly: false, alternatives, best: null },
      };
    }),
  );

  for (let g = 0; g < games && runs.some((r) => !r.decided); g++) {
    const game = createGame(scenario, { scenarioId: scenario.id, seed: `sensitivity-${g}`, optionalSeats });
    const prefixes = historicalPrefixes(game, beats);
    for (const run of runs) {
      if (run.decided) continue;
      const from = prefixes.get(run.cell.beat);
      if (!from) continue;
      run.cell.games++;
      const { beat, seat } = run.cell;
      const base = branch(game, from, { beat, seat, move: run.cell.baseline, relaying: run.cell.baselineRelaying }, g, null);
      // Deciding against a bar needs one alternative over it: after a warm-up, only the leader is played.
      const focus = options.decideAt !== undefined && run.cell.games > FOCUS_AFTER ? leader(run.cell) : undefined;
      for (const alt of focus ? [focus] : run.cell.alternatives) {
        if (branch(game, from, { beat, seat, move: alt.move, relaying: alt.relaying }, g, base).changed) alt.changed++;
      }
      if (options.decideAt !== undefined) {
        const need = Math.ceil(options.decideAt * games);
        const most = Math.max(0, ...run.cell.alternatives.map((a) => a.changed));
        if (most >= need || most + (games - g - 1) < need) {
          run.decided = true;
          run.cell.settledEarly = g < games - 1;
        }
      }
    }
  }

  const cells = runs.map(({ cell }) => {
    const top = [...cell.alternatives].sort((a, b) => b.changed - a.changed)[0];
    return { ...cell, best: top && cell.games > 0 ? { move: top.move, relaying: top.relaying, share: top.changed / cell.games } : null };
  });
  const seats = scenario.seats.map((s) => s.id).filter((s) => cells.some((c) => c.seat === s));
  return { scenario: scenario.id, games, beats, seats, cells };
}

/** The cells whose best alternative changes fewer than `bar` (a share) of the games. */
export function cellsBelow(report: SensitivityReport, bar: number): SensitivityCell[] {
  return report.cells.filter((c) => (c.best?.share ?? 0) < bar);
}

/** The report as a seats × beats table of percentages ("—" where a seat does not act). */
export function formatSensitivityTable(report: SensitivityReport): string {
  const header = ['seat', ...report.beats];
  const rows = report.seats.map((seat) => [
    seat,
    ...report.beats.map((beat) => {
      const cell = report.cells.find((c) => c.beat === beat && c.seat === seat);
      if (!cell) return '—';
      const pct = `${Math.round((cell.best?.share ?? 0) * 100)}%`;
      return cell.settledEarly ? `≥${pct}` : pct;
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [
    `Sensitivity of ${report.scenario}: % of ${report.games} seeded games in which a seat's best alternative changes what follows`,
    line(header),
    line(header.map((_, i) => '-'.repeat(widths[i] ?? 0))),
    ...rows.map(line),
  ].join('\n');
}

/** State from which each historical beat starts: the previous beat resolved (or the lobby, for the first). */
function historicalPrefixes(game: Game, beats: readonly string[]): Map<string, GameState> {
  const path = [...new Set(game.scenario.historicalPath.map((h) => h.beat))];
  const prefixes = new Map<string, GameState>();
  const first = path[0];
  if (first !== undefined && beats.includes(first)) prefixes.set(first, initialState(game));
  const last = beats[beats.length - 1];
  runHeadless(game, {
    choose: historicalChooser(game.scenario),
    keepLog: false,
    onResolution: (state, beat) => {
      const next = path[path.indexOf(beat) + 1];
      // Only if this game's draws really lead on to the next historical beat.
      const step = beatById(game.scenario, beat).next[nextStepIndex(game.scenario, beat, state.turn.context.world)];
      if (next !== undefined && beats.includes(next) && step && 'beat' in step && step.beat === next) prefixes.set(next, state);
      return beat === last || !path.includes(beat) ? 'stop' : undefined;
    },
  });
  return prefixes;
}

/** A choice fixed by game, beat and seat (and what is chosen): the same in every branch of one game. */
function hashedPick(game: number, beat: string, seat: SeatId, n: number, what = 'move'): number {
  const [value] = nextFloat(seedFrom(what === 'move' ? `${game}/${beat}/${seat}` : `${game}/${beat}/${seat}/${what}`));
  return Math.floor(value * n);
}

/** The relay seat passing on everything sent to it in the beat's planning so far, to the channel's other principals. */
function relayOwed(scenario: Scenario, state: GameState, seat: SeatId): OutgoingMessage[] {
  return scenario.channels
    .filter((c) => c.kind === 'mediated' && c.relay === seat)
    .flatMap((c) =>
      c.members
        .filter((m) => m !== seat)
        .flatMap((author) => unrelayedThisBeat(state, c.id, author, seat).map((m) => ({ channel: c.id, text: m.text, relayOf: m.id }))),
    );
}

/** A random seat's traffic: a coin for writing to the relay of each mediated channel it is in, one for passing messages on. */
function randomTraffic(scenario: Scenario, state: GameState, g: number, beat: string, seat: SeatId): OutgoingMessage[] {
  const writes = scenario.channels
    .filter((c) => c.kind === 'mediated' && c.relay !== seat && c.members.includes(seat) && hashedPick(g, beat, seat, 2, `write:${c.id}`) === 1)
    .map((c) => ({ channel: c.id, text: `A word from ${seat} for the other side.` }));
  const relays = hashedPick(g, beat, seat, 2, 'relay') === 1 ? relayOwed(scenario, state, seat) : [];
  return [...writes, ...relays];
}

interface Switch {
  beat: string;
  seat: SeatId;
  move: string;
  /** Whether the seat passes on what it was sent (for a relay seat). */
  relaying: boolean;
}

/**
 * One branch from a beat's start: the switched seat plays `move` in `beat`
 * (writing what history has it write, and passing messages on or not),
 * everything else is a hashed random pick. Returns what followed, beat by
 * beat; given the baseline's, stops at the first difference.
 */
function branch(game: Game, from: GameState, sw: Switch, g: number, baseline: { trace: string[] } | null): { trace: string[]; changed: boolean } {
  const { beat, seat, move } = sw;
  const scenario = game.scenario;
  const trace: string[] = [];
  const resolvedBefore = from.turn.context.resolutions.length;
  let changed = false;
  const result = runHeadless(game, {
    from,
    keepLog: false,
    choose: (ctx) => {
      if (ctx.beat === beat && ctx.seat === seat) {
        const writes = historicalMessages(scenario, ctx.state, beat, seat).filter((m) => m.relayOf === undefined);
        return { move, messages: [...writes, ...(sw.relaying ? relayOwed(scenario, ctx.state, seat) : [])] };
      }
      const actor = beatById(scenario, ctx.beat).actors.find((a) => a.seat === ctx.seat);
      const moves = actor?.moves ?? [];
      return {
        move: moves[hashedPick(g, ctx.beat, ctx.seat, moves.length)]?.id ?? null,
        messages: randomTraffic(scenario, ctx.state, g, ctx.beat, ctx.seat),
      };
    },
    onResolution: (state) => {
      const resolutions = state.turn.context.resolutions;
      if (resolutions.length <= resolvedBefore) return undefined;
      const r = resolutions[resolutions.length - 1];
      if (!r) return undefined;
      const draws = r.draws.map((d) => `${d.draw}=${Object.values(d.weights).join(',')}`).join(';');
      // In the beat of the switch only the draws count: its own rules are the move's direct effects.
      const rules = r.beat === beat ? '' : r.narrative.flatMap((n) => (n.cause.kind === 'rule' ? [n.cause.rule] : [])).join(',');
      trace.push(`${r.beat}|${draws}|${rules}`);
      if (baseline && baseline.trace[trace.length - 1] !== trace[trace.length - 1]) {
        changed = true;
        return 'stop';
      }
      return undefined;
    },
  });
  if (!changed && result.outcome !== null) {
    trace.push(`outcome:${result.outcome}`);
    if (baseline && baseline.trace[trace.length - 1] !== trace[trace.length - 1]) changed = true;
  }
  return { trace, changed };
}
