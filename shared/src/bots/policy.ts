import type { BotView } from '../game/bot-view.ts';
import type { BotDecision, BotInput, Persona } from './types.ts';
import { composeMessages, fill, pickOne } from './messages.ts';
import { mapList } from '../lists.ts';

/**
 * The generic policy every persona shares. A move's place on the menu's own
 * escalation scale (its rank among the menu's published scores, 0 = the most
 * restrained option, 1 = the most escalatory) is compared with where the
 * persona stands this beat; nearer moves are likelier, and the persona's
 * favourite moves likelier still. Nothing here names a scenario.
 */

/** How sharply a persona prefers moves near its stance (higher: more predictable). */
const SHARPNESS = 7;
/** A rival's move at or above this score counts fully as a provocation (Rivera et al.: "violent" is 28). */
const PROVOCATION_FULL = 28;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** What the seat saw its rivals do in the last resolved beat, 0 (nothing) to 1.5 (beyond violence). */
export function provocation(persona: Persona, input: BotInput): number {
  const last = input.view.resolutions.at(-1);
  if (!last) return 0;
  let worst = 0;
  for (const c of last.choices) {
    if (!persona.rivals.includes(c.seat)) continue;
    const score = input.escalationOf(c.move);
    if (score !== null) worst = Math.max(worst, score);
  }
  return clamp(worst / PROVOCATION_FULL, 0, 1.5);
}

/** Messages from other seats (or the white cell) received since the last beat resolved, 0 to 1. */
export function diplomacy(persona: Persona, input: BotInput): number {
  // By time: a message's number is the reader's own (viewer-stream.ts), a resolution's is a game version.
  const since = input.view.resolutions.at(-1)?.at ?? 0;
  const received = input.messages.filter((m) => m.at > since && m.from !== persona.seat && m.channel !== 'public').length;
  return Math.min(received, 3) / 3;
}

export function effectiveStance(persona: Persona, input: BotInput): number {
  return clamp(persona.stance + persona.reactivity * provocation(persona, input) - persona.receptiveness * diplomacy(persona, input), -1, 1);
}

// Ranks depend only on the menu's moves and the scenario's scale, and a game asks for the same menus again and again.
const rankCache = new WeakMap<BotInput['escalationOf'], Map<string, ReadonlyMap<string, number>>>();

/** Each menu move's rank on the menu's escalation scale, from 0 to 1; 0.5 when the scenario does not classify it. */
// Views built in this process share one menu object per beat and seat (view.ts): found by identity, no key to build.
const ranksByMenu = new WeakMap<object, { escalationOf: BotInput['escalationOf']; ranks: ReadonlyMap<string, number> }>();

export function menuRanks(menu: NonNullable<BotView['menu']>, escalationOf: BotInput['escalationOf']): ReadonlyMap<string, number> {
  const known = ranksByMenu.get(menu.moves);
  if (known?.escalationOf === escalationOf) return known.ranks;
  const ranks = ranksByKey(menu, escalationOf);
  ranksByMenu.set(menu.moves, { escalationOf, ranks });
  return ranks;
}

function ranksByKey(menu: NonNullable<BotView['menu']>, escalationOf: BotInput['escalationOf']): ReadonlyMap<string, number> {
  let byMenu = rankCache.get(escalationOf);
  if (!byMenu) {
    byMenu = new Map();
    rankCache.set(escalationOf, byMenu);
  }
  const key = menu.moves.map((m) => m.id).join(' ');
  let ranks = byMenu.get(key);
  if (!ranks) {
    ranks = computeRanks(menu, escalationOf);
    byMenu.set(key, ranks);
  }
  return ranks;
}

function computeRanks(menu: NonNullable<BotView['menu']>, escalationOf: BotInput['escalationOf']): Map<string, number> {
  const scores = new Map(menu.moves.map((m) => [m.id, escalationOf(m.id)]));
  const distinct = [...new Set([...scores.values()].filter((s): s is number => s !== null))].sort((a, b) => a - b);
  const ranks = new Map<string, number>();
  for (const [id, s] of scores) {
    const r = s === null || distinct.length < 2 ? 0.5 : distinct.indexOf(s) / (distinct.length - 1);
    ranks.set(id, r);
  }
  return ranks;
}

/** The weight of each menu move for this persona at this stance (exposed for tests and the sweep). */
export function moveWeights(persona: Persona, input: BotInput, stance: number): { id: string; weight: number; rank: number }[] {
  const menu = input.view.menu;
  if (!menu) return [];
  const ranks = menuRanks(menu, input.escalationOf);
  const target = (stance + 1) / 2;
  return mapList(menu.moves, (m) => {
    const rank = ranks.get(m.id) ?? 0.5;
    return { id: m.id, rank, weight: Math.exp(-SHARPNESS * (rank - target) ** 2) * (persona.favours[m.id] ?? 1) };
  });
}

function pickWeightedIndex(weights: readonly number[], random: () => number): number {
  const total = weights.reduce((a, w) => a + w, 0);
  let target = random() * total;
  for (let i = 0; i < weights.length; i++) {
    target -= weights[i] ?? 0;
    if (target < 0) return i;
  }
  return weights.length - 1;
}

/**
 * The persona's decision for the seat's current beat: a legal move (always
 * from the view's own menu), a rationale in character and the messages it
 * sends. Null when the seat has nothing to decide.
 */
export function decide(persona: Persona, input: BotInput): BotDecision | null {
  const { view } = input;
  const menu = view.menu;
  if (!menu || view.phase !== 'planning' || menu.moves.length === 0) return null;
  const stance = effectiveStance(persona, input);
  const weighted = moveWeights(persona, input, stance);
  // Built by a loop, not `map`: this literal's arrays then have one elements kind (doubles) from the first games on.
  const weights: number[] = [];
  for (const w of weighted) weights.push(w.weight);
  const chosen = weighted[pickWeightedIndex(weights, input.random)] ?? weighted[0];
  const move = menu.moves.find((m) => m.id === chosen?.id) ?? menu.moves[0];
  if (!move || !chosen) return null;
  const lines = chosen.rank < 0.34 ? persona.voice.restrain : chosen.rank > 0.66 ? persona.voice.escalate : persona.voice.hold;
  const opening = fill(pickOne(lines, input.random), view, persona, { move: move.title });
  return {
    move: move.id,
    rationale: `${opening} ${move.description}`.trim(),
    messages: composeMessages(persona, input, stance),
  };
}
