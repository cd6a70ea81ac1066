import { april2024 } from './april-2024.ts';
import { loadScenario } from './load.ts';
import type { Scenario } from './schema.ts';

/** Every scenario the service offers, validated once at module load. */
const scenarios: ReadonlyMap<string, Scenario> = new Map([april2024].map((input) => {
  const s = loadScenario(input);
  return [s.id, s] as const;
}));

export function getScenario(id: string): Scenario | undefined {
  return scenarios.get(id);
}

export function listScenarios(): { id: string; title: string; summary: string; seats: { id: string; name: string; optional: boolean }[] }[] {
  return [...scenarios.values()].map((s) => ({
    id: s.id,
    title: s.title,
    summary: s.summary,
    seats: s.seats.map(({ id, name, optional }) => ({ id, name, optional })),
  }));
}
