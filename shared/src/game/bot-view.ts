import { phaseOf, type Game, type GameState, type Phase } from './game.ts';
import type { SeatId } from '../scenario/schema.ts';
import type { Viewer } from './channel-policy.ts';
import type { BeatView, ChannelView, GameView, MenuView, ResolutionView, ScenarioView } from './view-types.ts';
import { beatOf, channelViews, choicesSeen, menuView, revealedIn, scenarioView } from './view-parts.ts';
import { mapList } from '../lists.ts';

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
    resolutions: mapList(ctx.resolutions, (r) => ({ at: r.at, choices: mapList(choicesSeen(r, viewer, revealed), ({ seat, move }) => ({ seat, move })) })),
    channels: channelViews(scenario, state, viewer),
  };
}
