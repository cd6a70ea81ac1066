import { mapProblems } from './map-check.ts';
import { Scenario, type Condition, type Effect, type RelayedQuery, type ScenarioInput, type Variant } from './schema.ts';
import { teachingProblems } from './teaching.ts';
import { presetProblems } from './presets.ts';
import { rubricProblems } from './rubric.ts';
import { personaProblems } from './personas.ts';
import { truthProblems } from './truth-check.ts';
import { alsoProblem } from './also.ts';

/** One thing wrong with a scenario, and where: `path` is the key path into the scenario data. */
export interface ScenarioProblem {
  path: (string | number)[];
  message: string;
}

export function formatPath(path: readonly (string | number)[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

export class ScenarioError extends Error {
  constructor(
    readonly scenarioId: string,
    readonly problems: ScenarioProblem[],
  ) {
    super(`scenario ${scenarioId} is invalid:\n- ${problems.map((p) => `${formatPath(p.path) || '(top level)'}: ${p.message}`).join('\n- ')}`);
    this.name = 'ScenarioError';
  }
}

/**
 * Parses and cross-checks a scenario. The zod schema checks shapes; this also
 * checks what shapes cannot: references resolve, defaults are real moves, the
 * beat graph has no cycle (so every game finishes) and every beat is reachable.
 */
export function loadScenario(input: ScenarioInput | unknown): Scenario {
  const result = checkScenario(input);
  if (!result.ok) throw new ScenarioError(result.id, result.problems);
  return result.scenario;
}

/** Like `loadScenario`, but returns the problems instead of throwing (for tools that report them). */
export function checkScenario(
  input: ScenarioInput | unknown,
): { ok: true; scenario: Scenario } | { ok: false; id: string; problems: ScenarioProblem[] } {
  const parsed = Scenario.safeParse(input);
  const id = typeof input === 'object' && input !== null && 'id' in input ? String(input.id) : '(unknown)';
  if (!parsed.success) {
    return {
      ok: false,
      id,
      problems: parsed.error.issues.map((i) => ({
        path: i.path.filter((k): k is string | number => typeof k !== 'symbol'),
        message: i.message,
      })),
    };
  }
  const problems = crossCheck(parsed.data);
  return problems.length > 0 ? { ok: false, id: parsed.data.id, problems } : { ok: true, scenario: parsed.data };
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

type Path = (string | number)[];

function crossCheck(s: Scenario): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const problem = (path: Path, message: string) => problems.push({ path, message });
  const seats = new Set(s.seats.map((x) => x.id));
  const measures = new Set(s.measures.map((m) => m.id));
  const beats = new Map(s.beats.map((b) => [b.id, b]));
  const outcomes = new Set(s.outcomes.map((o) => o.id));
  const movesBySeat = new Map<string, Set<string>>();
  const draws = new Map<string, Set<string>>();

  const idLists: [string, { id: string; path: Path }[]][] = [
    ['seat', s.seats.map((x, i) => ({ id: x.id, path: ['seats', i, 'id'] }))],
    ['measure', s.measures.map((x, i) => ({ id: x.id, path: ['measures', i, 'id'] }))],
    ['beat', s.beats.map((x, i) => ({ id: x.id, path: ['beats', i, 'id'] }))],
    ['outcome', s.outcomes.map((x, i) => ({ id: x.id, path: ['outcomes', i, 'id'] }))],
    ['inject', s.injects.map((x, i) => ({ id: x.id, path: ['injects', i, 'id'] }))],
    ['channel', s.channels.map((x, i) => ({ id: x.id, path: ['channels', i, 'id'] }))],
    ['fact', s.facts.map((x, i) => ({ id: x.id, path: ['facts', i, 'id'] }))],
    [
      'move',
      s.beats.flatMap((b, bi) =>
        b.actors.flatMap((a, ai) => a.moves.map((m, mi) => ({ id: m.id, path: ['beats', bi, 'actors', ai, 'moves', mi, 'id'] }))),
      ),
    ],
    ['draw', s.beats.flatMap((b, bi) => b.draws.map((d, di) => ({ id: d.id, path: ['beats', bi, 'draws', di, 'id'] })))],
  ];
  for (const [what, ids] of idLists) {
    for (const d of duplicates(ids.map((x) => x.id))) {
      const second = ids.filter((x) => x.id === d)[1];
      problem(second?.path ?? [], `duplicate ${what} id "${d}"`);
    }
  }

  for (const b of s.beats) {
    for (const a of b.actors) {
      const set = movesBySeat.get(a.seat) ?? new Set<string>();
      for (const m of a.moves) set.add(m.id);
      movesBySeat.set(a.seat, set);
    }
    for (const d of b.draws) draws.set(d.id, new Set(d.options.map((o) => o.id)));
  }

  const seatRef = (path: Path, seat: string) => {
    if (!seats.has(seat)) problem(path, `unknown seat "${seat}" (seats: ${[...seats].join(', ')})`);
  };
  const measureRef = (path: Path, measure: string) => {
    if (!measures.has(measure)) problem(path, `unknown measure "${measure}" (measures: ${[...measures].join(', ')})`);
  };
  const checkCondition = (path: Path, c: Condition): void => {
    if ('all' in c) c.all.forEach((x, i) => checkCondition([...path, 'all', i], x));
    else if ('any' in c) c.any.forEach((x, i) => checkCondition([...path, 'any', i], x));
    else if ('not' in c) checkCondition([...path, 'not'], c.not);
    else if ('chose' in c) {
      seatRef([...path, 'chose', 'seat'], c.chose.seat);
      if (seats.has(c.chose.seat) && !movesBySeat.get(c.chose.seat)?.has(c.chose.move))
        problem([...path, 'chose', 'move'], `seat "${c.chose.seat}" has no move "${c.chose.move}"`);
    } else if ('measure' in c) {
      seatRef([...path, 'measure', 'seat'], c.measure.seat);
      measureRef([...path, 'measure', 'measure'], c.measure.measure);
    } else if ('drew' in c) {
      if (!draws.get(c.drew.draw)?.has(c.drew.option))
        problem([...path, 'drew'], `no draw option "${c.drew.draw}/${c.drew.option}"`);
    } else if ('seatInPlay' in c) seatRef([...path, 'seatInPlay'], c.seatInPlay);
    else if ('relayed' in c) checkRelayed([...path, 'relayed'], c.relayed);
  };
  const mediated = s.channels.filter((c) => c.kind === 'mediated');
  const checkRelayed = (path: Path, q: RelayedQuery): void => {
    if (q.from) seatRef([...path, 'from'], q.from);
    if (q.to) seatRef([...path, 'to'], q.to);
    if (q.beat && !beats.has(q.beat)) problem([...path, 'beat'], `no beat "${q.beat}"`);
    const channels = q.channel ? mediated.filter((c) => c.id === q.channel) : mediated;
    if (q.channel && channels.length === 0) problem([...path, 'channel'], `no mediated channel "${q.channel}"`);
    else if (!channels.some((c) => [q.from, q.to].every((x) => x === undefined || (c.members.includes(x) && x !== c.relay))))
      problem(path, `no mediated channel has ${[q.from, q.to].filter(Boolean).join(' and ') || 'principals'} as principals, so this relay can never happen`);
  };
  const checkEffects = (path: Path, effects: Effect[]) => {
    effects.forEach((e, i) => {
      if (e.kind === 'measure') {
        seatRef([...path, i, 'seat'], e.seat);
        measureRef([...path, i, 'measure'], e.measure);
      }
      if (e.when) checkCondition([...path, i, 'when'], e.when);
    });
  };

  const facts = new Set(s.facts.map((f) => f.id));
  const factRefs = (path: Path, ids: string[]) =>
    ids.forEach((id, i) => {
      if (!facts.has(id)) problem([...path, i], `unknown fact "${id}" (facts: ${[...facts].join(', ') || 'none declared'})`);
    });
  const checkVariants = (path: Path, variants: Variant[]) => variants.forEach((v, i) => checkCondition([...path, i, 'when'], v.when));
  s.facts.forEach((f, i) => checkCondition(['facts', i, 'when'], f.when));
  s.ladder.rungs.forEach((r, i) => factRefs(['ladder', 'rungs', i, 'facts'], r.facts));
  s.outcomes.forEach((o, i) => {
    factRefs(['outcomes', i, 'facts'], o.facts);
    checkVariants(['outcomes', i, 'descriptionVariants'], o.descriptionVariants);
  });

  s.seats.forEach((seat, i) => {
    for (const m of Object.keys(seat.initial)) measureRef(['seats', i, 'initial', m], m);
  });
  s.measures.forEach((m, i) => {
    if (m.min > m.max) problem(['measures', i, 'min'], `measure ${m.id}: min above max`);
  });
  s.ladder.rungs.forEach((r, i) => {
    if (r.level !== i) problem(['ladder', 'rungs', i, 'level'], `ladder rung ${i} has level ${r.level}: levels must count 0,1,2,…`);
  });
  if (s.ladder.initial >= s.ladder.rungs.length) problem(['ladder', 'initial'], 'ladder.initial is above the top rung');

  if (!beats.has(s.startBeat)) problem(['startBeat'], `startBeat "${s.startBeat}" is not a beat`);
  if (!outcomes.has(s.historicalOutcome))
    problem(['historicalOutcome'], `historicalOutcome "${s.historicalOutcome}" is not an outcome`);

  s.beats.forEach((b, bi) => {
    const at: Path = ['beats', bi];
    b.actors.forEach((a, ai) => {
      const actor: Path = [...at, 'actors', ai];
      seatRef([...actor, 'seat'], a.seat);
      if (!a.moves.some((m) => m.id === a.defaultMove))
        problem([...actor, 'defaultMove'], `default move "${a.defaultMove}" is not one of ${a.seat}'s moves in beat ${b.id}`);
      a.moves.forEach((m, mi) => {
        const move: Path = [...actor, 'moves', mi];
        checkEffects([...move, 'effects'], m.effects);
        checkVariants([...move, 'outcomeVariants'], m.outcomeVariants);
        if (typeof m.visibility === 'object') m.visibility.seats.forEach((x, i) => seatRef([...move, 'visibility', 'seats', i], x));
      });
    });
    for (const d of duplicates(b.actors.map((a) => a.seat))) problem([...at, 'actors'], `seat "${d}" acts twice in beat ${b.id}`);
    for (const seat of Object.keys(b.briefings)) seatRef([...at, 'briefings', seat], seat);
    checkVariants([...at, 'situationVariants'], b.situationVariants);
    for (const [seat, variants] of Object.entries(b.briefingVariants)) {
      if (b.briefings[seat] === undefined) problem([...at, 'briefingVariants', seat], `seat "${seat}" has no base briefing in beat ${b.id} to vary`);
      checkVariants([...at, 'briefingVariants', seat], variants);
    }
    b.rules.forEach((r, ri) => {
      checkCondition([...at, 'rules', ri, 'when'], r.when);
      checkVariants([...at, 'rules', ri, 'textVariants'], r.textVariants);
      checkEffects([...at, 'rules', ri, 'effects'], r.effects);
    });
    b.draws.forEach((d, di) => {
      const draw: Path = [...at, 'draws', di];
      if (d.when) checkCondition([...draw, 'when'], d.when);
      d.options.forEach((o, oi) => {
        checkEffects([...draw, 'options', oi, 'effects'], o.effects);
        checkVariants([...draw, 'options', oi, 'textVariants'], o.textVariants);
        o.adjust.forEach((adj, ji) => checkCondition([...draw, 'options', oi, 'adjust', ji, 'when'], adj.when));
      });
    });
    b.next.forEach((step, i) => {
      const next: Path = [...at, 'next', i];
      if (step.when) checkCondition([...next, 'when'], step.when);
      if ('beat' in step && !beats.has(step.beat)) problem([...next, 'beat'], `next beat "${step.beat}" does not exist`);
      if ('outcome' in step && !outcomes.has(step.outcome)) problem([...next, 'outcome'], `next outcome "${step.outcome}" does not exist`);
      if (i === b.next.length - 1 && step.when)
        problem(next, 'the last next step must be unconditional so the beat can always be left');
    });
  });
  s.injects.forEach((inj, i) => checkEffects(['injects', i, 'effects'], inj.effects));
  s.channels.forEach((c, i) => {
    const at: Path = ['channels', i];
    c.members.forEach((m, mi) => seatRef([...at, 'members', mi], m));
    if (c.relay) seatRef([...at, 'relay'], c.relay);
    if (c.kind === 'mediated' && (!c.relay || !c.members.includes(c.relay)))
      problem(at, `channel ${c.id}: a mediated channel needs a relay seat among its members`);
    if (c.opensWhen) checkCondition([...at, 'opensWhen'], c.opensWhen);
  });
  s.historicalPath.forEach((step, i) => {
    const beat = beats.get(step.beat);
    const actor = beat?.actors.find((a) => a.seat === step.seat);
    if (!actor?.moves.some((m) => m.id === step.move))
      problem(['historicalPath', i], `${step.beat}/${step.seat}/${step.move} is not a move of that beat`);
    else {
      const also = alsoProblem(actor, step.move, step.also);
      if (also) problem(['historicalPath', i, 'also'], `${step.beat}/${step.seat}: ${also.message}`);
    }
    step.relays.forEach((r, ri) => {
      const carries = mediated.some((c) => c.relay === step.seat && [r.from, r.to].every((x) => x !== step.seat && c.members.includes(x)));
      if (r.from === r.to || !carries)
        problem(['historicalPath', i, 'relays', ri], `${step.seat} relays no mediated channel from ${r.from} to ${r.to}`);
    });
  });

  problems.push(...checkBeatGraph(s), ...teachingProblems(s), ...presetProblems(s), ...rubricProblems(s), ...personaProblems(s), ...mapProblems(s));
  // The semantic checks of declared facts and variants assume the references above resolve.
  if (problems.length === 0) problems.push(...truthProblems(s));
  return problems;
}

/** The beat graph must be acyclic (every game ends) and every beat reachable from the start. */
function checkBeatGraph(s: Scenario): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const index = new Map(s.beats.map((b, i) => [b.id, i]));
  const edges = new Map(s.beats.map((b) => [b.id, b.next.flatMap((n) => ('beat' in n ? [n.beat] : []))]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]) => {
    const st = state.get(id);
    if (st === 'done') return;
    if (st === 'visiting') {
      problems.push({ path: ['beats', index.get(path[path.length - 1] ?? id) ?? 0, 'next'], message: `beat graph has a cycle: ${[...path, id].join(' → ')}` });
      return;
    }
    state.set(id, 'visiting');
    for (const next of edges.get(id) ?? []) visit(next, [...path, id]);
    state.set(id, 'done');
  };
  if (edges.has(s.startBeat)) visit(s.startBeat, []);
  s.beats.forEach((b, i) => {
    if (!state.has(b.id)) problems.push({ path: ['beats', i, 'id'], message: `beat ${b.id} cannot be reached from the start beat` });
  });
  return problems;
}
