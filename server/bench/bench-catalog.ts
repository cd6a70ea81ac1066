/**
 * The shipped scenarios as the benchmarks serve them: public channels allow
 * `statementsPerMinute` per seat instead of the classroom cap (4 a minute),
 * so a benchmark's seats can keep talking. Nothing else changes.
 */
import { ScenarioCatalog } from '@rubicon/shared';
import { shippedScenarios } from '@rubicon/shared/scenario-files';

export function benchCatalog(statementsPerMinute: number): ScenarioCatalog {
  return new ScenarioCatalog(
    shippedScenarios()
      .all()
      .map((s) => ({ ...s, channels: s.channels.map((c) => (c.kind === 'public' ? { ...c, statementsPerMinute } : c)) })),
  );
}
