import type { Beat, Scenario, SeatId } from '../scenario/schema.ts';
import { beatById, type Proposal } from './adjudication.ts';
import type { Cause, Change, ChangeTarget } from './world.ts';
import { phaseOf, type Game, type GameState } from './game.ts';
import { versionSeenBy, viewerGameVersion } from './viewer-game-version.ts';
import { actingSeatsInPlay, type Resolution } from './machine.ts';
import { messageAsSeenBy, messageChangedAt, messageVisibleTo, type Message, type Viewer } from './channel-policy.ts';
import { teachingViewFor } from './teaching-view.ts';
import { rubricViewFor } from './rubric-scores.ts';
import { briefingText, outcomeDescription, situationText } from './texts.ts';
import { streamPosition } from './viewer-stream.ts';
import type { BeatView, ChangeView, GameView, OutcomeView, ProposalView, ResolutionView, SeatDecisionView } from './view-types.ts';
import { mapList } from '../lists.ts';
import {
  beatOf, cachedIn, channelsById, channelViews, choicesSeen, menuView, moveAt, moveTitle, revealedIn, scenarioView, seesMove, viewerKey,
} from './view-parts.ts';
export type * from './view-types.ts';

// A resolution never changes once recorded, and every view of a session shows all of them: each is
// turned into a view once per kind of viewer (a seat, the white cell, observers), before and after the outcome.
const resolutionViews = new WeakMap<Resolution, Map<string, ResolutionView>>();

function resolutionView(
  scenario: Scenario,
  r: Resolution,
  viewer: Viewer,
  revealed: boolean,
  changesView: (changes: readonly Change[]) => ChangeView[],
  /** `pastKey` of the viewer and `revealed` (built once per view, not once per resolution). */
  key: string,
  /** A recorded game version as the viewer counts it (versionSeenBy): fixed once recorded, so the cache holds. */
  seen: (version: number) => number,
): ResolutionView {
  let byViewer = resolutionViews.get(r);
  if (!byViewer) {
    byViewer = new Map();
    resolutionViews.set(r, byViewer);
  }
  const cached = byViewer.get(key);
  if (cached) return cached;
  const facilitator = viewer.kind === 'facilitator';
  const seat = viewer.kind === 'seat' ? viewer.seat : null;
  const b = beatById(scenario, r.beat);
  const changes = changesView(r.changes);
  const cited = new Set(changes.flatMap((c) => (c.cause.kind === 'rule' ? [c.cause.rule] : [])));
  const view: ResolutionView = {
    beat: r.beat,
    title: b.title,
    date: b.date,
    beatIndex: r.beatIndex,
    choices: choicesSeen(r, viewer, revealed).map((c) => ({
        seat: c.seat,
        move: c.move,
        title: moveTitle(scenario, r.beat, c.seat, c.move),
        also: (c.also ?? []).flatMap((id) => {
          const m = moveAt(scenario, r.beat, c.seat, id);
          return m && seesMove(viewer, c.seat, m.visibility, revealed) ? [{ move: id, title: m.title }] : [];
        }),
        rationale: facilitator || revealed || c.seat === seat ? c.rationale : null,
        defaulted: c.defaulted,
      })),
    draws: r.draws.map(({ draw, title, option, label, roll }) => ({ draw, title, option, label, roll })),
    narrative: r.narrative
      .filter((n) => seesMove(viewer, n.seat ?? '', n.visibility, revealed))
      .map((n) => ({ text: n.text, marks: n.marks })),
    changes,
    ruleText: Object.fromEntries(b.rules.filter((rule) => cited.has(rule.id)).map((rule) => [rule.id, rule.description])),
    override: r.override,
    relays: r.relays.filter((x) => facilitator || (seat !== null && (x.by === seat || x.to.includes(seat)))),
    version: seen(r.version),
    at: r.at,
  };
  byViewer.set(key, view);
  return view;
}

// Resolutions and the ledger, like the pieces in view-parts.ts, are built once per source and kind of viewer.
const resolutionLists = new WeakMap<readonly Resolution[], Map<string, ResolutionView[]>>();
const ledgerViews = new WeakMap<readonly Change[], Map<string, ChangeView[]>>();

/**
 * The messages a viewer may read that changed after `sinceVersion` (sent, or
 * hidden or shown again by the white cell), as that viewer may see them.
 */
export function messagesFor(game: Game, state: GameState, viewer: Viewer, sinceVersion = 0): Message[] {
  const channels = channelsById(game.scenario);
  return mapList(
    state.messages.filter((m) => messageChangedAt(m) > sinceVersion && messageVisibleTo(viewer, m, channels.get(m.channel))),
    (m) => messageAsSeenBy(viewer, m),
  );
}

type TurnContext = GameState['turn']['context'];

/**
 * How one viewer reads what the game recorded: `seen` counts a version as this viewer does (other seats'
 * drafts left out), and `changesView` leaves out the changes and causes it may not see.
 */
function changeLens(scenario: Scenario, viewer: Viewer, revealed: boolean, seesFlags: boolean, drafts: GameState['drafts']) {
  const facilitator = viewer.kind === 'facilitator';
  const filterCause = (c: Cause): ChangeView['cause'] =>
    c.kind === 'move' && !seesMoveById(c.beat, c.seat, c.move) ? { kind: 'undisclosed' } : c;
  const seesMoveById = (beatId: string, who: SeatId, move: string): boolean => {
    const m = moveAt(scenario, beatId, who, move);
    return m ? seesMove(viewer, who, m.visibility, revealed) : facilitator;
  };
  const seesTarget = (t: ChangeTarget): boolean => t.kind !== 'flag' || seesFlags;
  const seen = (v: number): number => versionSeenBy(drafts, viewer, v);
  // A change whose cause the viewer may see is shown as recorded (no copy: most are, and views are many).
  const changesView = (changes: readonly Change[]): ChangeView[] => {
    const out: ChangeView[] = [];
    for (const c of changes) {
      if (!seesTarget(c.target)) continue;
      const cause = filterCause(c.cause);
      const version = seen(c.version);
      out.push(cause === c.cause && version === c.version ? c : { ...c, cause, version });
    }
    return out;
  };
  return { seen, changesView };
}

function beatView(scenario: Scenario, ctx: TurnContext, beat: Beat): BeatView {
  return {
    id: beat.id,
    title: beat.title,
    date: beat.date,
    situation: situationText(beat, ctx.beatTexts),
    index: ctx.beatIndex,
    actingSeats: actingSeatsInPlay(scenario, ctx),
    lockedIn: Object.entries(ctx.submissions).filter(([, s]) => s.locked).map(([k]) => k),
    submitted: Object.keys(ctx.submissions),
    marks: beat.marks,
  };
}

/** The white cell's: every seat's submission so far, titled. */
function submissionsView(scenario: Scenario, ctx: TurnContext, beat: Beat): NonNullable<GameView['submissions']> {
  return Object.fromEntries(Object.entries(ctx.submissions).map(([s, sub]) => [s, { ...sub, title: moveTitle(scenario, beat.id, s, sub.move) }]));
}

/** The white cell's: each acting seat in play, its submission beside the default it gets without one. */
function decisionsView(scenario: Scenario, ctx: TurnContext, beat: Beat): SeatDecisionView[] {
  return beat.actors
    .filter((a) => ctx.options.seatsInPlay.includes(a.seat))
    .map((a) => {
      const sub = ctx.submissions[a.seat];
      return {
        seat: a.seat,
        defaultMove: { id: a.defaultMove, title: moveTitle(scenario, beat.id, a.seat, a.defaultMove) },
        submission: sub
          ? { ...sub, title: moveTitle(scenario, beat.id, a.seat, sub.move), alsoTitles: (sub.also ?? []).map((id) => moveTitle(scenario, beat.id, a.seat, id)) }
          : null,
      };
    });
}

function proposalView(scenario: Scenario, proposal: Proposal): ProposalView {
  return {
    ...proposal,
    choices: proposal.choices.map((c) => ({
      ...c,
      title: moveTitle(scenario, c.beat, c.seat, c.move),
      alsoTitles: (c.also ?? []).map((id) => moveTitle(scenario, c.beat, c.seat, id)),
    })),
    ruleText: Object.fromEntries(beatById(scenario, proposal.beat).rules.map((r) => [r.id, r.description])),
  };
}

/**
 * `version` is where this viewer's own stream of updates stands
 * (viewer-stream.ts); a caller that keeps track of it passes it in.
 */
export function viewFor(game: Game, state: GameState, viewer: Viewer, version = streamPosition(game, state, viewer).version): GameView {
  const { scenario } = game;
  const ctx = state.turn.context;
  const phase = phaseOf(state.turn);
  const facilitator = viewer.kind === 'facilitator';
  const seat = viewer.kind === 'seat' ? viewer.seat : null;
  const revealed = revealedIn(phase);
  const pastKey = `${revealed ? 'revealed' : 'live'}/${viewerKey(viewer)}`;
  const { beat, inBeat, actor } = beatOf(scenario, state, seat);
  // One rule for every part of the view that shows the world: flags are the white cell's until the outcome.
  const seesFlags = facilitator || revealed;
  const drafts = state.drafts;
  const { seen, changesView } = changeLens(scenario, viewer, revealed, seesFlags, drafts);
  const current = inBeat ? beat : null;

  return {
    version,
    gameVersion: viewerGameVersion(state, viewer),
    viewer,
    phase,
    paused: ctx.paused,
    scenario: scenarioView(scenario, ctx.options.seatsInPlay, facilitator),
    beat: current ? beatView(scenario, ctx, current) : null,
    briefing: current && seat ? briefingText(current, seat, ctx.beatTexts) : null,
    menu: actor ? menuView(actor) : null,
    mySubmission: inBeat && seat ? (ctx.submissions[seat] ?? null) : null,
    submissions: facilitator && current ? submissionsView(scenario, ctx, current) : null,
    decisions: facilitator && current ? decisionsView(scenario, ctx, current) : null,
    proposal: facilitator && ctx.proposal ? proposalView(scenario, ctx.proposal) : null,
    timer: ctx.timer && seen(ctx.timer.setAtVersion) !== ctx.timer.setAtVersion ? { ...ctx.timer, setAtVersion: seen(ctx.timer.setAtVersion) } : ctx.timer,
    world: { ladder: ctx.world.ladder, measures: ctx.world.measures, flags: seesFlags ? ctx.world.flags : null },
    resolutions: cachedIn(resolutionLists, ctx.resolutions, pastKey, () => ctx.resolutions.map((r) => resolutionView(scenario, r, viewer, revealed, changesView, pastKey, seen))),
    ledger: cachedIn(ledgerViews, ctx.ledger, pastKey, () => changesView(ctx.ledger)),
    injects: ctx.injects.map((i) => {
      const def = scenario.injects.find((x) => x.id === i.inject);
      return { inject: i.inject, title: def?.title ?? i.inject, text: def?.text ?? '', version: seen(i.version), at: i.at };
    }),
    outcome: ctx.outcome ? outcomeView(scenario, ctx.outcome) : null,
    channels: channelViews(scenario, state, viewer),
    bots: Object.entries(ctx.bots).map(([s, bot]) => ({ seat: s, bot: facilitator || revealed || s === seat ? bot : null })),
    interventions: drafts.at.length === 0 ? state.interventions : state.interventions.map((n) => ({ ...n, version: seen(n.version) })),
    teaching: teachingViewFor(scenario, state, viewer, phase),
    rubric: rubricViewFor(scenario, ctx.options.seatsInPlay, state.scores, facilitator),
  };
}

function outcomeView(scenario: Scenario, o: NonNullable<GameState['turn']['context']['outcome']>): OutcomeView {
  const def = scenario.outcomes.find((x) => x.id === o.outcome);
  const hist = scenario.outcomes.find((x) => x.id === scenario.historicalOutcome);
  return {
    outcome: o.outcome,
    title: def?.title ?? o.outcome,
    description: outcomeDescription(scenario, o.outcome, o.variant),
    by: o.by,
    reason: o.reason,
    path: o.path.map((id) => ({ id, title: scenario.beats.find((b) => b.id === id)?.title ?? id })),
    historical: {
      outcome: scenario.historicalOutcome,
      title: hist?.title ?? scenario.historicalOutcome,
      path: scenario.historicalPath.map((s) => ({
        beat: s.beat,
        seat: s.seat,
        move: s.move,
        title: moveTitle(scenario, s.beat, s.seat, s.move),
        also: s.also.map((id) => ({ move: id, title: moveTitle(scenario, s.beat, s.seat, id) })),
      })),
      draws: scenario.beats.flatMap((b) =>
        b.draws.flatMap((d) => {
          const h = d.options.find((o) => o.historical);
          return h ? [{ beat: b.id, draw: d.id, title: d.title, option: h.id, label: h.label }] : [];
        }),
      ),
    },
  };
}
