import { createGame, randomChooser, runHeadless } from '@rubicon/shared';
import { personaChooser, personaMix } from '@rubicon/shared/bots';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { runPool } from '../../cli/src/simulate/pool.ts';
import { now, type Report } from './stats.ts';

const SECTION = 'simulate (bot personas, headless)';

/**
 * `rubicon simulate`'s throughput: whole games of the default persona mix on
 * one thread, the same games with random choosers (the engine's share of the
 * cost), and on two worker threads (start-up excluded).
 */
export async function benchSimulate(report: Report, options: { maxMs: number; poolGames: number }): Promise<void> {
  const scenario = shippedScenario('april-2024');
  const choose = personaChooser(scenario, personaMix(scenario));
  const timed = (chooser: typeof choose) => {
    for (let i = 0; i < 20; i++) runHeadless(createGame(scenario, { scenarioId: scenario.id, seed: `w${i}`, review: false }), { choose: chooser, keepLog: false });
    let games = 0;
    const t0 = now();
    while (now() - t0 < options.maxMs) {
      runHeadless(createGame(scenario, { scenarioId: scenario.id, seed: `b${games}`, review: false }), { choose: chooser, keepLog: false });
      games++;
    }
    return (games / (now() - t0)) * 1000;
  };
  const persona = timed(choose);
  const random = timed(randomChooser);
  report.add(SECTION, 'default persona mix, 1 thread', persona, 'games/s');
  report.add(SECTION, 'same games with random choosers (engine alone), 1 thread', random, 'games/s');
  report.add(SECTION, "personas' share of a game's time", 100 * (1 - persona / random), '%');
  const spec = { scenarioId: scenario.id, personas: {}, seed: 'bench', optionalSeats: [], from: 0, to: options.poolGames, beatRows: false };
  const pool = await runPool(scenario, spec, 2);
  report.add(SECTION, `default persona mix, 2 worker threads (${options.poolGames} games, start-up excluded)`, options.poolGames / pool.playSeconds, 'games/s');
  report.add(SECTION, '2 workers ÷ 1 thread', options.poolGames / pool.playSeconds / persona, '×');
}
