import type { Beat, Condition, Effect, MapMark, Scenario, SeatId, Variant, Visibility } from '../scenario/schema.ts';
import { pickWeighted, type PrngState } from '../prng.ts';
import { conditionHolds, effectApplies, relaysThatMet, type Cause, type Choice, type World } from './world.ts';
import { chooseVariant, variantText, type VariantIndex } from './texts.ts';
import type { RelayFact } from './relays.ts';
import { mapList } from '../lists.ts';

export interface Submission {
  move: string;
  /** `also` moves taken beside `move`; absent when none. */
  also?: string[];
  rationale: string;
  locked: boolean;
  /** Event time of the latest revision. */
  at: number;
}

export interface ChoiceRecord extends Choice {
  rationale: string;
  visibility: Visibility;
}

export interface DrawRecord {
  draw: string;
  title: string;
  option: string;
  label: string;
  roll: number;
  weights: Record<string, number>;
}

export interface PlannedChange {
  effect: Effect;
  cause: Cause;
}

/** A line of the resolution narrative, with who may read it. */
export interface NarrativeLine {
  /** The text shown: the base text or the variant chosen against the picture the rules read. */
  text: string;
  variant: VariantIndex;
  cause: Cause;
  visibility: Visibility;
  /** The seat whose move it narrates, for 'actor' visibility. */
  seat?: SeatId;
  marks: MapMark[];
}

/** What a relay decided in a beat: a rule it made fire, or a draw option whose odds it moved. */
export type RelayCredit = { kind: 'rule'; rule: string } | { kind: 'draw'; draw: string; option: string };

/** A relay of the beat, with what it counted for (empty: nothing in this beat read it). */
export interface CountedRelay extends RelayFact {
  countedFor: RelayCredit[];
}

/** What the rule engine proposes for a beat; the facilitator accepts or overrides it. */
export interface Proposal {
  beat: string;
  choices: ChoiceRecord[];
  draws: DrawRecord[];
  changes: PlannedChange[];
  narrative: NarrativeLine[];
  /** The relays sent in the beat's planning, in order. */
  relays: CountedRelay[];
}

/** A text as told in the resolution: the variant that fits the picture, else the base. */
function told(base: string, variants: Variant[], seen: World): { text: string; variant: VariantIndex } {
  const variant = chooseVariant(variants, seen);
  return { text: variantText(base, variants, variant), variant };
}

export function beatById(scenario: Scenario, beatId: string): Beat {
  const beat = scenario.beats.find((b) => b.id === beatId);
  if (!beat) throw new Error(`unknown beat ${beatId}`);
  return beat;
}

/**
 * Settles each acting seat's choice: its latest submission (locked or a draft
 * still open when the beat closed) with the `also` moves it carried, else the
 * beat's default for that seat and nothing beside it. Seats left out of the
 * session make no choice at all.
 */
export function settleChoices(beat: Beat, submissions: Record<SeatId, Submission>, seatsInPlay: SeatId[]): ChoiceRecord[] {
  return mapList(beat.actors.filter((actor) => seatsInPlay.includes(actor.seat)), (actor) => {
    const sub = submissions[actor.seat];
    const moveId = sub && actor.moves.some((m) => m.id === sub.move) ? sub.move : actor.defaultMove;
    const move = actor.moves.find((m) => m.id === moveId) ?? actor.moves[0];
    const record: ChoiceRecord = {
      beat: beat.id,
      seat: actor.seat,
      move: move?.id ?? moveId,
      defaulted: sub === undefined,
      rationale: sub?.rationale ?? '',
      visibility: move?.visibility ?? 'actor',
    };
    // Legality (scenario/also.ts) checked them on submission; a defaulted seat takes nothing beside its default.
    if (sub?.also && sub.move === record.move) record.also = sub.also;
    return record;
  });
}

/** A choice as the conditions read it: `also` only when some were taken, so an old log's world is unchanged. */
export function choiceOf({ beat, seat, move, defaulted, also }: Choice): Choice {
  return also ? { beat, seat, move, defaulted, also } : { beat, seat, move, defaulted };
}

/** The moves a choice puts into play: the main one, then each `also` move, in the order taken. */
export function movesOfChoice(choice: Choice): string[] {
  return choice.also ? [choice.move, ...choice.also] : [choice.move];
}

/** Each relay of this beat, with what it counted for, keyed so a rule or draw option is credited once. */
function relayCredits(relays: readonly RelayFact[]) {
  const credits = new Map<RelayFact, Map<string, RelayCredit>>(relays.map((r) => [r, new Map()]));
  return {
    /** Credits `to` to each relay that helped `c` hold on `world`. */
    credit: (world: World, c: Condition, to: RelayCredit): void => {
      const key = to.kind === 'rule' ? `rule:${to.rule}` : `draw:${to.draw}/${to.option}`;
      for (const r of relaysThatMet(world, c)) credits.get(r)?.set(key, to);
    },
    counted: (): CountedRelay[] => mapList(relays, (r) => ({ ...r, countedFor: [...(credits.get(r)?.values() ?? [])] })),
  };
}

type Credit = ReturnType<typeof relayCredits>['credit'];

/** The beat's draws in order, each weighed on the world with the draws before it. */
function rollDraws(beat: Beat, world: World, rng: PrngState, credit: Credit): { draws: DrawRecord[]; world: World; rng: PrngState } {
  let seen = world;
  let state = rng;
  const draws: DrawRecord[] = [];
  for (const draw of beat.draws) {
    if (draw.when && !conditionHolds(seen, draw.when)) continue;
    const weights = draw.options.map((o) =>
      Math.max(0, o.weight + o.adjust.reduce((sum, a) => sum + (conditionHolds(seen, a.when) ? a.add : 0), 0)),
    );
    for (const o of draw.options) for (const a of o.adjust) credit(seen, a.when, { kind: 'draw', draw: draw.id, option: o.id });
    const [index, roll, next] = pickWeighted(state, weights);
    state = next;
    const option = draw.options[index] ?? draw.options[0];
    if (!option) continue;
    draws.push({
      draw: draw.id,
      title: draw.title,
      option: option.id,
      label: option.label,
      roll,
      weights: Object.fromEntries(draw.options.map((o, i) => [o.id, weights[i] ?? 0])),
    });
    seen = { ...seen, draws: { ...seen.draws, [draw.id]: option.id } };
  }
  return { draws, world: seen, rng: state };
}

/** What the beat's moves, then its rules, then its draws do on the world `seen` (its choices and draws in it). */
function planOutcome(beat: Beat, choices: readonly Choice[], draws: readonly DrawRecord[], seen: World, credit: Credit): { changes: PlannedChange[]; narrative: NarrativeLine[] } {
  const changes: PlannedChange[] = [];
  const narrative: NarrativeLine[] = [];
  for (const choice of choices) {
    const actor = beat.actors.find((a) => a.seat === choice.seat);
    for (const id of movesOfChoice(choice)) {
      const move = actor?.moves.find((m) => m.id === id);
      if (!move) continue;
      const cause: Cause = { kind: 'move', beat: beat.id, seat: choice.seat, move: move.id };
      for (const effect of move.effects) if (effectApplies(seen, effect)) changes.push({ effect, cause });
      // Object.assign onto told's fresh object, not a spread plus new keys (a slow path in Node 20's V8).
      narrative.push(Object.assign(told(move.outcomeText, move.outcomeVariants, seen), { cause, visibility: move.visibility, seat: choice.seat, marks: move.marks }));
    }
  }
  for (const rule of beat.rules) {
    if (!conditionHolds(seen, rule.when)) continue;
    credit(seen, rule.when, { kind: 'rule', rule: rule.id });
    const cause: Cause = { kind: 'rule', beat: beat.id, rule: rule.id };
    for (const effect of rule.effects) if (effectApplies(seen, effect)) changes.push({ effect, cause });
    narrative.push(Object.assign(told(rule.text, rule.textVariants, seen), { cause, visibility: 'public' as const, marks: rule.marks }));
  }
  for (const d of draws) {
    const option = beat.draws.find((x) => x.id === d.draw)?.options.find((o) => o.id === d.option);
    if (!option) continue;
    const cause: Cause = { kind: 'draw', beat: beat.id, draw: d.draw, option: d.option, roll: d.roll };
    for (const effect of option.effects) if (effectApplies(seen, effect)) changes.push({ effect, cause });
    narrative.push(Object.assign(told(option.text, option.textVariants, seen), { cause, visibility: 'public' as const, marks: option.marks }));
  }
  return { changes, narrative };
}

/**
 * The rule engine. Conditions are all read against one picture of the world:
 * the world as it stood when planning closed, plus this beat's choices and
 * draws. Numeric changes are only planned here and applied on acceptance, so
 * the order of effects never changes which rules fire.
 */
export function propose(
  scenario: Scenario,
  beatId: string,
  world: World,
  submissions: Record<SeatId, Submission>,
  rng: PrngState,
  relays: readonly RelayFact[] = [],
): { proposal: Proposal; rng: PrngState; world: World } {
  const beat = beatById(scenario, beatId);
  const choices = settleChoices(beat, submissions, world.seatsInPlay);
  const withChoices: World = {
    ...world,
    choices: [...world.choices, ...mapList(choices, choiceOf)],
    relays: [...world.relays, ...relays],
  };
  const credits = relayCredits(relays);
  const rolled = rollDraws(beat, withChoices, rng, credits.credit);
  const { changes, narrative } = planOutcome(beat, choices, rolled.draws, rolled.world, credits.credit);
  return { proposal: { beat: beat.id, choices, draws: rolled.draws, changes, narrative, relays: credits.counted() }, rng: rolled.rng, world: rolled.world };
}
