import type { ScenarioProblem } from './load.ts';
import type { Scenario } from './schema.ts';

type Path = (string | number)[];

/** Every mark names a place on the scenario's map; places are unique; the frame is a real box. */
export function mapProblems(s: Scenario): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const { frame, places } = s.map;
  if (frame.west >= frame.east) problems.push({ path: ['map', 'frame', 'east'], message: 'map.frame.east must be east of west' });
  if (frame.south >= frame.north) problems.push({ path: ['map', 'frame', 'north'], message: 'map.frame.north must be north of south' });
  const seen = new Set<string>();
  places.forEach((p, i) => {
    if (seen.has(p.id)) problems.push({ path: ['map', 'places', i, 'id'], message: `duplicate place id "${p.id}"` });
    seen.add(p.id);
  });
  // Marks sit in many parts of a scenario (moves, rules, draws, beats, injects, text variants): find every `marks` list.
  const visit = (node: unknown, path: Path): void => {
    if (Array.isArray(node)) node.forEach((x, i) => visit(x, [...path, i]));
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'marks' && Array.isArray(value)) {
          value.forEach((m: { place?: unknown; from?: unknown }, i) => {
            for (const field of ['place', 'from'] as const) {
              const id = m[field];
              if (typeof id === 'string' && !seen.has(id))
                problems.push({ path: [...path, key, i, field], message: `unknown place "${id}": add it to map.places` });
            }
          });
        } else if (key !== 'map') visit(value, [...path, key]);
      }
    }
  };
  visit(s, []);
  return problems;
}
