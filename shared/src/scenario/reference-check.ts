import type { Condition, Effect, RelayedQuery, Scenario, Variant } from './schema.ts';
import type { ScenarioProblem } from './load.ts';

type Path = (string | number)[];

/**
 * Checks that what a scenario names elsewhere exists: seats, measures, facts, moves, draw options,
 * beats and mediated channels. Each check records a problem at the path where the name was written,
 * so `rubicon scenario check` can point at the line.
 */
export interface ReferenceChecker {
  problem(path: Path, message: string): void;
  seat(path: Path, seat: string): void;
  measure(path: Path, measure: string): void;
  facts(path: Path, ids: readonly string[]): void;
  condition(path: Path, c: Condition): void;
  effects(path: Path, effects: readonly Effect[]): void;
  variants(path: Path, variants: readonly Variant[]): void;
}

/** The names a scenario declares, each kind in a set to look a reference up in. */
function declaredNames(s: Scenario) {
  const movesBySeat = new Map<string, Set<string>>();
  const draws = new Map<string, Set<string>>();
  for (const b of s.beats) {
    for (const a of b.actors) {
      const set = movesBySeat.get(a.seat) ?? new Set<string>();
      for (const m of a.moves) set.add(m.id);
      movesBySeat.set(a.seat, set);
    }
    for (const d of b.draws) draws.set(d.id, new Set(d.options.map((o) => o.id)));
  }
  return {
    seats: new Set(s.seats.map((x) => x.id)),
    measures: new Set(s.measures.map((m) => m.id)),
    beats: new Set(s.beats.map((b) => b.id)),
    facts: new Set(s.facts.map((f) => f.id)),
    movesBySeat,
    draws,
    mediated: s.channels.filter((c) => c.kind === 'mediated'),
  };
}

export function referenceChecker(s: Scenario, problems: ScenarioProblem[]): ReferenceChecker {
  const problem = (path: Path, message: string): void => {
    problems.push({ path, message });
  };
  const { seats, measures, beats, facts, movesBySeat, draws, mediated } = declaredNames(s);

  const seat = (path: Path, id: string): void => {
    if (!seats.has(id)) problem(path, `unknown seat "${id}" (seats: ${[...seats].join(', ')})`);
  };
  const measure = (path: Path, id: string): void => {
    if (!measures.has(id)) problem(path, `unknown measure "${id}" (measures: ${[...measures].join(', ')})`);
  };
  const relayed = (path: Path, q: RelayedQuery): void => {
    if (q.from) seat([...path, 'from'], q.from);
    if (q.to) seat([...path, 'to'], q.to);
    if (q.beat && !beats.has(q.beat)) problem([...path, 'beat'], `no beat "${q.beat}"`);
    const channels = q.channel ? mediated.filter((c) => c.id === q.channel) : mediated;
    if (q.channel && channels.length === 0) problem([...path, 'channel'], `no mediated channel "${q.channel}"`);
    else if (!channels.some((c) => [q.from, q.to].every((x) => x === undefined || (c.members.includes(x) && x !== c.relay))))
      problem(path, `no mediated channel has ${[q.from, q.to].filter(Boolean).join(' and ') || 'principals'} as principals, so this relay can never happen`);
  };
  const condition = (path: Path, c: Condition): void => {
    if ('all' in c) c.all.forEach((x, i) => condition([...path, 'all', i], x));
    else if ('any' in c) c.any.forEach((x, i) => condition([...path, 'any', i], x));
    else if ('not' in c) condition([...path, 'not'], c.not);
    else if ('chose' in c) {
      seat([...path, 'chose', 'seat'], c.chose.seat);
      if (seats.has(c.chose.seat) && !movesBySeat.get(c.chose.seat)?.has(c.chose.move))
        problem([...path, 'chose', 'move'], `seat "${c.chose.seat}" has no move "${c.chose.move}"`);
    } else if ('measure' in c) {
      seat([...path, 'measure', 'seat'], c.measure.seat);
      measure([...path, 'measure', 'measure'], c.measure.measure);
    } else if ('drew' in c) {
      if (!draws.get(c.drew.draw)?.has(c.drew.option)) problem([...path, 'drew'], `no draw option "${c.drew.draw}/${c.drew.option}"`);
    } else if ('seatInPlay' in c) seat([...path, 'seatInPlay'], c.seatInPlay);
    else if ('relayed' in c) relayed([...path, 'relayed'], c.relayed);
  };
  return {
    problem,
    seat,
    measure,
    condition,
    facts: (path, ids) =>
      ids.forEach((id, i) => {
        if (!facts.has(id)) problem([...path, i], `unknown fact "${id}" (facts: ${[...facts].join(', ') || 'none declared'})`);
      }),
    effects: (path, effects) =>
      effects.forEach((e, i) => {
        if (e.kind === 'measure') {
          seat([...path, i, 'seat'], e.seat);
          measure([...path, i, 'measure'], e.measure);
        }
        if (e.when) condition([...path, i, 'when'], e.when);
      }),
    variants: (path, variants) => variants.forEach((v, i) => condition([...path, i, 'when'], v.when)),
  };
}
