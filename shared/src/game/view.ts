import type { Beat, BeatActor, Channel, MapMark, Move, Scenario, SeatId, Visibility } from '../scenario/schema.ts';
import type { ScenarioMap } from '../scenario/map.ts';
import type { CountedRelay, Submission, Proposal } from './adjudication.ts';
import type { Cause, Change, ChangeTarget } from './world.ts';
import { phaseOf, type Game, type GameState, type Intervention, type Phase } from './game.ts';
import { actingSeatsInPlay, type Resolution } from './machine.ts';
import { channelIsOpen, mayRead, messageAsSeenBy, messageChangedAt, messageVisibleTo, type Message, type Viewer } from './channel-policy.ts';
import { beatById } from './adjudication.ts';
import { teachingViewFor, type TeachingView } from './teaching-view.ts';
import { rubricViewFor, type RubricView } from './rubric-scores.ts';
import { briefingText, outcomeDescription, situationText } from './texts.ts';
import { scenarioText } from './scenario-text.ts';
import { streamPosition } from './viewer-stream.ts';

/**
 * What one viewer may see of a session. The server sends only this, so a
 * secret (another seat's pending move, a private briefing, a hidden choice)
 * never reaches a socket that may not read it.
 */
export interface GameView {
  /** Where this viewer's own stream of updates stands (viewer-stream.ts): never a count of others' events. */
  version: number;
  /** Game commands applied so far: send it as `expectedGameVersion` with a game command made on this view. */
  gameVersion: number;
  viewer: Viewer;
  phase: Phase;
  paused: boolean;
  scenario: ScenarioView;
  beat: BeatView | null;
  /** This seat's private briefing for the current beat. */
  briefing: string | null;
  /** This seat's move menu for the current beat, when it acts. */
  menu: MenuView | null;
  mySubmission: Submission | null;
  /** Facilitator only: every seat's current submission. */
  submissions: Record<SeatId, Submission & { title: string }> | null;
  /** Facilitator only: each acting seat's submission beside the default it gets if it does not decide. */
  decisions: SeatDecisionView[] | null;
  /** Facilitator only: the rule engine's proposal awaiting review. */
  proposal: ProposalView | null;
  timer: { deadline: number | null; remainingMs: number | null; setAtVersion: number } | null;
  world: { ladder: number; measures: Record<SeatId, Record<string, number>>; flags: string[] | null };
  resolutions: ResolutionView[];
  ledger: ChangeView[];
  injects: { inject: string; title: string; text: string; version: number; at: number }[];
  outcome: OutcomeView | null;
  channels: ChannelView[];
  /** Seats played by a bot. Which persona only for the facilitator (and after the outcome): it is a team's strategy. */
  bots: { seat: SeatId; bot: string | null }[];
  /** The white cell's pauses, extensions and rewinds, oldest first: every viewer may know them. */
  interventions: Intervention[];
  /** Objectives, role profile, memo prompt, facilitator notes and the debrief (teaching-view.ts). */
  teaching: TeachingView | null;
  /** Facilitator only: the rubric and the scores given so far (rubric-scores.ts). */
  rubric: RubricView | null;
}

export interface ScenarioView {
  id: string;
  version: number;
  title: string;
  summary: string;
  openingBriefing: string;
  seats: { id: SeatId; name: string; short: string; color: string; description: string; optional: boolean; inPlay: boolean }[];
  measures: { id: string; label: string; description: string; min: number; max: number }[];
  rungs: { level: number; name: string; description: string }[];
  /** Every beat, with the marks it opens with (so a late-joining display can draw past beats). */
  beats: { id: string; title: string; date: string; marks: MapMark[] }[];
  outcomes: { id: string; title: string }[];
  /** Facilitator only. */
  injects: { id: string; title: string; text: string }[];
  /** Places, frame and labels for the projector map. */
  map: ScenarioMap;
}

export interface BeatView {
  id: string;
  title: string;
  date: string;
  situation: string;
  index: number;
  actingSeats: SeatId[];
  /** Who has locked in (never what). */
  lockedIn: SeatId[];
  /** Who has a draft or a locked move (never what). */
  submitted: SeatId[];
  marks: MapMark[];
}

export interface MenuView {
  prompt: string;
  /** `also`: the move may be taken beside another main move, as one of at most `maxAlso`. */
  moves: { id: string; title: string; description: string; also: boolean }[];
  defaultMove: string;
  maxAlso: number;
}

/** The white cell's picture of one acting seat in the current beat: what it has sent, and what it gets if it sends nothing. */
export interface SeatDecisionView {
  seat: SeatId;
  /** The move the seat gets if it does not decide: the scenario's plausible do-nothing choice. */
  defaultMove: { id: string; title: string };
  submission: (Submission & { title: string; alsoTitles: string[] }) | null;
}

export type ProposalView = Omit<Proposal, 'choices'> & {
  choices: (Proposal['choices'][number] & { title: string; alsoTitles: string[] })[];
  /** What each of the beat's rules is, in words, so a cause reads as text rather than an id. */
  ruleText: Record<string, string>;
};

export interface ResolutionView {
  beat: string;
  title: string;
  date: string;
  beatIndex: number;
  /** `also`: the moves taken beside the main one that this viewer may see. */
  choices: { seat: SeatId; move: string; title: string; also: { move: string; title: string }[]; rationale: string | null; defaulted: boolean }[];
  draws: { draw: string; title: string; option: string; label: string; roll: number }[];
  narrative: { text: string; marks: MapMark[] }[];
  changes: ChangeView[];
  /** The rules these changes cite, in words (a cause reads as text rather than an id). */
  ruleText: Record<string, string>;
  override: { reason: string } | null;
  /**
   * The beat's relays in mediated channels and what each counted for: all of
   * them for the white cell; for a seat, those it passed on or received (a
   * private channel's traffic reaches only the seats it reached).
   */
  relays: CountedRelay[];
  version: number;
  at: number;
}

export type ChangeView = Omit<Change, 'cause'> & { cause: Cause | { kind: 'undisclosed' } };

export interface OutcomeView {
  outcome: string;
  title: string;
  description: string;
  by: 'rules' | 'facilitator';
  reason: string | null;
  path: { id: string; title: string }[];
  historical: {
    outcome: string;
    title: string;
    /** Every historical move: each seat's main move and what else it did, beat by beat. */
    path: { beat: string; seat: SeatId; move: string; title: string; also: { move: string; title: string }[] }[];
    /** What each draw came up as in history. */
    draws: { beat: string; draw: string; title: string; option: string; label: string }[];
  };
}

export interface ChannelView {
  id: string;
  kind: Channel['kind'];
  title: string;
  members: SeatId[];
  relay: SeatId | null;
  open: boolean;
  canWrite: boolean;
}

/**
 * What a bot persona decides from (bots/policy.ts, bots/messages.ts): a part of its seat's view.
 * A GameView is one, so the server's bots are handed their whole view; the headless runner builds
 * only this (`botViewFor`), by the same rules, since building whole views for every seat in every
 * beat was a quarter of a simulated game's time.
 */
export interface BotView {
  phase: Phase;
  scenario: Pick<ScenarioView, 'seats' | 'rungs'>;
  beat: Pick<BeatView, 'title'> | null;
  menu: MenuView | null;
  world: Pick<GameView['world'], 'ladder'>;
  resolutions: readonly (Pick<ResolutionView, 'at'> & { choices: readonly Pick<ResolutionView['choices'][number], 'seat' | 'move'>[] })[];
  channels: ChannelView[];
}

/** After the outcome every choice and rationale is revealed, for the debrief. */
function revealedIn(phase: Phase): boolean {
  return phase === 'outcome' || phase === 'debrief';
}

function seesMove(viewer: Viewer, seat: SeatId, visibility: Visibility, revealed: boolean): boolean {
  if (viewer.kind === 'facilitator' || revealed) return true;
  if (visibility === 'public') return true;
  if (viewer.kind !== 'seat') return false;
  if (viewer.seat === seat) return true;
  return typeof visibility === 'object' && visibility.seats.includes(viewer.seat);
}

// Views are built per viewer per update and look moves up often: one index per scenario.
// (Nested maps: a key built from the three ids would be hashed afresh on every look-up.)
const moveIndexes = new WeakMap<Scenario, Map<string, Map<SeatId, Map<string, Move>>>>();

/** The move `move` of `seat` in beat `beatId`, if the scenario has it there. */
function moveAt(scenario: Scenario, beatId: string, seat: SeatId, move: string): Move | undefined {
  let index = moveIndexes.get(scenario);
  if (!index) {
    index = new Map(scenario.beats.map((b) => [b.id, new Map(b.actors.map((a) => [a.seat, new Map(a.moves.map((m) => [m.id, m]))]))]));
    moveIndexes.set(scenario, index);
  }
  return index.get(beatId)?.get(seat)?.get(move);
}

/** Which kind of viewer a view is for, as far as what it may see of the past goes. */
function viewerKey(viewer: Viewer): string {
  return viewer.kind === 'seat' ? `seat:${viewer.seat}` : viewer.kind;
}

// A resolution never changes once recorded, and every view of a session shows all of them: each is
// turned into a view once per kind of viewer (a seat, the white cell, observers), before and after the outcome.
const resolutionViews = new WeakMap<Resolution, Map<string, ResolutionView>>();

/** The choices of a resolution a viewer may see. */
function choicesSeen(r: Resolution, viewer: Viewer, revealed: boolean): Resolution['choices'] {
  return r.choices.filter((c) => seesMove(viewer, c.seat, c.visibility, revealed));
}

function resolutionView(
  scenario: Scenario,
  r: Resolution,
  viewer: Viewer,
  revealed: boolean,
  changesView: (changes: readonly Change[]) => ChangeView[],
  /** `pastKey` of the viewer and `revealed` (built once per view, not once per resolution). */
  key: string,
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
    version: r.version,
    at: r.at,
  };
  byViewer.set(key, view);
  return view;
}

// The channels a viewer is shown, with their members in play, depend only on the scenario, the seats in
// play (one array per session, carried from state to state) and the viewer.
const channelLists = new WeakMap<readonly SeatId[], Map<string, { c: Channel; members: SeatId[] }[]>>();

function visibleChannels(scenario: Scenario, seatsInPlay: readonly SeatId[], viewer: Viewer): { c: Channel; members: SeatId[] }[] {
  let byViewer = channelLists.get(seatsInPlay);
  if (!byViewer) {
    byViewer = new Map();
    channelLists.set(seatsInPlay, byViewer);
  }
  const key = `${scenario.id}@${scenario.version}/${viewerKey(viewer)}`;
  let list = byViewer.get(key);
  if (!list) {
    list = scenario.channels
      .map((c) => ({ c, members: c.members.filter((m) => seatsInPlay.includes(m)) }))
      // A private channel needs two members in play to be worth showing; a team channel its one.
      .filter(({ c, members }) => mayRead(viewer, c) && members.length >= (c.kind === 'team' ? 1 : c.kind === 'public' ? 0 : 2));
    byViewer.set(key, list);
  }
  return list;
}

// The parts of a view below change only when their source does (a new resolution, a new ledger entry,
// another beat): each is built once per source and kind of viewer and shared by the views that show it,
// which `rubicon simulate` (a view per seat per beat, thousands of games) spends most of its views on.
const resolutionLists = new WeakMap<readonly Resolution[], Map<string, ResolutionView[]>>();
const ledgerViews = new WeakMap<readonly Change[], Map<string, ChangeView[]>>();
const scenarioViews = new WeakMap<readonly SeatId[], { scenario: Scenario; facilitator: ScenarioView | null; other: ScenarioView | null }>();
const menuViews = new WeakMap<BeatActor, MenuView>();

function cachedIn<K extends object, V>(cache: WeakMap<K, Map<string, V>>, source: K, key: string, build: () => V): V {
  let byKey = cache.get(source);
  if (!byKey) {
    byKey = new Map();
    cache.set(source, byKey);
  }
  let value = byKey.get(key);
  if (value === undefined) {
    value = build();
    byKey.set(key, value);
  }
  return value;
}

function buildScenarioView(scenario: Scenario, seatsInPlay: readonly SeatId[], facilitator: boolean): ScenarioView {
  const { text } = scenarioText(scenario);
  return {
    ...text,
    seats: text.seats.map((s) => ({ ...s, inPlay: seatsInPlay.includes(s.id) })),
    injects: facilitator ? scenario.injects.map((i) => ({ id: i.id, title: i.title, text: i.text })) : [],
  };
}

function scenarioView(scenario: Scenario, seatsInPlay: readonly SeatId[], facilitator: boolean): ScenarioView {
  let entry = scenarioViews.get(seatsInPlay);
  // Two loaded copies of one scenario are different objects: never hand one's view to the other.
  if (!entry || entry.scenario !== scenario) {
    entry = { scenario, facilitator: null, other: null };
    scenarioViews.set(seatsInPlay, entry);
  }
  if (facilitator) return (entry.facilitator ??= buildScenarioView(scenario, seatsInPlay, true));
  return (entry.other ??= buildScenarioView(scenario, seatsInPlay, false));
}

function menuView(actor: BeatActor): MenuView {
  let menu = menuViews.get(actor);
  if (!menu) {
    menu = {
      prompt: actor.prompt,
      moves: actor.moves.map((m) => ({ id: m.id, title: m.title, description: m.description, also: m.also })),
      defaultMove: actor.defaultMove,
      maxAlso: actor.maxAlso,
    };
    menuViews.set(actor, menu);
  }
  return menu;
}

function moveTitle(scenario: Scenario, beatId: string, seat: SeatId, move: string): string {
  return moveAt(scenario, beatId, seat, move)?.title ?? move;
}

const channelMaps = new WeakMap<Scenario, ReadonlyMap<string, Channel>>();

function channelsById(scenario: Scenario): ReadonlyMap<string, Channel> {
  let map = channelMaps.get(scenario);
  if (!map) {
    map = new Map(scenario.channels.map((c) => [c.id, c]));
    channelMaps.set(scenario, map);
  }
  return map;
}

/**
 * The messages a viewer may read that changed after `sinceVersion` (sent, or
 * hidden or shown again by the white cell), as that viewer may see them.
 */
export function messagesFor(game: Game, state: GameState, viewer: Viewer, sinceVersion = 0): Message[] {
  const channels = channelsById(game.scenario);
  return state.messages
    .filter((m) => messageChangedAt(m) > sinceVersion && messageVisibleTo(viewer, m, channels.get(m.channel)))
    .map((m) => messageAsSeenBy(viewer, m));
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

  const filterCause = (c: Cause): ChangeView['cause'] =>
    c.kind === 'move' && !seesMoveById(c.beat, c.seat, c.move) ? { kind: 'undisclosed' } : c;
  const seesMoveById = (beatId: string, who: SeatId, move: string): boolean => {
    const m = moveAt(scenario, beatId, who, move);
    return m ? seesMove(viewer, who, m.visibility, revealed) : facilitator;
  };
  // One rule for every part of the view that shows the world: flags are the white cell's until the outcome.
  const seesFlags = facilitator || revealed;
  const seesTarget = (t: ChangeTarget): boolean => t.kind !== 'flag' || seesFlags;
  // A change whose cause the viewer may see is shown as recorded (no copy: most are, and views are many).
  const changesView = (changes: readonly Change[]): ChangeView[] => {
    const out: ChangeView[] = [];
    for (const c of changes) {
      if (!seesTarget(c.target)) continue;
      const cause = filterCause(c.cause);
      out.push(cause === c.cause ? c : { ...c, cause });
    }
    return out;
  };

  return {
    version,
    gameVersion: state.gameVersion,
    viewer,
    phase,
    paused: ctx.paused,
    scenario: scenarioView(scenario, ctx.options.seatsInPlay, facilitator),
    beat:
      inBeat && beat
        ? {
            id: beat.id,
            title: beat.title,
            date: beat.date,
            situation: situationText(beat, ctx.beatTexts),
            index: ctx.beatIndex,
            actingSeats: actingSeatsInPlay(scenario, ctx),
            lockedIn: Object.entries(ctx.submissions).filter(([, s]) => s.locked).map(([k]) => k),
            submitted: Object.keys(ctx.submissions),
            marks: beat.marks,
          }
        : null,
    briefing: inBeat && beat && seat ? briefingText(beat, seat, ctx.beatTexts) : null,
    menu: actor ? menuView(actor) : null,
    mySubmission: inBeat && seat ? (ctx.submissions[seat] ?? null) : null,
    submissions:
      facilitator && inBeat && beat
        ? Object.fromEntries(
            Object.entries(ctx.submissions).map(([s, sub]) => [s, { ...sub, title: moveTitle(scenario, beat.id, s, sub.move) }]),
          )
        : null,
    decisions:
      facilitator && inBeat && beat
        ? beat.actors
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
            })
        : null,
    proposal:
      facilitator && ctx.proposal
        ? {
            ...ctx.proposal,
            choices: ctx.proposal.choices.map((c) => ({
              ...c,
              title: moveTitle(scenario, c.beat, c.seat, c.move),
              alsoTitles: (c.also ?? []).map((id) => moveTitle(scenario, c.beat, c.seat, id)),
            })),
            ruleText: Object.fromEntries(beatById(scenario, ctx.proposal.beat).rules.map((r) => [r.id, r.description])),
          }
        : null,
    timer: ctx.timer,
    world: { ladder: ctx.world.ladder, measures: ctx.world.measures, flags: seesFlags ? ctx.world.flags : null },
    resolutions: cachedIn(resolutionLists, ctx.resolutions, pastKey, () => ctx.resolutions.map((r) => resolutionView(scenario, r, viewer, revealed, changesView, pastKey))),
    ledger: cachedIn(ledgerViews, ctx.ledger, pastKey, () => changesView(ctx.ledger)),
    injects: ctx.injects.map((i) => {
      const def = scenario.injects.find((x) => x.id === i.inject);
      return { inject: i.inject, title: def?.title ?? i.inject, text: def?.text ?? '', version: i.version, at: i.at };
    }),
    outcome: ctx.outcome ? outcomeView(scenario, ctx.outcome) : null,
    channels: channelViews(scenario, state, viewer),
    bots: Object.entries(ctx.bots).map(([s, bot]) => ({ seat: s, bot: facilitator || revealed || s === seat ? bot : null })),
    interventions: state.interventions,
    teaching: teachingViewFor(scenario, state, viewer, phase),
    rubric: rubricViewFor(scenario, ctx.options.seatsInPlay, state.scores, facilitator),
  };
}

/** The beat under way as a view shows it (none outside a beat's phases), and the viewer's part in it if a seat in play acts. */
function beatOf(scenario: Scenario, state: GameState, seat: SeatId | null): { beat: Beat | null; inBeat: boolean; actor: BeatActor | undefined } {
  const ctx = state.turn.context;
  const phase = phaseOf(state.turn);
  const beat = ctx.beat ? beatById(scenario, ctx.beat) : null;
  const inBeat = beat !== null && (phase === 'planning' || phase === 'adjudication' || phase === 'resolution');
  const actor = inBeat && seat ? beat.actors.find((a) => a.seat === seat && ctx.options.seatsInPlay.includes(seat)) : undefined;
  return { beat, inBeat, actor };
}

function channelViews(scenario: Scenario, state: GameState, viewer: Viewer): ChannelView[] {
  const ctx = state.turn.context;
  const seat = viewer.kind === 'seat' ? viewer.seat : null;
  return visibleChannels(scenario, ctx.options.seatsInPlay, viewer).map(({ c, members }) => ({
    id: c.id,
    kind: c.kind,
    title: c.title,
    members,
    relay: c.relay ?? null,
    open: channelIsOpen(ctx.world, c),
    canWrite: viewer.kind === 'facilitator' || (seat !== null && c.members.includes(seat) && channelIsOpen(ctx.world, c)),
  }));
}

/** The part of `seat`'s view a bot persona reads (see BotView): the same as `viewFor`'s, built alone. */
export function botViewFor(game: Game, state: GameState, seat: SeatId): BotView {
  const { scenario } = game;
  const ctx = state.turn.context;
  const phase = phaseOf(state.turn);
  const viewer: Viewer = { kind: 'seat', seat };
  const revealed = revealedIn(phase);
  const { beat, inBeat, actor } = beatOf(scenario, state, seat);
  return {
    phase,
    scenario: scenarioView(scenario, ctx.options.seatsInPlay, false),
    beat: inBeat && beat ? { title: beat.title } : null,
    menu: actor ? menuView(actor) : null,
    world: { ladder: ctx.world.ladder },
    // Only the seat and the move of each choice seen: a persona reads no more, and the record carries others' rationales.
    resolutions: ctx.resolutions.map((r) => ({ at: r.at, choices: choicesSeen(r, viewer, revealed).map(({ seat, move }) => ({ seat, move })) })),
    channels: channelViews(scenario, state, viewer),
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
