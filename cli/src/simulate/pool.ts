import { Worker } from 'node:worker_threads';
import type { Scenario } from '@rubicon/shared';
import { playBatch, type BatchSpec, type GameRow } from './play.ts';
import { threadCpuSeconds } from './thread-cpu.ts';
import { bundledWorker } from './worker-code.ts';

export interface PoolResult {
  games: GameRow[];
  /** Wall time of this run (for `runPool`, worker start-up included). */
  seconds: number;
  /** The slowest worker's time playing, start-up excluded (equal to `seconds` inline). */
  playSeconds: number;
  /**
   * Each worker's own CPU seconds playing its share (one entry inline: this thread's), null where
   * the platform cannot tell: games per CPU second of a worker against one thread's shows what
   * running in workers costs, apart from what the machine gives the process.
   */
  cpuSeconds: (number | null)[];
  /** Games each worker played, in the order of `cpuSeconds`. */
  gamesPerWorker: number[];
}

/**
 * The most games a worker is handed at a time: enough that a message per chunk
 * costs nothing beside playing it (about a quarter of a second), few enough
 * that a long run's beats.csv lines are passed on as it goes.
 */
const CHUNK = 1000;

/** The fewest (bar the run's last games): about 12 ms of play, against a message's tenth of a millisecond. */
const MIN_CHUNK = 50;

/**
 * Games [from, to) cut into the chunks handed out in turn: each at most CHUNK
 * games and at most a (2 × workers)th of what is left, so the chunks shrink
 * as the run ends (guided self-scheduling). With equal chunks the
 * worker that takes the last one plays on alone for up to a whole chunk (a
 * quarter of a second) while the others have nothing left, and on a shared
 * machine the workers drift apart by that much; here the last chunks are
 * MIN_CHUNK games and the workers end within about that of each other.
 */
export function chunksOf(from: number, to: number, workers: number): [number, number][] {
  const chunks: [number, number][] = [];
  for (let at = from; at < to; ) {
    const size = Math.min(CHUNK, Math.max(MIN_CHUNK, Math.ceil((to - at) / (2 * Math.max(1, workers)))));
    const end = Math.min(to, at + size);
    chunks.push([at, end]);
    at = end;
  }
  return chunks;
}

/** Hands on items numbered 0, 1, 2, … in that order, whatever order they are put in. */
class InOrder<T> {
  private readonly waiting = new Map<number, T>();
  private next = 0;
  constructor(private readonly emit: (item: T) => void) {}
  put(k: number, item: T): void {
    this.waiting.set(k, item);
    for (let ready = this.waiting.get(this.next); ready !== undefined; ready = this.waiting.get(this.next)) {
      this.waiting.delete(this.next++);
      this.emit(ready);
    }
  }
}

/** What a worker is sent: a batch to play. */
export interface RunMessage {
  kind: 'run';
  id: number;
  spec: BatchSpec;
}

/** What a worker answers. */
export type WorkerMessage =
  | { kind: 'ready' }
  | { kind: 'progress'; id: number; done: number }
  | { kind: 'done'; id: number; games: GameRow[]; beatsCsv: string; seconds: number; cpuSeconds: number | null }
  | { kind: 'failed'; id: number; message: string };

/** What a worker starts with: the scenario itself, so it need not read and check the file again. */
export interface WorkerData {
  scenario: Scenario;
}

/** A worker's share of a run. */
interface Part {
  games: GameRow[];
  beatsCsv: string;
  seconds: number;
  cpuSeconds: number | null;
}

interface Pending {
  onProgress: (done: number) => void;
  resolve: (r: Part) => void;
  reject: (err: Error) => void;
}

/** One worker thread, which plays the batches it is sent one after another. */
class SimulationWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: WorkerMessage) => {
      if (m.kind === 'ready') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.kind === 'progress') return p.onProgress(m.done);
      this.pending.delete(m.id);
      if (m.kind === 'done') p.resolve({ games: m.games, beatsCsv: m.beatsCsv, seconds: m.seconds, cpuSeconds: m.cpuSeconds });
      else p.reject(new Error(`a simulation worker failed: ${m.message}`));
    });
    const fail = (err: Error) => {
      this.failure = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`a simulation worker stopped (exit code ${code})`)));
  }

  /** Starts a worker from `code` (bundledWorker) when there is one, otherwise through tsx. */
  static start(scenario: Scenario, code: string | null): Promise<SimulationWorker> {
    const workerData = { scenario } satisfies WorkerData;
    const worker = code ? new Worker(code, { eval: true, workerData }) : new Worker(new URL('./worker-entry.js', import.meta.url), { workerData });
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (m: WorkerMessage) => {
        worker.off('error', reject);
        if (m.kind === 'ready') resolve(new SimulationWorker(worker));
        else reject(new Error(`a simulation worker said ${m.kind} before it was ready`));
      });
    });
  }

  run(spec: BatchSpec, onProgress: (done: number) => void): Promise<Part> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { onProgress, resolve, reject });
      this.worker.postMessage({ kind: 'run', id, spec } satisfies RunMessage);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/**
 * Worker threads that stay up for a whole `rubicon simulate` (every mix of a
 * sweep), each started once with the scenario. With no workers, batches are
 * played inline on this thread.
 */
export class SimulationPool {
  private constructor(
    private readonly scenario: Scenario,
    private readonly workers: SimulationWorker[],
    /** Wall time it took to start the workers. */
    readonly startSeconds: number,
  ) {}

  static async start(scenario: Scenario, workers: number): Promise<SimulationPool> {
    const started = performance.now();
    const code = workers > 0 ? await bundledWorker() : null;
    const list = await Promise.all(Array.from({ length: Math.max(0, workers) }, () => SimulationWorker.start(scenario, code)));
    return new SimulationPool(scenario, list, (performance.now() - started) / 1000);
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Plays games [from, to) on the workers, handed out in chunks (chunksOf)
   * to whichever worker is free. Rows come back in game order whatever
   * finished first, and each chunk's beats.csv lines go to `onBeatsCsv` in
   * game order as soon as the chunks before it are in, so a long run never
   * holds its whole CSV.
   */
  async run(spec: BatchSpec, onProgress: (done: number) => void = () => {}, onBeatsCsv: (lines: string) => void = () => {}): Promise<PoolResult> {
    const started = performance.now();
    if (this.workers.length === 0) return this.runInline(spec, onProgress, onBeatsCsv, started);
    const ranges = chunksOf(spec.from, spec.to, this.workers.length);
    const out = new InOrder<Part>((part) => onBeatsCsv(part.beatsCsv));
    const games: GameRow[][] = [];
    const shares = this.workers.map(() => ({ seconds: 0, cpuSeconds: 0 as number | null, played: 0 }));
    const inChunk = this.workers.map(() => 0);
    let finished = 0;
    const report = () => onProgress(finished + inChunk.reduce((a, n) => a + n, 0));
    let next = 0;
    // After a chunk fails the run is lost: the other workers take no more of it.
    const take = () => (next < 0 ? ranges.length : next++);
    await Promise.all(
      this.workers.map(async (worker, w) => {
        const share = shares[w]!;
        for (let k = take(); k < ranges.length; k = take()) {
          const [from, to] = ranges[k]!;
          const part = await worker.run({ ...spec, from, to }, (n) => ((inChunk[w] = n), report())).catch((err: unknown) => {
            next = -1;
            throw err;
          });
          share.seconds += part.seconds;
          share.cpuSeconds = share.cpuSeconds === null || part.cpuSeconds === null ? null : share.cpuSeconds + part.cpuSeconds;
          share.played += to - from;
          finished += to - from;
          inChunk[w] = 0;
          report();
          games[k] = part.games;
          out.put(k, part);
        }
      }),
    );
    return {
      games: games.flat(),
      seconds: (performance.now() - started) / 1000,
      playSeconds: Math.max(...shares.map((p) => p.seconds)),
      cpuSeconds: shares.map((p) => p.cpuSeconds),
      gamesPerWorker: shares.map((p) => p.played),
    };
  }

  private runInline(spec: BatchSpec, onProgress: (done: number) => void, onBeatsCsv: (lines: string) => void, started: number): PoolResult {
    const cpu0 = threadCpuSeconds();
    const r = playBatch(this.scenario, spec, onProgress);
    const cpu1 = threadCpuSeconds();
    onBeatsCsv(r.beatsCsv);
    const seconds = (performance.now() - started) / 1000;
    return { games: r.games, seconds, playSeconds: seconds, cpuSeconds: [cpu0 === null || cpu1 === null ? null : cpu1 - cpu0], gamesPerWorker: [spec.to - spec.from] };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}

/** Starts a pool, plays one batch on it and stops it: `seconds` then includes starting the workers. */
export async function runPool(scenario: Scenario, spec: BatchSpec, workers: number, onProgress: (done: number) => void = () => {}, onBeatsCsv: (lines: string) => void = () => {}): Promise<PoolResult> {
  const started = performance.now();
  const pool = await SimulationPool.start(scenario, workers);
  try {
    const r = await pool.run(spec, onProgress, onBeatsCsv);
    return { ...r, seconds: (performance.now() - started) / 1000 };
  } finally {
    await pool.close();
  }
}
