import { getShortestPaths, getAdjacencyMap } from 'xstate/graph';
import type { Beat, Condition, Move, Scenario } from '../src/scenario/schema.ts';
import { applyEffects, conditionHolds, effectApplies, type World } from '../src/game/world.ts';
import { actingSeatsInPlay, createTurnMachine, type TurnEvent, type TurnInput, type TurnMachine } from '../src/game/machine.ts';
import type { TurnSnapshot } from '../src/game/game.ts';
import { beatById } from '../src/game/adjudication.ts';
import type { Actor } from '../src/game/commands.ts';
import { stepGuard } from '../src/scenario/facts.ts';

const facilitator: Actor = { kind: 'facilitator' };
const system: Actor = { kind: 'system' };

function uniqueAtoms(conditions: (Condition | undefined)[]): Condition[] {
  const out = new Map<string, Condition>();
  const walk = (c: Condition | undefined): void => {
    if (!c) return;
    if ('all' in c) c.all.forEach(walk);
    else if ('any' in c) c.any.forEach(walk);
    else if ('not' in c) walk(c.not);
    else out.set(JSON.stringify(c), c);
  };
  conditions.forEach(walk);
  return [...out.values()];
}

/**
 * The conditions that pick where a beat leads. Rules, draw odds and
 * conditional effects also read the world, but they only move numbers and
 * flags that these guards then read; walking every move they tell apart made
 * the walk explode once most moves matter (the sensitivity report measures
 * those), so the walk keys on the guards and lets the engine apply the rest.
 */
function beatConditions(scenario: Scenario, beat: Beat): (Condition | undefined)[] {
  // A step's guard includes the facts its outcome asserts (facts.ts).
  return [...beat.next.map((n) => stepGuard(scenario, n)), ...beat.draws.map((d) => d.when)];
}

interface Relevance {
  /** Atomic conditions read in this beat or any beat reachable from it. */
  atoms: Condition[];
  /** Per acting seat, the moves worth trying: the default and every move some of those conditions can tell apart. */
  moves: Map<string, string[]>;
}

/**
 * What can still matter from each beat on. Two states in the same beat that
 * agree on these atoms have the same futures as far as the guards can tell,
 * which is what keeps the walk finite and small.
 */
function relevance(scenario: Scenario): Map<string, Relevance> {
  const reach = (from: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(from)) return seen;
    seen.add(from);
    for (const n of beatById(scenario, from).next) if ('beat' in n) reach(n.beat, seen);
    return seen;
  };
  return new Map(
    scenario.beats.map((b) => {
      const ahead = [...reach(b.id)].map((id) => beatById(scenario, id));
      const guardAtoms = uniqueAtoms(ahead.flatMap((x) => beatConditions(scenario, x)));
      // A rule that sets a flag a guard reads (talks that open, a warning that lands) decides the branch too.
      const guardFlags = new Set(guardAtoms.flatMap((c) => ('flag' in c ? [c.flag] : [])));
      const deciding = ahead.flatMap((x) => x.rules.filter((r) => r.effects.some((e) => e.kind === 'flag' && guardFlags.has(e.flag))));
      const atoms = uniqueAtoms([...guardAtoms, ...deciding.map((r) => r.when)]);
      const chosen = new Set(atoms.flatMap((c) => ('chose' in c ? [`${c.chose.seat}/${c.chose.move}`] : [])));
      const flags = new Set(atoms.flatMap((c) => ('flag' in c ? [c.flag] : [])));
      const readsLadder = atoms.some((c) => 'ladder' in c);
      // Moves that only nudge numbers, or set flags no guard reads, are left to
      // the property tests: trying all of them multiplies this walk (measured:
      // 10k states → 220k). A move that sets a flag a guard reads (a strike the
      // outcomes' facts ask about), or steps a ladder a guard reads, is tried.
      const matters = (seat: string, m: Move) =>
        chosen.has(`${seat}/${m.id}`) ||
        m.effects.some((e) => (e.kind === 'flag' && flags.has(e.flag)) || (e.kind === 'ladder' && readsLadder));
      const moves = new Map(
        b.actors.map((a) => [a.seat, a.moves.filter((m) => m.id === a.defaultMove || matters(a.seat, m)).map((m) => m.id)]),
      );
      return [b.id, { atoms, moves }];
    }),
  );
}

/**
 * The events a model walk tries in each state: the facilitator's flow events
 * and, during planning, every move of each acting seat that a condition of
 * this beat or a later one names, plus the seat's default. Seats submit
 * in a fixed order (a canonical interleaving), which keeps the graph small
 * without losing a combination.
 */
export function modelEvents(scenario: Scenario) {
  const relevant = relevance(scenario);
  return (snapshot: TurnSnapshot): TurnEvent[] => {
    const ctx = snapshot.context;
    const stamp = { seq: 1, at: 0 };
    if (snapshot.status === 'done') return [];
    if (snapshot.matches('lobby')) return [{ type: 'START', by: facilitator, ...stamp }];
    if (snapshot.matches('outcome') || snapshot.matches('briefing')) return [{ type: 'ADVANCE', by: facilitator, ...stamp }];
    const value = JSON.stringify(snapshot.value);
    if (value.includes('"adjudication"')) return [{ type: 'ACCEPT_ADJUDICATION', by: facilitator, ...stamp }];
    if (value.includes('"resolution"')) return [{ type: 'ADVANCE', by: facilitator, ...stamp }];
    const moves = relevant.get(ctx.beat ?? '')?.moves ?? new Map<string, string[]>();
    const next = actingSeatsInPlay(scenario, ctx).find((s) => (moves.get(s)?.length ?? 0) > 1 && !ctx.submissions[s]?.locked);
    if (next) {
      return (moves.get(next) ?? []).map(
        (move): TurnEvent => ({ type: 'SUBMIT_MOVE', move, rationale: '', lock: true, by: { kind: 'seat', seat: next }, ...stamp }),
      );
    }
    // Every pivotal seat has chosen: the clock closes the beat.
    return ctx.timer && ctx.timer.deadline !== null
      ? [{ type: 'TIMER_EXPIRED', timerVersion: ctx.timer.setAtVersion, by: system, seq: 1, at: ctx.timer.deadline }]
      : [{ type: 'ADVANCE', by: facilitator, ...stamp }];
  };
}

/**
 * States that agree on the phase, the beat, who has locked in and the truth of
 * every condition the scenario can ask about behave alike for the guards, so
 * the walk treats them as one. During planning the conditions are read on the
 * world as it would be if the submitted moves were adjudicated now, so two
 * different but equivalent combinations of choices merge early.
 */
export function modelKey(scenario: Scenario) {
  const relevant = relevance(scenario);
  const truth = (beat: string | null, world: World) =>
    (relevant.get(beat ?? '')?.atoms ?? []).map((c) => (conditionHolds(world, c) ? 1 : 0)).join('');
  return (snapshot: TurnSnapshot): string => {
    const ctx = snapshot.context;
    let world = ctx.world;
    const locked = Object.entries(ctx.submissions)
      .filter(([, x]) => x.locked)
      .map(([seat]) => seat)
      .sort();
    if (ctx.beat && locked.length > 0 && JSON.stringify(snapshot.value).includes('planning')) {
      const beat = beatById(scenario, ctx.beat);
      const chosen = beat.actors.flatMap((a) => {
        const move = a.moves.find((m) => m.id === ctx.submissions[a.seat]?.move);
        return move ? [{ seat: a.seat, move }] : [];
      });
      const withChoices: World = {
        ...world,
        choices: [...world.choices, ...chosen.map((c) => ({ beat: beat.id, seat: c.seat, move: c.move.id, defaulted: false }))],
      };
      world = applyEffects(
        scenario,
        withChoices,
        chosen.flatMap((c) =>
          c.move.effects
            .filter((e) => effectApplies(withChoices, e))
            .map((effect) => ({ effect, cause: { kind: 'move' as const, beat: beat.id, seat: c.seat, move: c.move.id } })),
        ),
        0,
      ).world;
    }
    if (ctx.proposal) {
      const p = ctx.proposal;
      world = applyEffects(
        scenario,
        {
          ...world,
          choices: [...world.choices, ...p.choices.map(({ beat, seat, move, defaulted }) => ({ beat, seat, move, defaulted }))],
          draws: { ...world.draws, ...Object.fromEntries(p.draws.map((d) => [d.draw, d.option])) },
        },
        p.changes,
        0,
      ).world;
    }
    return JSON.stringify([snapshot.value, ctx.beat, ctx.outcome?.outcome ?? null, locked, truth(ctx.outcome ? null : ctx.beat, world)]);
  };
}

export interface ModelWalk {
  machine: TurnMachine;
  states: TurnSnapshot[];
  paths: ReturnType<typeof getShortestPaths<TurnMachine>>;
}

export function walkModel(scenario: Scenario, input: Omit<TurnInput, 'scenario'>, limit = 500_000): ModelWalk {
  const machine = createTurnMachine(scenario);
  const options = {
    input: { scenario, ...input },
    events: modelEvents(scenario),
    serializeState: modelKey(scenario),
    limit,
  };
  const adjacency = getAdjacencyMap(machine, options);
  const states = Object.values(adjacency).map((a) => a.state);
  const paths = getShortestPaths(machine, options);
  return { machine, states, paths };
}
