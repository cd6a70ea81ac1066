/**
 * What the main thread and a worker thread (session-file-worker.ts) say to each other about one job. Apart from the
 * worker's own module, which runs only as a worker: importing it on the main thread would start it there.
 */
import type { ErrorCode, LogEntry } from '@rubicon/shared';
import type { ImportPlan, PlanJob } from './import-verify.ts';
import type { ExportJob } from './session-export.ts';

/** Every job a worker does. */
export type WorkerJob = PlanJob | ExportJob;

export interface WorkerInput {
  job: WorkerJob;
  /** How many log entries follow in `log` messages before the job starts (a branch's, an export's; 0 for a file). */
  logLength: number;
  /** Each scenario serialized (v8.serialize) on the main thread once, rebuilt in the worker when they differ from its last job's. */
  scenarios: Uint8Array[];
}

/**
 * Log entries cross a slice at a time either way, each when the other side
 * asks for it: cloning 8,000 entries back in one piece took the main thread
 * up to ~45 ms (4.9 MB serialized), and posting 8,000 to a worker in one
 * message 12-30 ms; a slice of ENTRIES_PER_MESSAGE took at most 1.6 ms.
 */
export const ENTRIES_PER_MESSAGE = 500;

/**
 * A job (a kept worker takes one after another, worker-pool.ts), then a slice of its log at a time; `more`
 * asks for the next slice of the answer.
 */
export type ToWorker = { type: 'job'; input: WorkerInput } | { type: 'log'; entries: LogEntry[] } | 'more';

export type FromWorker =
  /** A slice of the log was taken and more is needed: send the next. */
  | { type: 'fed' }
  | { type: 'entries'; entries: ImportPlan['entries'] }
  | { type: 'done'; plan: Omit<ImportPlan, 'entries'> }
  /** The export's text, its memory transferred. */
  | { type: 'exported'; text: Uint8Array<ArrayBuffer> }
  | { type: 'refused'; code: ErrorCode; message: string; where?: string; seq?: number };

