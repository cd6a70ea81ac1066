import { Scenario, type Condition, type Effect, type ScenarioInput } from './schema.ts';

export class ScenarioError extends Error {
  constructor(
    readonly scenarioId: string,
    readonly problems: string[],
  ) {
    super(`scenario ${scenarioId} is invalid:\n- ${problems.join('\n- ')}`);
    this.name = 'ScenarioError';
  }
}

/**
 * Parses and cross-checks a scenario. The zod schema checks shapes; this also
 * checks what shapes cannot: references resolve, defaults are real moves, the
 * beat graph has no cycle (so every game finishes) and every beat is reachable.
 */
export function loadScenario(input: ScenarioInput | unknown): Scenario {
  const parsed = Scenario.safeParse(input);
  const id = typeof input === 'object' && input !== null && 'id' in input ? String(input.id) : '(unknown)';
  if (!parsed.success) {
    throw new ScenarioError(
      id,
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    );
  }
  const scenario = parsed.data;
  const problems = crossCheck(scenario);
  if (problems.length > 0) throw new ScenarioError(scenario.id, problems);
  return scenario;
}

function duplicates(ids: string[]): string[] {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) dups.add(id);
    seen.add(id);
  }
  return [...dups];
}

function crossCheck(s: Scenario): string[] {
  const problems: string[] = [];
  const seats = new Set(s.seats.map((x) => x.id));
  const measures = new Set(s.measures.map((m) => m.id));
  const beats = new Map(s.beats.map((b) => [b.id, b]));
  const outcomes = new Set(s.outcomes.map((o) => o.id));
  const movesBySeat = new Map<string, Set<string>>();
  const draws = new Map<string, Set<string>>();

  for (const [what, ids] of [
    ['seat', s.seats.map((x) => x.id)],
    ['measure', s.measures.map((x) => x.id)],
    ['beat', s.beats.map((x) => x.id)],
    ['outcome', s.outcomes.map((x) => x.id)],
    ['inject', s.injects.map((x) => x.id)],
    ['channel', s.channels.map((x) => x.id)],
    ['move', s.beats.flatMap((b) => b.actors.flatMap((a) => a.moves.map((m) => m.id)))],
    ['draw', s.beats.flatMap((b) => b.draws.map((d) => d.id))],
  ] as const) {
    for (const d of duplicates([...ids])) problems.push(`duplicate ${what} id "${d}"`);
  }

  for (const b of s.beats) {
    for (const a of b.actors) {
      const set = movesBySeat.get(a.seat) ?? new Set<string>();
      for (const m of a.moves) set.add(m.id);
      movesBySeat.set(a.seat, set);
    }
    for (const d of b.draws) draws.set(d.id, new Set(d.options.map((o) => o.id)));
  }

  const seatRef = (where: string, seat: string) => {
    if (!seats.has(seat)) problems.push(`${where}: unknown seat "${seat}"`);
  };
  const measureRef = (where: string, measure: string) => {
    if (!measures.has(measure)) problems.push(`${where}: unknown measure "${measure}"`);
  };
  const checkCondition = (where: string, c: Condition): void => {
    if ('all' in c) c.all.forEach((x) => checkCondition(where, x));
    else if ('any' in c) c.any.forEach((x) => checkCondition(where, x));
    else if ('not' in c) checkCondition(where, c.not);
    else if ('chose' in c) {
      seatRef(where, c.chose.seat);
      if (!movesBySeat.get(c.chose.seat)?.has(c.chose.move))
        problems.push(`${where}: seat "${c.chose.seat}" has no move "${c.chose.move}"`);
    } else if ('measure' in c) {
      seatRef(where, c.measure.seat);
      measureRef(where, c.measure.measure);
    } else if ('drew' in c) {
      if (!draws.get(c.drew.draw)?.has(c.drew.option))
        problems.push(`${where}: no draw option "${c.drew.draw}/${c.drew.option}"`);
    } else if ('seatInPlay' in c) seatRef(where, c.seatInPlay);
  };
  const checkEffects = (where: string, effects: Effect[]) => {
    for (const e of effects) {
      if (e.kind === 'measure') {
        seatRef(where, e.seat);
        measureRef(where, e.measure);
      }
      if (e.when) checkCondition(where, e.when);
    }
  };

  for (const seat of s.seats) {
    for (const m of Object.keys(seat.initial)) measureRef(`seat ${seat.id}`, m);
  }
  for (const m of s.measures) {
    if (m.min > m.max) problems.push(`measure ${m.id}: min above max`);
  }
  const levels = s.ladder.rungs.map((r) => r.level);
  levels.forEach((level, i) => {
    if (level !== i) problems.push(`ladder rung ${i} has level ${level}: levels must count 0,1,2,…`);
  });
  if (s.ladder.initial >= s.ladder.rungs.length) problems.push('ladder.initial is above the top rung');

  if (!beats.has(s.startBeat)) problems.push(`startBeat "${s.startBeat}" is not a beat`);
  if (!outcomes.has(s.historicalOutcome)) problems.push(`historicalOutcome "${s.historicalOutcome}" is not an outcome`);

  for (const b of s.beats) {
    const where = `beat ${b.id}`;
    for (const a of b.actors) {
      seatRef(where, a.seat);
      if (!a.moves.some((m) => m.id === a.defaultMove))
        problems.push(`${where}: default move "${a.defaultMove}" is not one of ${a.seat}'s moves`);
      for (const m of a.moves) {
        checkEffects(`${where} move ${m.id}`, m.effects);
        if (typeof m.visibility === 'object') m.visibility.seats.forEach((x) => seatRef(where, x));
      }
    }
    for (const d of duplicates(b.actors.map((a) => a.seat))) problems.push(`${where}: seat "${d}" acts twice`);
    for (const seat of Object.keys(b.briefings)) seatRef(`${where} briefing`, seat);
    for (const r of b.rules) {
      checkCondition(`${where} rule ${r.id}`, r.when);
      checkEffects(`${where} rule ${r.id}`, r.effects);
    }
    for (const d of b.draws) {
      if (d.when) checkCondition(`${where} draw ${d.id}`, d.when);
      for (const o of d.options) {
        checkEffects(`${where} draw ${d.id}/${o.id}`, o.effects);
        o.adjust.forEach((adj) => checkCondition(`${where} draw ${d.id}/${o.id}`, adj.when));
      }
    }
    b.next.forEach((step, i) => {
      if (step.when) checkCondition(`${where} next`, step.when);
      if ('beat' in step && !beats.has(step.beat)) problems.push(`${where}: next beat "${step.beat}" does not exist`);
      if ('outcome' in step && !outcomes.has(step.outcome))
        problems.push(`${where}: next outcome "${step.outcome}" does not exist`);
      if (i === b.next.length - 1 && step.when)
        problems.push(`${where}: the last next step must be unconditional so the beat can always be left`);
    });
  }
  for (const inj of s.injects) checkEffects(`inject ${inj.id}`, inj.effects);
  for (const c of s.channels) {
    c.members.forEach((m) => seatRef(`channel ${c.id}`, m));
    if (c.relay) seatRef(`channel ${c.id}`, c.relay);
    if (c.kind === 'mediated' && (!c.relay || !c.members.includes(c.relay)))
      problems.push(`channel ${c.id}: a mediated channel needs a relay seat among its members`);
    if (c.opensWhen) checkCondition(`channel ${c.id}`, c.opensWhen);
  }
  for (const step of s.historicalPath) {
    const beat = beats.get(step.beat);
    const actor = beat?.actors.find((a) => a.seat === step.seat);
    if (!actor?.moves.some((m) => m.id === step.move))
      problems.push(`historicalPath: ${step.beat}/${step.seat}/${step.move} is not a move of that beat`);
  }

  problems.push(...checkBeatGraph(s));
  return problems;
}

/** The beat graph must be acyclic (every game ends) and every beat reachable from the start. */
function checkBeatGraph(s: Scenario): string[] {
  const problems: string[] = [];
  const edges = new Map(s.beats.map((b) => [b.id, b.next.flatMap((n) => ('beat' in n ? [n.beat] : []))]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]) => {
    const st = state.get(id);
    if (st === 'done') return;
    if (st === 'visiting') {
      problems.push(`beat graph has a cycle: ${[...path, id].join(' → ')}`);
      return;
    }
    state.set(id, 'visiting');
    for (const next of edges.get(id) ?? []) visit(next, [...path, id]);
    state.set(id, 'done');
  };
  if (edges.has(s.startBeat)) visit(s.startBeat, []);
  for (const b of s.beats) {
    if (!state.has(b.id)) problems.push(`beat ${b.id} cannot be reached from the start beat`);
  }
  return problems;
}
