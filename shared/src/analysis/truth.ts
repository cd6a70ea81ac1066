import type { Condition, Scenario, SeatId } from '../scenario/schema.ts';
import { factsNamed } from '../scenario/facts.ts';
import { beatById } from '../game/adjudication.ts';
import type { TurnContext } from '../game/machine.ts';
import { briefingText, outcomeDescription, situationText } from '../game/texts.ts';
import { conditionHolds, initialWorld, type Change, type World } from '../game/world.ts';

/**
 * Is a played game true to what it said? Two checks over a finished (or
 * stopped) game's context:
 * - declared facts: the outcome the rules reached, and every rung the ladder
 *   stood on, assert facts (`facts:` in the scenario) that must hold in the
 *   world they were reached in;
 * - shown texts against claims: every text a viewer was shown (situations,
 *   briefings and menus as a beat opened, the resolution's narrative, the
 *   outcome's description), with the world it was shown in, so that a
 *   caller can test what a text claims (a pattern) against that world.
 * The worlds are rebuilt from the ledger, which records every change, so
 * this reads nothing but the state a session keeps.
 */

export interface TruthViolation {
  kind: 'outcome' | 'rung' | 'claim';
  /** The outcome id, `rung N`, or the claim id. */
  what: string;
  /** The fact or the claim that did not hold, in words, and where. */
  detail: string;
}

/** Flags, measures and the ladder after each batch of changes (one log version), from the ledger. */
function worldsByVersion(start: World, ledger: readonly Change[]): Map<number, World> {
  const worlds = new Map<number, World>();
  let w = start;
  for (const c of ledger) {
    if (c.target.kind === 'ladder') w = { ...w, ladder: c.to };
    else if (c.target.kind === 'measure') {
      const { seat, measure } = c.target;
      w = { ...w, measures: { ...w.measures, [seat]: { ...w.measures[seat], [measure]: c.to } } };
    } else {
      const flag = c.target.flag;
      w = { ...w, flags: c.to === 1 ? [...new Set([...w.flags, flag])].sort() : w.flags.filter((f) => f !== flag) };
    }
    worlds.set(c.version, w);
  }
  return worlds;
}

/** Every rung the ladder stood on (the opening one first), each with the world of that moment. */
export function rungsReached(s: Scenario, ctx: TurnContext): { level: number; world: World; where: string }[] {
  const start = initialWorld(s, ctx.options.seatsInPlay);
  const worlds = worldsByVersion(start, ctx.ledger);
  const reached = [{ level: start.ladder, world: start, where: 'at the start' }];
  for (const c of ctx.ledger) {
    const after = worlds.get(c.version);
    if (c.target.kind === 'ladder' && after) reached.push({ level: c.to, world: after, where: `after event ${c.version}` });
  }
  return reached;
}

/** The declared facts of the game's outcome and of every rung its ladder stood on that do not hold. */
export function declaredFactViolations(s: Scenario, ctx: TurnContext): TruthViolation[] {
  const violations: TruthViolation[] = [];
  const unmet = (ids: readonly string[], world: World) => factsNamed(s, ids).filter((f) => !conditionHolds(world, f.when));
  for (const r of rungsReached(s, ctx))
    for (const f of unmet(s.ladder.rungs[r.level]?.facts ?? [], r.world))
      violations.push({ kind: 'rung', what: `rung ${r.level}`, detail: `${r.where}: “${f.says}” does not hold` });
  if (ctx.outcome?.by === 'rules') {
    for (const f of unmet(s.outcomes.find((o) => o.id === ctx.outcome?.outcome)?.facts ?? [], ctx.world))
      violations.push({ kind: 'outcome', what: ctx.outcome.outcome, detail: `“${f.says}” does not hold` });
  }
  return violations;
}

export interface ShownText {
  beat: string | null;
  kind: 'situation' | 'briefing' | 'menu' | 'narrative' | 'outcome';
  seat: SeatId | null;
  text: string;
  /** The world the text was shown in: as the beat opened, after its resolution, or at the end. */
  world: World;
}

/** Every text the game showed (menus: the prompt, each move's title and description), each with the world it was shown in. */
export function shownTexts(s: Scenario, ctx: TurnContext): ShownText[] {
  const shown: ShownText[] = [];
  const inPlay = ctx.options.seatsInPlay;
  const worlds = worldsByVersion(initialWorld(s, inPlay), ctx.ledger);
  for (const cp of ctx.checkpoints) {
    const beat = beatById(s, cp.beat);
    shown.push({ beat: beat.id, kind: 'situation', seat: null, text: situationText(beat, cp.texts), world: cp.world });
    for (const seat of Object.keys(beat.briefings).filter((x) => inPlay.includes(x))) {
      const text = briefingText(beat, seat, cp.texts);
      if (text !== null) shown.push({ beat: beat.id, kind: 'briefing', seat, text, world: cp.world });
    }
    for (const actor of beat.actors.filter((a) => inPlay.includes(a.seat))) {
      shown.push({ beat: beat.id, kind: 'menu', seat: actor.seat, text: actor.prompt, world: cp.world });
      for (const m of actor.moves) shown.push({ beat: beat.id, kind: 'menu', seat: actor.seat, text: `${m.title}. ${m.description}`, world: cp.world });
    }
  }
  ctx.resolutions.forEach((r, i) => {
    const world = afterResolution(ctx, worlds, i);
    for (const n of r.narrative) shown.push({ beat: r.beat, kind: 'narrative', seat: n.seat ?? null, text: n.text, world });
  });
  if (ctx.outcome) shown.push({ beat: null, kind: 'outcome', seat: null, text: outcomeDescription(s, ctx.outcome.outcome, ctx.outcome.variant), world: ctx.world });
  return shown;
}

/** The world right after the i-th resolution: its changes applied, its choices and draws made. */
function afterResolution(ctx: TurnContext, worlds: Map<number, World>, i: number): World {
  const upTo = ctx.resolutions.slice(0, i + 1);
  const version = Math.max(0, ...ctx.ledger.filter((c) => c.version <= (upTo.at(-1)?.version ?? 0)).map((c) => c.version));
  const numbers = worlds.get(version) ?? ctx.checkpoints[0]?.world ?? ctx.world;
  return {
    ...numbers,
    seatsInPlay: ctx.world.seatsInPlay,
    choices: upTo.flatMap((r) => r.choices.map(({ beat, seat, move, defaulted }) => ({ beat, seat, move, defaulted }))),
    draws: Object.fromEntries(upTo.flatMap((r) => r.draws.map((d) => [d.draw, d.option]))),
  };
}

/**
 * What a text claims, as a pattern, and the condition under which the claim
 * is true. A shown text that matches the pattern in a world where the
 * condition does not hold is a false statement.
 */
export interface Claim {
  id: string;
  /** The claim in words. */
  says: string;
  pattern: RegExp;
  /** Only these kinds of text (default: all). */
  kinds?: readonly ShownText['kind'][];
  requires: Condition;
}

export function claimViolations(shown: readonly ShownText[], claims: readonly Claim[]): TruthViolation[] {
  const violations: TruthViolation[] = [];
  for (const t of shown)
    for (const c of claims) {
      if (c.kinds && !c.kinds.includes(t.kind)) continue;
      if (!c.pattern.test(t.text) || conditionHolds(t.world, c.requires)) continue;
      violations.push({
        kind: 'claim',
        what: c.id,
        detail: `${t.kind}${t.seat ? ` for ${t.seat}` : ''}${t.beat ? ` in ${t.beat}` : ''} says ${c.says}, which is false: “${t.text.slice(0, 140)}”`,
      });
    }
  return violations;
}
