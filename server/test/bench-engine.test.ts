// `npm run bench`'s sections 1-4 (engine, headless games, simulate, replay, the replay viewer, views,
// memory), run small so CI keeps them working: the same calls in the same order as run.ts, each with
// the smallest settings that still go through all its code. It asserts what must hold at any size
// (every section reports, every figure is a finite number or words), never a speed.
import { describe, expect, it } from 'vitest';
import { benchEngine, benchHeadless, benchMemory, benchReplay, benchViews } from '../bench/engine.ts';
import { benchReplayViewer } from '../bench/replay-viewer.ts';
import { benchSimulate } from '../bench/simulate.ts';
import { Report } from '../bench/stats.ts';
import { expectFigures } from './bench-figures.ts';

describe('engine, replay, view and memory benchmarks, small', () => {
  it('runs sections 1-4 as run.ts does and reports every figure', async () => {
    const report = new Report();
    benchEngine(report, { games: 2, throughputMs: 50, latencyMs: 50 });
    benchHeadless(report, { games: 5, maxMs: 200 });
    await benchSimulate(report, { maxMs: 100, poolGames: 20 });
    const long = benchReplay(report, { events: 300, tail: 20, runs: 1 });
    expect(long.log).toHaveLength(300);
    benchReplayViewer(report, long, { runs: 1, scrubs: 3 });
    benchViews(report, long, { messages: 50, maxMs: 20 });
    benchMemory(report, { sessions: 3, events: 20 });
    expect([...new Set(report.rows.map((r) => r.section))]).toEqual(['1 engine', '1b headless games', 'simulate (bot personas, headless)', '2 replay', '2b replay viewer', '3 views', '4 memory']);
    expectFigures(report);
    // The simulate section's pool ran one and two worker threads, cold and warm.
    const simulate = report.rows.filter((r) => r.section === 'simulate (bot personas, headless)').map((r) => r.name);
    for (const workers of ['1 worker thread', '2 worker threads']) for (const run of ['first 20 games', 'next 20 games']) expect(simulate).toContain(`default persona mix, ${workers}, ${run}${run.startsWith('first') ? ' (fresh workers, as the CLI)' : ' (warm)'}`);
  }, 60_000);
});
