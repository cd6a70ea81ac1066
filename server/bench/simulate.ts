import { createGame, randomChooser, runHeadless } from '@rubicon/shared';
import { personaChooser, personaMix } from '@rubicon/shared/bots';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { runPool } from '../../cli/src/simulate/pool.ts';
import { now, type Report } from './stats.ts';

const SECTION = 'simulate (bot personas, headless)';
/** The aims: whole games per second on one core, and two workers against one. */
/** Played before the clock starts: V8 is still compiling the engine (on other threads, which the CPU time counts) for the first few hundred games. */
const WARM_UP_MS = 1500;
export const SIMULATE_TARGETS = { gamesPerCore: 2000, twoWorkerSpeedup: 1.8 };

/**
 * `rubicon simulate`'s throughput: whole games of the default persona mix on
 * one thread (per wall second and per CPU second: on a shared machine the
 * wall clock also counts other processes), the same games with random
 * choosers (the engine's share of the cost), and on two worker threads
 * (start-up excluded). Each figure is checked against its aim, in words.
 */
export async function benchSimulate(report: Report, options: { maxMs: number; poolGames: number }): Promise<void> {
  const scenario = shippedScenario('april-2024');
  const choose = personaChooser(scenario, personaMix(scenario));
  const timed = (chooser: typeof choose) => {
    for (let i = 0, t = now(); now() - t < WARM_UP_MS; i++) runHeadless(createGame(scenario, { scenarioId: scenario.id, seed: `w${i}`, review: false }), { choose: chooser, keepLog: false });
    let games = 0;
    const t0 = now();
    const cpu0 = process.cpuUsage();
    while (now() - t0 < options.maxMs) {
      runHeadless(createGame(scenario, { scenarioId: scenario.id, seed: `b${games}`, review: false }), { choose: chooser, keepLog: false });
      games++;
    }
    const cpu = process.cpuUsage(cpu0);
    return { wall: (games / (now() - t0)) * 1000, cpu: games / ((cpu.user + cpu.system) / 1e6) };
  };
  const persona = timed(choose);
  const random = timed(randomChooser);
  report.add(SECTION, 'default persona mix, 1 thread', persona.wall, 'games/s');
  report.add(SECTION, 'default persona mix, 1 thread, per CPU second', persona.cpu, 'games/cpu-s');
  report.add(SECTION, 'same games with random choosers (engine alone), 1 thread', random.wall, 'games/s');
  report.add(SECTION, "personas' share of a game's time", 100 * (1 - persona.wall / random.wall), '%');
  const spec = { scenarioId: scenario.id, personas: {}, seed: 'bench', optionalSeats: [], from: 0, to: options.poolGames, beatRows: false };
  const pool = await runPool(scenario, spec, 2);
  const two = options.poolGames / pool.playSeconds;
  report.add(SECTION, `default persona mix, 2 worker threads (${options.poolGames} games, start-up excluded)`, two, 'games/s');
  report.add(SECTION, '2 workers ÷ 1 thread', two / persona.wall, '×');
  const perCore = Math.max(persona.wall, persona.cpu);
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  report.add(SECTION, `aim ≥ ${SIMULATE_TARGETS.gamesPerCore} games/s on one core (best of wall and CPU rate)`, verdict(perCore >= SIMULATE_TARGETS.gamesPerCore), '');
  report.add(SECTION, `aim 2 workers ≥ ${SIMULATE_TARGETS.twoWorkerSpeedup}× one thread`, verdict(two / persona.wall >= SIMULATE_TARGETS.twoWorkerSpeedup), '');
}
