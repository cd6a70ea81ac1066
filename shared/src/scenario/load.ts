import { mapProblems } from './map-check.ts';
import { Scenario, type Beat, type Channel, type ScenarioInput } from './schema.ts';
import { referenceChecker, type ReferenceChecker } from './reference-check.ts';
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
  const refs = referenceChecker(s, problems);
  problems.push(...idProblems(s));
  topLevelChecks(s, refs);
  s.beats.forEach((b, bi) => beatChecks(s, b, ['beats', bi], refs));
  s.injects.forEach((inj, i) => refs.effects(['injects', i, 'effects'], inj.effects));
  s.channels.forEach((c, i) => channelChecks(c, ['channels', i], refs));
  historicalPathChecks(s, refs);

  problems.push(...checkBeatGraph(s), ...teachingProblems(s), ...presetProblems(s), ...rubricProblems(s), ...personaProblems(s), ...mapProblems(s));
  // The semantic checks of declared facts and variants assume the references above resolve.
  if (problems.length === 0) problems.push(...truthProblems(s));
  return problems;
}

/** Every kind of id is unique within its kind (moves across the whole scenario, so a `chose` condition names one). */
function idProblems(s: Scenario): ScenarioProblem[] {
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
  return idLists.flatMap(([what, ids]) =>
    duplicates(ids.map((x) => x.id)).map((d) => ({ path: ids.filter((x) => x.id === d)[1]?.path ?? [], message: `duplicate ${what} id "${d}"` })),
  );
}

/** Facts, the ladder, outcomes, seats' starting measures and the start: what the beats build on. */
function topLevelChecks(s: Scenario, refs: ReferenceChecker): void {
  s.facts.forEach((f, i) => refs.condition(['facts', i, 'when'], f.when));
  s.ladder.rungs.forEach((r, i) => refs.facts(['ladder', 'rungs', i, 'facts'], r.facts));
  s.outcomes.forEach((o, i) => {
    refs.facts(['outcomes', i, 'facts'], o.facts);
    refs.variants(['outcomes', i, 'descriptionVariants'], o.descriptionVariants);
  });
  s.seats.forEach((seat, i) => {
    for (const m of Object.keys(seat.initial)) refs.measure(['seats', i, 'initial', m], m);
  });
  s.measures.forEach((m, i) => {
    if (m.min > m.max) refs.problem(['measures', i, 'min'], `measure ${m.id}: min above max`);
  });
  s.ladder.rungs.forEach((r, i) => {
    if (r.level !== i) refs.problem(['ladder', 'rungs', i, 'level'], `ladder rung ${i} has level ${r.level}: levels must count 0,1,2,…`);
  });
  if (s.ladder.initial >= s.ladder.rungs.length) refs.problem(['ladder', 'initial'], 'ladder.initial is above the top rung');
  if (!s.beats.some((b) => b.id === s.startBeat)) refs.problem(['startBeat'], `startBeat "${s.startBeat}" is not a beat`);
  if (!s.outcomes.some((o) => o.id === s.historicalOutcome))
    refs.problem(['historicalOutcome'], `historicalOutcome "${s.historicalOutcome}" is not an outcome`);
}

function beatChecks(s: Scenario, b: Beat, at: Path, refs: ReferenceChecker): void {
  b.actors.forEach((a, ai) => {
    const actor: Path = [...at, 'actors', ai];
    refs.seat([...actor, 'seat'], a.seat);
    if (!a.moves.some((m) => m.id === a.defaultMove))
      refs.problem([...actor, 'defaultMove'], `default move "${a.defaultMove}" is not one of ${a.seat}'s moves in beat ${b.id}`);
    a.moves.forEach((m, mi) => {
      const move: Path = [...actor, 'moves', mi];
      refs.effects([...move, 'effects'], m.effects);
      refs.variants([...move, 'outcomeVariants'], m.outcomeVariants);
      if (typeof m.visibility === 'object') m.visibility.seats.forEach((x, i) => refs.seat([...move, 'visibility', 'seats', i], x));
    });
  });
  for (const d of duplicates(b.actors.map((a) => a.seat))) refs.problem([...at, 'actors'], `seat "${d}" acts twice in beat ${b.id}`);
  for (const seat of Object.keys(b.briefings)) refs.seat([...at, 'briefings', seat], seat);
  refs.variants([...at, 'situationVariants'], b.situationVariants);
  for (const [seat, variants] of Object.entries(b.briefingVariants)) {
    if (b.briefings[seat] === undefined) refs.problem([...at, 'briefingVariants', seat], `seat "${seat}" has no base briefing in beat ${b.id} to vary`);
    refs.variants([...at, 'briefingVariants', seat], variants);
  }
  b.rules.forEach((r, ri) => {
    refs.condition([...at, 'rules', ri, 'when'], r.when);
    refs.variants([...at, 'rules', ri, 'textVariants'], r.textVariants);
    refs.effects([...at, 'rules', ri, 'effects'], r.effects);
  });
  b.draws.forEach((d, di) => {
    const draw: Path = [...at, 'draws', di];
    if (d.when) refs.condition([...draw, 'when'], d.when);
    d.options.forEach((o, oi) => {
      refs.effects([...draw, 'options', oi, 'effects'], o.effects);
      refs.variants([...draw, 'options', oi, 'textVariants'], o.textVariants);
      o.adjust.forEach((adj, ji) => refs.condition([...draw, 'options', oi, 'adjust', ji, 'when'], adj.when));
    });
  });
  b.next.forEach((step, i) => {
    const next: Path = [...at, 'next', i];
    if (step.when) refs.condition([...next, 'when'], step.when);
    if ('beat' in step && !s.beats.some((x) => x.id === step.beat)) refs.problem([...next, 'beat'], `next beat "${step.beat}" does not exist`);
    if ('outcome' in step && !s.outcomes.some((o) => o.id === step.outcome))
      refs.problem([...next, 'outcome'], `next outcome "${step.outcome}" does not exist`);
    if (i === b.next.length - 1 && step.when) refs.problem(next, 'the last next step must be unconditional so the beat can always be left');
  });
}

function channelChecks(c: Channel, at: Path, refs: ReferenceChecker): void {
  c.members.forEach((m, mi) => refs.seat([...at, 'members', mi], m));
  if (c.relay) refs.seat([...at, 'relay'], c.relay);
  if (c.kind === 'mediated' && (!c.relay || !c.members.includes(c.relay)))
    refs.problem(at, `channel ${c.id}: a mediated channel needs a relay seat among its members`);
  if (c.opensWhen) refs.condition([...at, 'opensWhen'], c.opensWhen);
}

/** The recorded history must be a path the game could take: real moves, allowed also-moves, relays a mediator carries. */
function historicalPathChecks(s: Scenario, refs: ReferenceChecker): void {
  const mediated = s.channels.filter((c) => c.kind === 'mediated');
  s.historicalPath.forEach((step, i) => {
    const actor = s.beats.find((b) => b.id === step.beat)?.actors.find((a) => a.seat === step.seat);
    if (!actor?.moves.some((m) => m.id === step.move))
      refs.problem(['historicalPath', i], `${step.beat}/${step.seat}/${step.move} is not a move of that beat`);
    else {
      const also = alsoProblem(actor, step.move, step.also);
      if (also) refs.problem(['historicalPath', i, 'also'], `${step.beat}/${step.seat}: ${also.message}`);
    }
    step.relays.forEach((r, ri) => {
      const carries = mediated.some((c) => c.relay === step.seat && [r.from, r.to].every((x) => x !== step.seat && c.members.includes(x)));
      if (r.from === r.to || !carries)
        refs.problem(['historicalPath', i, 'relays', ri], `${step.seat} relays no mediated channel from ${r.from} to ${r.to}`);
    });
  });
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
