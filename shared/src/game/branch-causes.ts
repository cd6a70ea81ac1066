import type { Condition, NextStep, RelayedQuery, Scenario } from '../scenario/schema.ts';
import { stepFacts, stepGuard } from '../scenario/facts.ts';
import { possessive, seatInSentence } from '../scenario/in-sentence.ts';
import { relayMatches } from './relays.ts';
import { beatById } from './adjudication.ts';
import { nextStepIndex, type TurnContext } from './machine.ts';
import { conditionHolds, measureValue, type Cause, type Change, type World } from './world.ts';

/** Where a beat led. */
export interface BranchTarget {
  kind: 'beat' | 'outcome';
  id: string;
  title: string;
}

/**
 * Why the game went where it did after one beat: the `next` step whose
 * condition held (the machine's own choice, recomputed from the world it
 * saw) with the facts that made it hold, and the earlier steps passed over
 * with the facts that kept them shut.
 */
export interface BranchCause {
  beat: string;
  beatTitle: string;
  to: BranchTarget;
  /** Facts that made the chosen step's condition hold; empty for the fallback step, which has none. */
  because: string[];
  /** True when the step was the beat's unconditional last step: nothing earlier applied. */
  fallback: boolean;
  passedOver: { to: BranchTarget; unmet: string[] }[];
  /** Set when the white cell ended the game here instead of the rules. */
  endedBy: { reason: string | null } | null;
}

/**
 * The causes of the path a session took, one per beat left. A pure function
 * of the scenario and the turn context: the world each branch was decided on
 * is the checkpoint the next beat opened with, or the final world for the
 * beat that led to the outcome.
 */
export function branchCauses(s: Scenario, ctx: TurnContext): BranchCause[] {
  const causes: BranchCause[] = [];
  ctx.path.forEach((beatId, i) => {
    const resolved = ctx.resolutions.some((r) => r.beat === beatId && r.beatIndex === i + 1);
    const next = ctx.checkpoints[i + 1];
    const last = i === ctx.path.length - 1;
    if (last && ctx.outcome?.by === 'facilitator') {
      causes.push({
        beat: beatId,
        beatTitle: beatById(s, beatId).title,
        to: target(s, { outcome: ctx.outcome.outcome }),
        because: [],
        fallback: false,
        passedOver: [],
        endedBy: { reason: ctx.outcome.reason },
      });
      return;
    }
    if (!resolved) return;
    if (next) causes.push(explainBranch(s, beatId, next.world, ctx.ledger.slice(0, next.ledgerLength)));
    else if (last && ctx.outcome) causes.push(explainBranch(s, beatId, ctx.world, ctx.ledger));
  });
  return causes;
}

function target(s: Scenario, step: { beat: string } | { outcome: string }): BranchTarget {
  if ('beat' in step) return { kind: 'beat', id: step.beat, title: s.beats.find((b) => b.id === step.beat)?.title ?? step.beat };
  return { kind: 'outcome', id: step.outcome, title: s.outcomes.find((o) => o.id === step.outcome)?.title ?? step.outcome };
}

export function explainBranch(s: Scenario, beatId: string, world: World, ledger: readonly Change[]): BranchCause {
  const beat = beatById(s, beatId);
  const chosen = nextStepIndex(s, beatId, world);
  const step = beat.next[chosen]!;
  const facts = (c: Condition) => describe(s, world, ledger, c);
  // An outcome's declared facts are part of its step's guard: say them as the outcome states them.
  const unmet = (n: NextStep) => {
    if (n.when && !conditionHolds(world, n.when)) return facts(n.when);
    return stepFacts(s, n).flatMap((f) => (conditionHolds(world, f.when) ? [] : [`the outcome asserts ${quote(f.says)}, which was not the case`]));
  };
  return {
    beat: beatId,
    beatTitle: beat.title,
    to: target(s, step),
    because: [...(step.when ? facts(step.when) : []), ...stepFacts(s, step).map((f) => f.says)],
    fallback: stepGuard(s, step) === undefined,
    passedOver: beat.next.slice(0, chosen).map((n) => ({ to: target(s, n), unmet: unmet(n) })),
    endedBy: null,
  };
}

const quote = (text: string) => `“${text}”`;

/** A seat as these sentences name it ("the United States chose…"). */
function seatName(s: Scenario, seat: string): string {
  const found = s.seats.find((x) => x.id === seat);
  return found ? seatInSentence(found) : seat;
}

function humanize(slug: string): string {
  return slug.replace(/-/g, ' ');
}

/** Who or what made a change, in words. */
export function describeCause(s: Scenario, cause: Cause): string {
  switch (cause.kind) {
    case 'move': {
      const move = beatById(s, cause.beat).actors.find((a) => a.seat === cause.seat)?.moves.find((m) => m.id === cause.move);
      return `${possessive(seatName(s, cause.seat))} move ${quote(move?.title ?? cause.move)}`;
    }
    case 'rule':
      return beatById(s, cause.beat).rules.find((r) => r.id === cause.rule)?.description ?? `the rule ${cause.rule}`;
    case 'draw': {
      const draw = beatById(s, cause.beat).draws.find((d) => d.id === cause.draw);
      return `the draw ${quote(draw?.title ?? cause.draw)} (${draw?.options.find((o) => o.id === cause.option)?.label ?? cause.option})`;
    }
    case 'inject':
      return `the inject ${quote(s.injects.find((i) => i.id === cause.inject)?.title ?? cause.inject)}`;
    case 'override':
      return `the white cell’s ruling (${cause.reason})`;
  }
}

function range(r: { gte?: number | undefined; lte?: number | undefined }): string {
  if (r.gte !== undefined && r.lte !== undefined) return `between ${r.gte} and ${r.lte}`;
  return r.gte !== undefined ? `at least ${r.gte}` : `at most ${r.lte ?? 0}`;
}

/** A relay condition in words: the relay that met it, or what was asked for and never carried. */
function describeRelayed(s: Scenario, world: World, q: RelayedQuery): string {
  const name = (seat: string) => seatName(s, seat);
  const beatTitle = (id: string) => s.beats.find((b) => b.id === id)?.title ?? id;
  const relay = world.relays.find((r) => relayMatches(r, q));
  if (relay)
    return `${name(relay.by)} passed a message from ${name(relay.from)} on to ${relay.to.map(name).join(' and ')} in ${quote(beatTitle(relay.beat))}`;
  const what = `a message from ${q.from ? name(q.from) : 'either side'}`;
  const where = q.beat ? ` in ${quote(beatTitle(q.beat))}` : '';
  return `no one passed ${what} on${q.to ? ` to ${name(q.to)}` : ''}${where}`;
}

/**
 * True statements about the world that decide a condition: for a condition
 * that holds, what made it hold; for one that does not, what kept it shut.
 */
function describe(s: Scenario, world: World, ledger: readonly Change[], c: Condition): string[] {
  const holds = conditionHolds(world, c);
  const rec = (x: Condition) => describe(s, world, ledger, x);
  if ('all' in c) return (holds ? c.all : c.all.filter((x) => !conditionHolds(world, x))).flatMap(rec);
  if ('any' in c) return (holds ? c.any.filter((x) => conditionHolds(world, x)) : c.any).flatMap(rec);
  if ('not' in c) return rec(c.not);
  if ('chose' in c) {
    const { seat, move } = c.chose;
    const made = world.choices.find((x) => x.seat === seat && x.move === move);
    const title = s.beats.flatMap((b) => b.actors.filter((a) => a.seat === seat).flatMap((a) => a.moves)).find((m) => m.id === move)?.title ?? move;
    if (!made) return [`${seatName(s, seat)} did not choose ${quote(title)}`];
    const when = s.beats.find((b) => b.id === made.beat)?.title ?? made.beat;
    return [`${seatName(s, seat)} chose ${quote(title)} in ${quote(when)}${made.defaulted ? ' (by default: the team did not decide in time)' : ''}`];
  }
  if ('ladder' in c) {
    const rung = s.ladder.rungs[world.ladder];
    return [`the escalation ladder stood at rung ${world.ladder}${rung ? `, ${quote(rung.name)}` : ''} (the step asks for ${range(c.ladder)})`];
  }
  if ('measure' in c) {
    const { seat, measure } = c.measure;
    const label = s.measures.find((m) => m.id === measure)?.label ?? measure;
    return [`${possessive(seatName(s, seat))} ${label.toLowerCase()} was ${measureValue(world, seat, measure)} (the step asks for ${range(c.measure)})`];
  }
  if ('drew' in c) {
    const draw = s.beats.flatMap((b) => b.draws).find((d) => d.id === c.drew.draw);
    const got = world.draws[c.drew.draw];
    if (got === undefined) return [`the draw ${quote(draw?.title ?? c.drew.draw)} was never made`];
    return [`the draw ${quote(draw?.title ?? c.drew.draw)} came up ${quote(draw?.options.find((o) => o.id === got)?.label ?? got)}`];
  }
  if ('relayed' in c) return [describeRelayed(s, world, c.relayed)];
  if ('flag' in c) {
    if (!holds) return [`${quote(humanize(c.flag))} was not the case`];
    const setBy = [...ledger].reverse().find((x) => x.target.kind === 'flag' && x.target.flag === c.flag && x.to === 1);
    return [`${quote(humanize(c.flag))} was the case${setBy ? `, because of ${describeCause(s, setBy.cause)}` : ' from the start'}`];
  }
  return [`${seatName(s, c.seatInPlay)} was ${holds ? '' : 'not '}in play`];
}
