import { parentPort, workerData } from 'node:worker_threads';
import { playBatch } from './play.ts';
import { threadCpuSeconds } from './thread-cpu.ts';
import type { RunMessage, WorkerData, WorkerMessage } from './pool.ts';

/** A worker thread plays the batches it is sent, posting progress and then its rows; a batch that throws is reported, not fatal. */
const { scenario } = workerData as WorkerData;
const port = parentPort;
if (!port) throw new Error('worker.ts runs as a worker thread');
const post = (m: WorkerMessage) => port.postMessage(m);
port.on('message', (m: RunMessage) => {
  const started = performance.now();
  const cpu0 = threadCpuSeconds();
  try {
    const result = playBatch(scenario, m.spec, (done) => post({ kind: 'progress', id: m.id, done }));
    const cpu1 = threadCpuSeconds();
    const cpuSeconds = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
    post({ kind: 'done', id: m.id, ...result, seconds: (performance.now() - started) / 1000, cpuSeconds });
  } catch (err) {
    post({ kind: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) });
  }
});
post({ kind: 'ready' });
