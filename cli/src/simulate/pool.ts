import { Worker } from 'node:worker_threads';
import type { Scenario } from '@rubicon/shared';
import { playBatch, type BatchSpec, type BeatRow, type GameRow } from './play.ts';

export interface PoolResult {
  games: GameRow[];
  beats: BeatRow[];
  /** Wall time, worker start-up included. */
  seconds: number;
  /** The slowest worker's time playing, start-up excluded (equal to `seconds` inline). */
  playSeconds: number;
}

/**
 * Plays games [from, to) split over `workers` threads (0: inline, on this
 * thread). Rows come back in game order whatever finished first.
 */
export async function runPool(scenario: Scenario, spec: BatchSpec, workers: number, onProgress: (done: number) => void = () => {}): Promise<PoolResult> {
  const started = performance.now();
  if (workers <= 0) {
    const r = playBatch(scenario, spec, onProgress);
    const seconds = (performance.now() - started) / 1000;
    return { ...r, seconds, playSeconds: seconds };
  }
  const total = spec.to - spec.from;
  const size = Math.ceil(total / workers);
  const done = new Array<number>(workers).fill(0);
  const parts = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const from = spec.from + w * size;
      const to = Math.min(spec.to, from + size);
      if (from >= to) return Promise.resolve({ games: [] as GameRow[], beats: [] as BeatRow[], seconds: 0 });
      return new Promise<{ games: GameRow[]; beats: BeatRow[]; seconds: number }>((resolve, reject) => {
        const worker = new Worker(new URL('./worker-entry.js', import.meta.url), { workerData: { ...spec, from, to } satisfies BatchSpec });
        worker.on('message', (m: { kind: 'progress'; done: number } | { kind: 'done'; games: GameRow[]; beats: BeatRow[]; seconds: number }) => {
          if (m.kind === 'progress') {
            done[w] = m.done;
            onProgress(done.reduce((a, x) => a + x, 0));
          } else {
            done[w] = to - from;
            onProgress(done.reduce((a, x) => a + x, 0));
            resolve({ games: m.games, beats: m.beats, seconds: m.seconds });
            void worker.terminate();
          }
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (code !== 0 && code !== 1) reject(new Error(`a simulation worker stopped with code ${code}`));
        });
      });
    }),
  );
  return {
    games: parts.flatMap((p) => p.games),
    beats: parts.flatMap((p) => p.beats),
    seconds: (performance.now() - started) / 1000,
    playSeconds: Math.max(...parts.map((p) => p.seconds)),
  };
}
