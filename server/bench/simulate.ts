import { createGame, randomChooser, runHeadless } from '@rubicon/shared';
import { personaChooser, personaMix } from '@rubicon/shared/bots';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import os from 'node:os';
import { SimulationPool, type PoolResult } from '../../cli/src/simulate/pool.ts';
import { threadCpuSeconds } from '../../cli/src/simulate/thread-cpu.ts';
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
 * (start-up excluded; cold, then warm), with each worker's games per CPU
 * second of its own thread. Each figure is checked against its aim, in words.
 */
export async function benchSimulate(report: Report, options: { maxMs: number; poolGames: number }): Promise<void> {
  const scenario = shippedScenario('april-2024');
  const choose = personaChooser(scenario, personaMix(scenario));
  const timed = (chooser: typeof choose) => {
    for (let i = 0, t = now(); now() - t < WARM_UP_MS; i++) runHeadless(createGame(scenario, { scenarioId: scenario.id, seed: `w${i}`, review: false }), { choose: chooser, keepLog: false });
    let games = 0;
    const t0 = now();
    const cpu0 = process.cpuUsage();
    const thread0 = threadCpuSeconds();
    while (now() - t0 < options.maxMs) {
      runHeadless(createGame(scenario, { scenarioId: scenario.id, seed: `b${games}`, review: false }), { choose: chooser, keepLog: false });
      games++;
    }
    const cpu = process.cpuUsage(cpu0);
    const thread1 = threadCpuSeconds();
    return {
      wall: (games / (now() - t0)) * 1000,
      cpu: games / ((cpu.user + cpu.system) / 1e6),
      thread: thread0 === null || thread1 === null ? null : games / (thread1 - thread0),
    };
  };
  const persona = timed(choose);
  const random = timed(randomChooser);
  report.add(SECTION, 'default persona mix, 1 thread', persona.wall, 'games/s');
  report.add(SECTION, 'default persona mix, 1 thread, per CPU second (the process: V8 helper threads too)', persona.cpu, 'games/cpu-s');
  if (persona.thread !== null) report.add(SECTION, 'default persona mix, 1 thread, per CPU second of that thread', persona.thread, 'games/cpu-s');
  report.add(SECTION, 'same games with random choosers (engine alone), 1 thread', random.wall, 'games/s');
  report.add(SECTION, "personas' share of a game's time", 100 * (1 - persona.wall / random.wall), '%');

  // Two batches on the same two workers: the first pays each worker's own JIT warm-up (a fresh
  // V8 per thread), the second is warm like the single-thread figure above, so it is the like-for-like one.
  const spec = (from: number, to: number) => ({ scenarioId: scenario.id, personas: {}, seed: 'bench', optionalSeats: [], from, to, beatRows: false });
  const pool = await SimulationPool.start(scenario, 2);
  let cold: PoolResult;
  let warm: PoolResult;
  try {
    cold = await pool.run(spec(0, options.poolGames));
    warm = await pool.run(spec(options.poolGames, 2 * options.poolGames));
  } finally {
    await pool.close();
  }
  const two = options.poolGames / warm.playSeconds;
  report.add(SECTION, `default persona mix, 2 worker threads, first ${options.poolGames} games (each worker warming up)`, options.poolGames / cold.playSeconds, 'games/s');
  report.add(SECTION, `default persona mix, 2 worker threads, next ${options.poolGames} games (warm)`, two, 'games/s');
  report.add(SECTION, '2 workers (warm) ÷ 1 thread', two / persona.wall, '×');
  // A worker's games per CPU second of its own thread, beside the single thread's: equal rates say
  // running in workers costs nothing extra, and a speed-up short of 2× is the machine's (cores taken
  // by other processes and by V8's helper threads), not the program's.
  warm.cpuSeconds.forEach((cpu, w) => {
    if (cpu !== null && cpu > 0) report.add(SECTION, `worker ${w + 1}, per CPU second of its thread (warm)`, (warm.gamesPerWorker[w] ?? 0) / cpu, 'games/cpu-s');
  });
  report.add(SECTION, 'load average (1 min) after the 2-worker run', os.loadavg()[0] ?? 0, '');
  const perCore = Math.max(persona.wall, persona.cpu);
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  report.add(SECTION, `aim ≥ ${SIMULATE_TARGETS.gamesPerCore} games/s on one core (best of wall and CPU rate)`, verdict(perCore >= SIMULATE_TARGETS.gamesPerCore), '');
  report.add(SECTION, `aim 2 workers ≥ ${SIMULATE_TARGETS.twoWorkerSpeedup}× one thread (warm against warm)`, verdict(two / persona.wall >= SIMULATE_TARGETS.twoWorkerSpeedup), '');
}
