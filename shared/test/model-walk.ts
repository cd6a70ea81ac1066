import { getShortestPaths, getAdjacencyMap } from 'xstate/graph';
import type { Condition, Scenario } from '../src/scenario/schema.ts';
import { applyEffects, conditionHolds, effectApplies, type World } from '../src/game/world.ts';
import { actingSeatsInPlay, createTurnMachine, type TurnEvent, type TurnInput, type TurnMachine } from '../src/game/machine.ts';
import type { TurnSnapshot } from '../src/game/game.ts';
import { beatById } from '../src/game/adjudication.ts';
import type { Actor } from '../src/game/commands.ts';

const facilitator: Actor = { kind: 'facilitator' };
const system: Actor = { kind: 'system' };

/** Every atomic condition the scenario's data mentions. */
function atoms(scenario: Scenario): Condition[] {
  const out: Condition[] = [];
  const walk = (c: Condition | undefined): void => {
    if (!c) return;
    if ('all' in c) c.all.forEach(walk);
    else if ('any' in c) c.any.forEach(walk);
    else if ('not' in c) walk(c.not);
    else out.push(c);
  };
  for (const b of scenario.beats) {
    b.next.forEach((n) => walk(n.when));
    b.rules.forEach((r) => walk(r.when));
    b.draws.forEach((d) => {
      walk(d.when);
      d.options.forEach((o) => o.adjust.forEach((a) => walk(a.when)));
    });
    b.actors.forEach((a) => a.moves.forEach((m) => m.effects.forEach((e) => walk(e.when))));
  }
  scenario.channels.forEach((c) => walk(c.opensWhen));
  const seen = new Set<string>();
  return out.filter((c) => {
    const k = JSON.stringify(c);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The events a model walk tries in each state: the facilitator's flow events
 * and, during planning, each acting seat's moves. Seats submit in a fixed
 * order (a canonical interleaving), which keeps the graph small without losing
 * any combination of choices.
 */
export function modelEvents(scenario: Scenario) {
  return (snapshot: TurnSnapshot): TurnEvent[] => {
    const ctx = snapshot.context;
    const stamp = { seq: 1, at: 0 };
    if (snapshot.status === 'done') return [];
    if (snapshot.matches('lobby')) return [{ type: 'START', by: facilitator, ...stamp }];
    if (snapshot.matches('outcome') || snapshot.matches('briefing')) return [{ type: 'ADVANCE', by: facilitator, ...stamp }];
    const value = JSON.stringify(snapshot.value);
    if (value.includes('"adjudication"')) return [{ type: 'ACCEPT_ADJUDICATION', by: facilitator, ...stamp }];
    if (value.includes('"resolution"')) return [{ type: 'ADVANCE', by: facilitator, ...stamp }];
    // Planning: the next seat (in order) that has not locked in chooses; or the timer runs out.
    const events: TurnEvent[] = [];
    if (ctx.timer && ctx.timer.deadline !== null)
      events.push({ type: 'TIMER_EXPIRED', timerVersion: ctx.timer.setAtVersion, by: system, seq: 1, at: ctx.timer.deadline });
    const next = actingSeatsInPlay(scenario, ctx).find((s) => !ctx.submissions[s]?.locked);
    if (next && ctx.beat) {
      const actor = beatById(scenario, ctx.beat).actors.find((a) => a.seat === next);
      for (const m of actor?.moves ?? [])
        events.push({ type: 'SUBMIT_MOVE', move: m.id, rationale: '', lock: true, by: { kind: 'seat', seat: next }, ...stamp });
    }
    return events;
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
  const conds = atoms(scenario);
  const truth = (world: World) => conds.map((c) => (conditionHolds(world, c) ? 1 : 0)).join('');
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
    return JSON.stringify([snapshot.value, ctx.beat, ctx.outcome?.outcome ?? null, locked, truth(world)]);
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
