import type { Beat, BeatActor, Channel, Move, Scenario, SeatId, Visibility } from '../scenario/schema.ts';
import { phaseOf, type GameState, type Phase } from './game.ts';
import type { Resolution } from './machine.ts';
import { channelIsOpen, mayRead, type Viewer } from './channel-policy.ts';
import { beatById } from './adjudication.ts';
import { scenarioText } from './scenario-text.ts';
import type { ChannelView, MenuView, ScenarioView } from './view-types.ts';
import { mapList } from '../lists.ts';

/**
 * The pieces every view of a session is built from, by one set of rules: which moves and channels a kind
 * of viewer may see, and the parts built once per source and kind of viewer. `viewFor` (view.ts) and
 * `botViewFor` (bot-view.ts) both build from these, so a persona never reads what its seat could not.
 */

/** After the outcome every choice and rationale is revealed, for the debrief. */
export function revealedIn(phase: Phase): boolean {
  return phase === 'outcome' || phase === 'debrief';
}

export function seesMove(viewer: Viewer, seat: SeatId, visibility: Visibility, revealed: boolean): boolean {
  if (viewer.kind === 'facilitator' || revealed) return true;
  if (visibility === 'public') return true;
  if (viewer.kind !== 'seat') return false;
  if (viewer.seat === seat) return true;
  return typeof visibility === 'object' && visibility.seats.includes(viewer.seat);
}

// Views are built per viewer per update and look moves up often: one index per scenario.
// (Nested maps: a key built from the three ids would be hashed afresh on every look-up.)
export const moveIndexes = new WeakMap<Scenario, Map<string, Map<SeatId, Map<string, Move>>>>();

/** The move `move` of `seat` in beat `beatId`, if the scenario has it there. */
export function moveAt(scenario: Scenario, beatId: string, seat: SeatId, move: string): Move | undefined {
  let index = moveIndexes.get(scenario);
  if (!index) {
    index = new Map(scenario.beats.map((b) => [b.id, new Map(b.actors.map((a) => [a.seat, new Map(a.moves.map((m) => [m.id, m]))]))]));
    moveIndexes.set(scenario, index);
  }
  return index.get(beatId)?.get(seat)?.get(move);
}

/** Which kind of viewer a view is for, as far as what it may see of the past goes. */
export function viewerKey(viewer: Viewer): string {
  return viewer.kind === 'seat' ? `seat:${viewer.seat}` : viewer.kind;
}


/** The choices of a resolution a viewer may see. */
export function choicesSeen(r: Resolution, viewer: Viewer, revealed: boolean): Resolution['choices'] {
  return r.choices.filter((c) => seesMove(viewer, c.seat, c.visibility, revealed));
}

// The channels a viewer is shown, with their members in play, depend only on the scenario, the seats in
// play (one array per session, carried from state to state) and the viewer.
export const channelLists = new WeakMap<readonly SeatId[], Map<string, { c: Channel; members: SeatId[] }[]>>();

export function visibleChannels(scenario: Scenario, seatsInPlay: readonly SeatId[], viewer: Viewer): { c: Channel; members: SeatId[] }[] {
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
const scenarioViews = new WeakMap<readonly SeatId[], { scenario: Scenario; facilitator: ScenarioView | null; other: ScenarioView | null }>();
const menuViews = new WeakMap<BeatActor, MenuView>();

export function cachedIn<K extends object, V>(cache: WeakMap<K, Map<string, V>>, source: K, key: string, build: () => V): V {
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

export function buildScenarioView(scenario: Scenario, seatsInPlay: readonly SeatId[], facilitator: boolean): ScenarioView {
  const { text } = scenarioText(scenario);
  return {
    ...text,
    seats: text.seats.map((s) => ({ ...s, inPlay: seatsInPlay.includes(s.id) })),
    injects: facilitator ? scenario.injects.map((i) => ({ id: i.id, title: i.title, text: i.text })) : [],
  };
}

export function scenarioView(scenario: Scenario, seatsInPlay: readonly SeatId[], facilitator: boolean): ScenarioView {
  let entry = scenarioViews.get(seatsInPlay);
  // Two loaded copies of one scenario are different objects: never hand one's view to the other.
  if (!entry || entry.scenario !== scenario) {
    entry = { scenario, facilitator: null, other: null };
    scenarioViews.set(seatsInPlay, entry);
  }
  if (facilitator) return (entry.facilitator ??= buildScenarioView(scenario, seatsInPlay, true));
  return (entry.other ??= buildScenarioView(scenario, seatsInPlay, false));
}

export function menuView(actor: BeatActor): MenuView {
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

export function moveTitle(scenario: Scenario, beatId: string, seat: SeatId, move: string): string {
  return moveAt(scenario, beatId, seat, move)?.title ?? move;
}

export const channelMaps = new WeakMap<Scenario, ReadonlyMap<string, Channel>>();

export function channelsById(scenario: Scenario): ReadonlyMap<string, Channel> {
  let map = channelMaps.get(scenario);
  if (!map) {
    map = new Map(scenario.channels.map((c) => [c.id, c]));
    channelMaps.set(scenario, map);
  }
  return map;
}

/** The beat under way as a view shows it (none outside a beat's phases), and the viewer's part in it if a seat in play acts. */
export function beatOf(scenario: Scenario, state: GameState, seat: SeatId | null): { beat: Beat | null; inBeat: boolean; actor: BeatActor | undefined } {
  const ctx = state.turn.context;
  const phase = phaseOf(state.turn);
  const beat = ctx.beat ? beatById(scenario, ctx.beat) : null;
  const inBeat = beat !== null && (phase === 'planning' || phase === 'adjudication' || phase === 'resolution');
  const actor = inBeat && seat ? beat.actors.find((a) => a.seat === seat && ctx.options.seatsInPlay.includes(seat)) : undefined;
  return { beat, inBeat, actor };
}

export function channelViews(scenario: Scenario, state: GameState, viewer: Viewer): ChannelView[] {
  const ctx = state.turn.context;
  const seat = viewer.kind === 'seat' ? viewer.seat : null;
  return mapList(visibleChannels(scenario, ctx.options.seatsInPlay, viewer), ({ c, members }) => ({
    id: c.id,
    kind: c.kind,
    title: c.title,
    members,
    relay: c.relay ?? null,
    open: channelIsOpen(ctx.world, c),
    canWrite: viewer.kind === 'facilitator' || (seat !== null && c.members.includes(seat) && channelIsOpen(ctx.world, c)),
  }));
}
