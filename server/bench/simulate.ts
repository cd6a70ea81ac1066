import { createGame, randomChooser, runHeadless, type Chooser, type Scenario } from '@rubicon/shared';
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

/** Games per second (wall, process CPU, and this thread's CPU where it can be read) of headless games with `chooser` in every seat, for `maxMs` after a warm-up. */
function timedGames(scenario: Scenario, chooser: Chooser, maxMs: number): { wall: number; cpu: number; thread: number | null } {
  for (let i = 0, t = now(); now() - t < WARM_UP_MS; i++) runHeadless(createGame(scenario, { scenarioId: scenario.id, seed: `w${i}`, review: false }), { choose: chooser, keepLog: false });
  let games = 0;
  const t0 = now();
  const cpu0 = process.cpuUsage();
  const thread0 = threadCpuSeconds();
  while (now() - t0 < maxMs) {
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
}

/**
 * One worker against two through the same pool code, the same games each: a fresh pool's first
 * batch pays each worker isolate's own JIT warm-up (as `rubicon simulate` does), its second is warm.
 * The main thread is no stand-in for a worker: its games per CPU second differ (tsx, the loader).
 */
async function coldAndWarm(scenario: Scenario, poolGames: number): Promise<Map<number, { cold: PoolResult; warm: PoolResult }>> {
  const spec = (from: number, to: number) => ({ scenarioId: scenario.id, personas: {}, seed: 'bench', optionalSeats: [], from, to, beatsCsvMix: null });
  const pools = new Map<number, { cold: PoolResult; warm: PoolResult }>();
  for (const workers of [1, 2]) {
    const pool = await SimulationPool.start(scenario, workers);
    try {
      const cold = await pool.run(spec(0, poolGames));
      const warm = await pool.run(spec(poolGames, 2 * poolGames));
      pools.set(workers, { cold, warm });
    } finally {
      await pool.close();
    }
  }
  return pools;
}

/**
 * `rubicon simulate`'s throughput: whole games of the default persona mix on
 * one thread (per wall second and per CPU second: on a shared machine the
 * wall clock also counts other processes), the same games with random
 * choosers (the engine's share of the cost), and the same games on one and
 * on two worker threads through the pool (start-up excluded; cold, then
 * warm), with each worker's games per CPU second of its own thread. Each
 * figure is checked against its aim, in words.
 */
export async function benchSimulate(report: Report, options: { maxMs: number; poolGames: number }): Promise<void> {
  const scenario = shippedScenario('april-2024');
  const choose = personaChooser(scenario, personaMix(scenario));
  const persona = timedGames(scenario, choose, options.maxMs);
  const random = timedGames(scenario, randomChooser, options.maxMs);
  report.add(SECTION, 'default persona mix, 1 thread', persona.wall, 'games/s');
  report.add(SECTION, 'default persona mix, 1 thread, per CPU second (the process: V8 helper threads too)', persona.cpu, 'games/cpu-s');
  if (persona.thread !== null) report.add(SECTION, 'default persona mix, 1 thread, per CPU second of that thread', persona.thread, 'games/cpu-s');
  report.add(SECTION, 'same games with random choosers (engine alone), 1 thread', random.wall, 'games/s');
  report.add(SECTION, "personas' share of a game's time", 100 * (1 - persona.wall / random.wall), '%');

  const pools = await coldAndWarm(scenario, options.poolGames);
  const rate = (r: PoolResult | undefined) => (r ? options.poolGames / r.playSeconds : 0);
  const one = pools.get(1);
  const two = pools.get(2);
  for (const [workers, r] of pools) {
    const label = `default persona mix, ${workers} worker thread${workers === 1 ? '' : 's'}`;
    report.add(SECTION, `${label}, first ${options.poolGames} games (fresh workers, as the CLI)`, rate(r.cold), 'games/s');
    report.add(SECTION, `${label}, next ${options.poolGames} games (warm)`, rate(r.warm), 'games/s');
  }
  const coldRatio = rate(two?.cold) / Math.max(rate(one?.cold), 1e-9);
  const warmRatio = rate(two?.warm) / Math.max(rate(one?.warm), 1e-9);
  report.add(SECTION, `2 workers ÷ 1 worker, first ${options.poolGames} games (cold, as the CLI)`, coldRatio, '×');
  report.add(SECTION, `2 workers ÷ 1 worker, next ${options.poolGames} games (warm)`, warmRatio, '×');
  // A worker's games per CPU second of its own thread: equal rates for one and two workers say
  // running two costs nothing extra per game; a speed-up short of 2× is then the machine's (cores
  // taken by other processes and by V8's helper threads), not the program's.
  for (const [workers, r] of pools)
    r.warm.cpuSeconds.forEach((cpu, w) => {
      if (cpu !== null && cpu > 0) report.add(SECTION, `${workers} workers: worker ${w + 1}, per CPU second of its thread (warm)`, (r.warm.gamesPerWorker[w] ?? 0) / cpu, 'games/cpu-s');
    });
  report.add(SECTION, 'load average (1 min) after the worker runs', os.loadavg()[0] ?? 0, '');
  const perCore = Math.max(persona.wall, persona.cpu);
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  report.add(SECTION, `aim ≥ ${SIMULATE_TARGETS.gamesPerCore} games/s on one core (best of wall and CPU rate)`, verdict(perCore >= SIMULATE_TARGETS.gamesPerCore), '');
  report.add(SECTION, `aim 2 workers ≥ ${SIMULATE_TARGETS.twoWorkerSpeedup}× 1 worker (cold, ${options.poolGames} games each, as the CLI)`, verdict(coldRatio >= SIMULATE_TARGETS.twoWorkerSpeedup), '');
  report.add(SECTION, `the same, warm workers`, verdict(warmRatio >= SIMULATE_TARGETS.twoWorkerSpeedup), '');
}
