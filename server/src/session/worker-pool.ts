import type { Worker } from 'node:worker_threads';

export interface WorkerPoolOptions {
  /** Workers busy at once; a job past it gets none (the caller refuses it). */
  size: number;
  /** An idle worker is stopped after this long without a job, so a quiet process holds no threads. */
  idleMs: number;
  /** A new worker, cold: module loading and JIT warm-up are what keeping it saves the next job. */
  start: () => Worker;
}

/** What the pool holds right now, and how many workers it has started in all. */
export interface WorkerPoolStats {
  busy: number;
  idle: number;
  started: number;
}

/** An idle worker's own timer and the listener that forgets it if it dies while it waits. */
interface Waiting {
  timer: ReturnType<typeof setTimeout>;
  gone: () => void;
}

/**
 * Worker threads kept between jobs: each new one costs a cold start (0.3-0.5 s of CPU for an export of
 * 8,000 entries), so a finished worker waits, unref'd (it never keeps the process alive), for the next job
 * until `idleMs` passes. Busy and idle together never pass `size`. A worker handed back as not reusable
 * (it failed, timed out, or was left half way through a job) is stopped, never handed out again; so is one
 * that dies while it waits.
 */
export class WorkerPool {
  private readonly waiting = new Map<Worker, Waiting>();
  private busy = 0;
  private started = 0;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {}

  /** A worker for one job, the most recently idle first (the warmest); null when `size` are busy. */
  acquire(): Worker | null {
    if (this.closed || this.busy >= this.options.size) return null;
    this.busy++;
    const kept = [...this.waiting.keys()].at(-1);
    if (kept) {
      this.forget(kept);
      kept.ref();
      return kept;
    }
    this.started++;
    return this.options.start();
  }

  /** The job on `worker` is over; it waits for the next only if it finished cleanly and the pool is open. */
  release(worker: Worker, reusable: boolean): void {
    this.busy--;
    if (!reusable || this.closed) {
      void worker.terminate();
      return;
    }
    worker.unref();
    const gone = () => {
      this.forget(worker);
      void worker.terminate();
    };
    const timer = setTimeout(gone, this.options.idleMs);
    timer.unref();
    // An idle worker that dies is dropped; its error must not go unheard (an unheard 'error' throws here).
    worker.on('error', gone);
    worker.on('exit', gone);
    this.waiting.set(worker, { timer, gone });
  }

  stats(): WorkerPoolStats {
    return { busy: this.busy, idle: this.waiting.size, started: this.started };
  }

  /** Stops every idle worker and keeps none from now on; busy ones stop as their jobs end. */
  async close(): Promise<void> {
    this.closed = true;
    const idle = [...this.waiting.keys()];
    for (const worker of idle) this.forget(worker);
    await Promise.all(idle.map((worker) => worker.terminate()));
  }

  private forget(worker: Worker): void {
    const waiting = this.waiting.get(worker);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    worker.off('error', waiting.gone);
    worker.off('exit', waiting.gone);
    this.waiting.delete(worker);
  }
}
