import type { Scenario } from './schema.ts';
import { estimateSession, presetEstimates, type SessionEstimate } from '../game/session-length.ts';

/** What the lobby lists about a scenario (GET /api/scenarios). */
export interface ScenarioListing {
  id: string;
  title: string;
  summary: string;
  seats: { id: string; name: string; optional: boolean }[];
  presets: { id: string; title: string; description: string; estimate: SessionEstimate }[];
  /** The estimate with the scenario's own timers (scale 1, no preset): its timers scale with the clock, the rest does not. */
  standard: SessionEstimate;
}

/**
 * The scenarios a service offers, already parsed and checked. Where they come
 * from (files read at start-up, fixtures in a test) is the caller's business.
 */
export class ScenarioCatalog {
  private readonly byId: ReadonlyMap<string, Scenario>;

  constructor(scenarios: readonly Scenario[]) {
    const byId = new Map<string, Scenario>();
    for (const s of scenarios) {
      if (byId.has(s.id)) throw new Error(`two scenarios have the id "${s.id}"`);
      byId.set(s.id, s);
    }
    this.byId = byId;
  }

  get(id: string): Scenario | undefined {
    return this.byId.get(id);
  }

  all(): Scenario[] {
    return [...this.byId.values()];
  }

  list(): ScenarioListing[] {
    return this.all().map((s) => ({
      id: s.id,
      title: s.title,
      summary: s.summary,
      seats: s.seats.map(({ id, name, optional }) => ({ id, name, optional })),
      presets: presetEstimates(s),
      standard: estimateSession(s, { timerScale: 1, timerSeconds: {} }),
    }));
  }
}
