import { parentPort, workerData } from 'node:worker_threads';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { playBatch, type BatchSpec } from './play.ts';

/** A worker thread plays one batch and posts progress, then its rows. */
const spec = workerData as BatchSpec;
const scenario = shippedScenario(spec.scenarioId);
const started = performance.now();
const result = playBatch(scenario, spec, (done) => parentPort?.postMessage({ kind: 'progress', done }));
parentPort?.postMessage({ kind: 'done', ...result, seconds: (performance.now() - started) / 1000 });
