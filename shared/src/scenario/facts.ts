import type { Condition, Fact, NextStep, Scenario } from './schema.ts';

/**
 * Declared facts. A scenario names each fact once (`facts:`); an outcome or a
 * ladder rung lists the ids of the facts it asserts. Here the ids become
 * conditions, which the engine then obeys: a `next` step leads to an outcome
 * only while the outcome's facts hold (`stepGuard`), and the ladder stands
 * only on rungs whose facts hold (`settleRung` in game/world.ts).
 */

const byScenario = new WeakMap<Scenario, Map<string, Fact>>();

export function factsById(s: Scenario): Map<string, Fact> {
  let map = byScenario.get(s);
  if (!map) {
    map = new Map(s.facts.map((f) => [f.id, f]));
    byScenario.set(s, map);
  }
  return map;
}

// The ladder asks for a rung's facts at every step of every adjudication: the list a scenario's
// own id array names is looked up once (id arrays are the loaded scenario's and never change).
const namedLists = new WeakMap<Scenario, WeakMap<readonly string[], readonly Fact[]>>();

/** The facts named by `ids`, in order; an unknown id (refused at load) is skipped. */
export function factsNamed(s: Scenario, ids: readonly string[]): readonly Fact[] {
  let lists = namedLists.get(s);
  if (!lists) {
    lists = new WeakMap();
    namedLists.set(s, lists);
  }
  let facts = lists.get(ids);
  if (!facts) {
    const map = factsById(s);
    facts = ids.flatMap((id) => {
      const f = map.get(id);
      return f ? [f] : [];
    });
    lists.set(ids, facts);
  }
  return facts;
}

/** All the named facts as one condition, or undefined when there are none. */
export function factsCondition(s: Scenario, ids: readonly string[]): Condition | undefined {
  const conditions = factsNamed(s, ids).map((f) => f.when);
  if (conditions.length === 0) return undefined;
  return conditions.length === 1 ? conditions[0] : { all: conditions };
}

/** The facts a step's target asserts: an outcome's, none for a beat. */
export function stepFacts(s: Scenario, step: NextStep): readonly Fact[] {
  if (!('outcome' in step)) return [];
  return factsNamed(s, s.outcomes.find((o) => o.id === step.outcome)?.facts ?? []);
}

// A step's guard is asked for at the end of every beat of every game: one object per step, built once
// (and so compiled once by world.ts's conditionHolds).
const guards = new WeakMap<Scenario, WeakMap<NextStep, { guard: Condition | undefined }>>();

/** The whole guard of a `next` step: its own condition and its outcome's facts. */
export function stepGuard(s: Scenario, step: NextStep): Condition | undefined {
  let byStep = guards.get(s);
  if (!byStep) {
    byStep = new WeakMap();
    guards.set(s, byStep);
  }
  let known = byStep.get(step);
  if (!known) {
    known = { guard: buildStepGuard(s, step) };
    byStep.set(step, known);
  }
  return known.guard;
}

function buildStepGuard(s: Scenario, step: NextStep): Condition | undefined {
  const facts = 'outcome' in step ? factsCondition(s, s.outcomes.find((o) => o.id === step.outcome)?.facts ?? []) : undefined;
  if (step.when === undefined) return facts;
  if (facts === undefined) return step.when;
  return { all: [step.when, facts] };
}
