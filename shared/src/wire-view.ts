import type { GameView, ScenarioView } from './game/view.ts';
import type { SeatId } from './scenario/schema.ts';

/**
 * Views on the wire carry no scenario text. The text every viewer's
 * `scenario` shares (titles, descriptions, the ladder, the beats' dates and
 * marks, the map: most of a view's bytes) is the same for every session of a
 * scenario version, so a client fetches it once, cacheably, from
 * `GET /api/scenarios/:id/v/:version` and puts the two together with
 * `composeView`. Free of the engine, so the browser client can use it.
 */

type SeatView = ScenarioView['seats'][number];

/** A scenario's shared text: a view's `scenario` without what depends on the session or the viewer. */
export type ScenarioText = Omit<ScenarioView, 'seats' | 'injects'> & { seats: Omit<SeatView, 'inPlay'>[] };

/** What a view on the wire carries in place of the scenario's text. */
export interface ScenarioRef {
  id: string;
  version: number;
  /** Names the exact text (a hash of it): fetch it when you do not hold this one. */
  digest: string;
  /** The seats taking part in this session. */
  inPlay: SeatId[];
  /** Facilitator only: the injects it may fire (empty for everyone else). */
  injects: ScenarioView['injects'];
}

export type WireView = Omit<GameView, 'scenario'> & { scenario: ScenarioRef };

/** The view a screen renders: the wire view with the scenario's text put back. */
export function composeView(wire: WireView, text: ScenarioText): GameView {
  const { inPlay, injects } = wire.scenario;
  return {
    ...wire,
    scenario: { ...text, seats: text.seats.map((s) => ({ ...s, inPlay: inPlay.includes(s.id) })), injects },
  };
}

/** The view as it goes on the wire: the scenario's text replaced by a reference to it. */
export function wireView(view: GameView, digest: string): WireView {
  const { scenario } = view;
  return {
    ...view,
    scenario: { id: scenario.id, version: scenario.version, digest, inPlay: scenario.seats.filter((s) => s.inPlay).map((s) => s.id), injects: scenario.injects },
  };
}

/** Where the text a reference names is served (immutable: cache it as long as you like). */
export function scenarioTextPath(ref: Pick<ScenarioRef, 'id' | 'version' | 'digest'>): string {
  return `/api/scenarios/${encodeURIComponent(ref.id)}/v/${ref.version}?digest=${ref.digest}`;
}
