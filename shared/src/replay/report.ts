import { escalationByBeat, moveEscalation, type BeatEscalation } from '../analysis/escalation.ts';
import type { Message } from '../game/channel-policy.ts';
import type { LogEntry } from '../game/commands.ts';
import { applyEntry, initialState, type Game, type GameState } from '../game/game.ts';
import type { Cause, Change } from '../game/world.ts';
import type { Resolution } from '../game/machine.ts';
import type { Escalation, Scenario, SeatId } from '../scenario/schema.ts';
import { debriefQuestions } from '../scenario/teaching.ts';
import type { SessionFile } from './session-file.ts';
import { outcomeDescription } from '../game/texts.ts';
import { rubricReport } from './report-rubric.ts';
import { BeatClock, type BeatTiming } from './beat-timings.ts';
import type { ReportRubric } from './rubric-table.ts';

/**
 * The after-action report of one session, as data: everything the report
 * page, its Markdown download and the command line show, computed once from
 * the log with the engine (the white cell's knowledge: every choice and
 * rationale). Facts come from the scenario and the log, never from here.
 */
export interface SessionReport {
  sessionId: string;
  title: string;
  scenario: { id: string; version: number; title: string };
  seed: string | number;
  parent: SessionFile['session']['parent'];
  events: number;
  startedAt: number | null;
  endedAt: number | null;
  outcome: { id: string; title: string; description: string; by: 'rules' | 'facilitator'; reason: string | null; at: number } | null;
  path: { beat: string; title: string }[];
  seats: { id: SeatId; name: string; color: string }[];
  beats: ReportBeat[];
  overrides: { beat: string; title: string; reason: string; version: number; at: number }[];
  rewinds: { toBeat: string; title: string; version: number; at: number }[];
  injects: { inject: string; title: string; version: number; at: number }[];
  channels: { id: string; title: string; kind: string; messages: Message[] }[];
  series: SeriesPoint[];
  measures: { id: string; label: string; min: number; max: number }[];
  rungs: { level: number; name: string }[];
  turningPoints: TurningPoint[];
  historical: HistoricalComparison;
  escalation: { session: BeatEscalation[]; historical: BeatEscalation[] };
  /** The debrief questions for the outcome reached (empty when the scenario has no teaching section). */
  debrief: string[];
  /** The white cell's rubric scores at the end of the log; null when the scenario has no rubric. */
  rubric: ReportRubric | null;
}

export interface ReportBeat {
  beat: string;
  title: string;
  date: string;
  beatIndex: number;
  version: number;
  at: number;
  /** When its planning opened and closed (event times; null when the log does not show it). */
  openedAt: number | null;
  closedAt: number | null;
  choices: {
    seat: SeatId;
    move: string;
    title: string;
    rationale: string;
    defaulted: boolean;
    escalation: Escalation;
    score: number;
    /** When the seat locked this in (null: it never did, e.g. a default taken when the clock ran out). */
    lockedAt: number | null;
    /** Titles of the moves taken beside the main one. */
    also: string[];
  }[];
  draws: { title: string; label: string; roll: number; historical: string | null }[];
  changes: { text: string; cause: string; delta: number }[];
  override: string | null;
}

export interface SeriesPoint {
  version: number;
  at: number;
  ladder: number;
  measures: Record<SeatId, Record<string, number>>;
}

export interface TurningPoint {
  version: number;
  beat: string | null;
  what: string;
  cause: string;
  /** The size of the swing as a share of the scale (ladder rungs or the measure's range), for ranking. */
  weight: number;
}

export interface HistoricalComparison {
  /** What the scenario calls its historical path, as it reads inside a sentence (e.g. "April 2024"): every text about the path names it so. */
  label: string;
  outcome: { id: string; title: string };
  sameOutcome: boolean;
  /**
   * Every historical decision of a seat in play: its main move (`historical`) and what else it did
   * (`historicalAlso`), beside this session's (`same`: the main move is history's).
   */
  steps: {
    beat: string;
    beatTitle: string;
    seat: SeatId;
    historicalMove: string;
    historical: string;
    historicalAlso: string[];
    session: string | null;
    sessionAlso: string[];
    same: boolean;
  }[];
  draws: { beat: string; title: string; historical: string; session: string | null }[];
}

const title = (scenario: Scenario, beatId: string) => scenario.beats.find((b) => b.id === beatId)?.title ?? beatId;
const moveTitle = (scenario: Scenario, move: string) =>
  scenario.beats.flatMap((b) => b.actors.flatMap((a) => a.moves)).find((m) => m.id === move)?.title ?? move;
const seatName = (scenario: Scenario, seat: SeatId | null) => (seat ? (scenario.seats.find((s) => s.id === seat)?.name ?? seat) : 'White cell');

export function causeText(scenario: Scenario, cause: Cause): string {
  switch (cause.kind) {
    case 'move':
      return `${seatName(scenario, cause.seat)} chose “${moveTitle(scenario, cause.move)}”`;
    case 'rule':
      return `rule ${cause.rule}`;
    case 'draw': {
      const d = scenario.beats.flatMap((b) => b.draws ?? []).find((x) => x.id === cause.draw);
      return `draw “${d?.title ?? cause.draw}”: ${d?.options.find((o) => o.id === cause.option)?.label ?? cause.option}`;
    }
    case 'inject':
      return `inject ${scenario.injects.find((i) => i.id === cause.inject)?.title ?? cause.inject}`;
    case 'override':
      return `white cell override: ${cause.reason}`;
  }
}

export function describeChangeTarget(scenario: Scenario, c: Pick<Change, 'target'>): string {
  switch (c.target.kind) {
    case 'ladder':
      return 'Escalation ladder';
    case 'measure': {
      const { seat, measure } = c.target;
      return `${seatName(scenario, seat)} · ${scenario.measures.find((m) => m.id === measure)?.label ?? measure}`;
    }
    case 'flag':
      return `Flag ${c.target.flag}`;
  }
}

/** Walks the log once, keeping the world after every event that changed it, and the beats' timings. */
function walk(game: Game, log: readonly LogEntry[]): { final: GameState; series: SeriesPoint[]; rewinds: SessionReport['rewinds']; clock: BeatClock } {
  let state = initialState(game);
  const point = (s: GameState, version: number, at: number): SeriesPoint => ({
    version,
    at,
    ladder: s.turn.context.world.ladder,
    measures: s.turn.context.world.measures,
  });
  const series = [point(state, 0, log[0]?.at ?? 0)];
  const rewinds: SessionReport['rewinds'] = [];
  const clock = new BeatClock();
  for (const entry of log) {
    const r = applyEntry(game, state, entry);
    if (!r.ok) throw new Error(`event ${entry.seq} does not apply: ${r.refusal.message}`);
    const before = state.turn.context.world;
    clock.observe(entry, state, r.state);
    state = r.state;
    const world = state.turn.context.world;
    if (world.ladder !== before.ladder || world.measures !== before.measures) series.push(point(state, entry.seq, entry.at));
    if (entry.command.type === 'REWIND')
      rewinds.push({ toBeat: entry.command.beat, title: title(game.scenario, entry.command.beat), version: entry.seq, at: entry.at });
  }
  return { final: state, series, rewinds, clock };
}

/** One resolved beat: its choices with their escalation and lock-in times, its draws and changes. */
function reportBeat(scenario: Scenario, r: Resolution, timing: BeatTiming | null): ReportBeat {
  return {
    beat: r.beat,
    title: title(scenario, r.beat),
    date: scenario.beats.find((b) => b.id === r.beat)?.date ?? '',
    beatIndex: r.beatIndex,
    version: r.version,
    at: r.at,
    openedAt: timing?.openedAt ?? null,
    closedAt: timing?.closedAt ?? null,
    choices: r.choices.map((c) => {
      const e = moveEscalation(scenario, c.move);
      const lockedAt = c.defaulted ? null : (timing?.lockedAt[c.seat] ?? null);
      return {
        seat: c.seat,
        move: c.move,
        title: moveTitle(scenario, c.move),
        rationale: c.rationale,
        defaulted: c.defaulted,
        escalation: e.category,
        score: e.score,
        lockedAt,
        also: (c.also ?? []).map((id) => moveTitle(scenario, id)),
      };
    }),
    draws: r.draws.map((d) => {
      const def = scenario.beats.flatMap((b) => b.draws ?? []).find((x) => x.id === d.draw);
      return { title: d.title, label: d.label, roll: d.roll, historical: def?.options.find((o) => o.historical)?.label ?? null };
    }),
    changes: r.changes.map((c) => ({
      text: `${describeChangeTarget(scenario, c)} ${c.from} → ${c.to}`,
      cause: causeText(scenario, c.cause),
      delta: c.to - c.from,
    })),
    override: r.override?.reason ?? null,
  };
}

type TurnContext = GameState['turn']['context'];

export function buildReport(file: SessionFile, game: Game, log: readonly LogEntry[]): SessionReport {
  const { scenario } = game;
  const { final, series, rewinds, clock } = walk(game, log);
  const ctx = final.turn.context;
  const inPlay = new Set(ctx.options.seatsInPlay);

  const channels = scenario.channels
    .map((c) => ({ id: c.id, title: c.title, kind: c.kind, messages: final.messages.filter((m) => m.channel === c.id) }))
    .filter((c) => c.messages.length > 0);

  return {
    sessionId: file.session.sessionId,
    title: file.session.title,
    scenario: { id: scenario.id, version: scenario.version, title: scenario.title },
    seed: file.setup.seed,
    parent: file.session.parent,
    events: log.length,
    startedAt: log[0]?.at ?? null,
    endedAt: log.at(-1)?.at ?? null,
    outcome: reportOutcome(scenario, ctx),
    path: (ctx.outcome?.path ?? ctx.resolutions.map((r) => r.beat)).map((b) => ({ beat: b, title: title(scenario, b) })),
    seats: scenario.seats.filter((s) => inPlay.has(s.id)).map((s) => ({ id: s.id, name: s.name, color: s.color })),
    beats: ctx.resolutions.map((r) => reportBeat(scenario, r, clock.of(r.beat))),
    overrides: ctx.resolutions.flatMap((r) => (r.override ? [{ beat: r.beat, title: title(scenario, r.beat), reason: r.override.reason, version: r.version, at: r.at }] : [])),
    rewinds,
    injects: ctx.injects.map((i) => ({ inject: i.inject, title: scenario.injects.find((x) => x.id === i.inject)?.title ?? i.inject, version: i.version, at: i.at })),
    channels,
    series,
    measures: scenario.measures.map(({ id, label, min, max }) => ({ id, label, min, max })),
    rungs: scenario.ladder.rungs.map(({ level, name }) => ({ level, name })),
    turningPoints: turningPoints(scenario, ctx.resolutions),
    historical: historicalComparison(scenario, ctx, inPlay),
    escalation: {
      session: escalationByBeat(scenario, ctx.world.choices),
      historical: escalationByBeat(scenario, scenario.historicalPath.filter((s) => inPlay.has(s.seat))),
    },
    debrief: ctx.outcome ? debriefQuestions(scenario, ctx.outcome.outcome) : [],
    rubric: rubricReport(scenario, ctx.options.seatsInPlay, final.scores),
  };
}

/** How the session ended, in the scenario's words for the variant reached; null while it has not. */
function reportOutcome(scenario: Scenario, ctx: TurnContext): SessionReport['outcome'] {
  const outcomeDef = ctx.outcome ? scenario.outcomes.find((o) => o.id === ctx.outcome?.outcome) : undefined;
  if (!ctx.outcome || !outcomeDef) return null;
  return {
    id: outcomeDef.id,
    title: outcomeDef.title,
    description: outcomeDescription(scenario, outcomeDef.id, ctx.outcome.variant),
    by: ctx.outcome.by,
    reason: ctx.outcome.reason,
    at: ctx.outcome.at,
  };
}

/** The six changes that moved the world most, each weighed against its scale's range. */
function turningPoints(scenario: Scenario, resolutions: readonly Resolution[]): TurningPoint[] {
  return resolutions
    .flatMap((r) =>
      r.changes.map((c): TurningPoint => {
        const m = c.target.kind === 'measure' ? scenario.measures.find((x) => x.id === (c.target as { measure: string }).measure) : undefined;
        const range = c.target.kind === 'ladder' ? Math.max(1, scenario.ladder.rungs.length - 1) : m ? Math.max(1, m.max - m.min) : 1;
        // A rung of the ladder weighs more than any measure point: it is what the game is about.
        const weight = (Math.abs(c.to - c.from) / range) * (c.target.kind === 'ladder' ? 4 : 1);
        return { version: r.version, beat: r.beat, what: `${describeChangeTarget(scenario, c)} ${c.from} → ${c.to}`, cause: causeText(scenario, c.cause), weight };
      }),
    )
    .filter((t) => t.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.version - b.version)
    .slice(0, 6);
}

/** The session beside history: each in-play seat's historical step against its choice, and each historical draw against the session's. */
function historicalComparison(scenario: Scenario, ctx: TurnContext, inPlay: ReadonlySet<SeatId>): SessionReport['historical'] {
  const chosen = new Map(ctx.world.choices.map((c) => [`${c.beat}:${c.seat}`, c]));
  const steps = scenario.historicalPath
    .filter((s) => inPlay.has(s.seat))
    .map((s) => {
      const mine = chosen.get(`${s.beat}:${s.seat}`) ?? null;
      return {
        beat: s.beat,
        beatTitle: title(scenario, s.beat),
        seat: s.seat,
        historicalMove: s.move,
        historical: moveTitle(scenario, s.move),
        historicalAlso: s.also.map((id) => moveTitle(scenario, id)),
        session: mine ? moveTitle(scenario, mine.move) : null,
        sessionAlso: (mine?.also ?? []).map((id) => moveTitle(scenario, id)),
        same: mine?.move === s.move,
      };
    });
  const sessionDraws = new Map(ctx.resolutions.flatMap((r) => r.draws.map((d) => [d.draw, d.label] as const)));
  const draws = scenario.beats.flatMap((b) =>
    (b.draws ?? []).flatMap((d) => {
      const h = d.options.find((o) => o.historical);
      return h ? [{ beat: b.id, title: d.title, historical: h.label, session: sessionDraws.get(d.id) ?? null }] : [];
    }),
  );
  const historicalOutcome = scenario.outcomes.find((o) => o.id === scenario.historicalOutcome);
  return {
    label: scenario.historicalLabel,
    outcome: { id: scenario.historicalOutcome, title: historicalOutcome?.title ?? scenario.historicalOutcome },
    sameOutcome: ctx.outcome?.outcome === scenario.historicalOutcome,
    steps,
    draws,
  };
}
