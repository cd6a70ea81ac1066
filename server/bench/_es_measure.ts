import { createGame, randomChooser, runHeadless, replay } from '@rubicon/shared';
import { personaChooser, personaMix } from '@rubicon/shared/bots';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { endlessLog } from './workload.ts';

const what = process.argv[2] ?? 'all';
const ms = Number(process.argv[3] ?? 3000);
const scenario = shippedScenario('april-2024');
const choose = personaChooser(scenario, personaMix(scenario));
const timed = (chooser: typeof choose) => {
  for (let i = 0; i < 50; i++) runHeadless(createGame(scenario, { scenarioId: scenario.id, seed: `w${i}`, review: false }), { choose: chooser, keepLog: false });
  let games = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    runHeadless(createGame(scenario, { scenarioId: scenario.id, seed: `b${games}`, review: false }), { choose: chooser, keepLog: false });
    games++;
  }
  return (games / (performance.now() - t0)) * 1000;
};
if (what === 'all' || what === 'persona') console.log('persona games/s', timed(choose).toFixed(0));
if (what === 'all' || what === 'random') console.log('random games/s', timed(randomChooser).toFixed(0));
if (what === 'all' || what === 'replay') {
  const { game, log } = endlessLog('bench-replay', 10_000);
  for (let i = 0; i < 3; i++) replay(game, log);
  let n = 0; const t0 = performance.now();
  while (performance.now() - t0 < ms) { replay(game, log); n++; }
  console.log('replay events/s', ((n * log.length) / (performance.now() - t0) * 1000).toFixed(0), 'log', log.length);
}
