/**
 * The worker thread that verifies one uploaded session file
 * (import-pipeline.ts starts it): it gets the file's bytes and the
 * scenarios, and answers with the plan or the refusal. Nothing here touches
 * the store.
 */
import { deserialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { ErrorCode, Scenario } from '@rubicon/shared';
import { planJob, type ImportPlan, type PlanJob } from './import-verify.ts';
import { ServiceError } from './service-error.ts';

export interface WorkerInput {
  /** An uploaded file to check, or a session's log to branch. */
  job: PlanJob;
  /** Each scenario serialized (v8.serialize) on the main thread once, rebuilt here. */
  scenarios: Uint8Array[];
}

/**
 * A plan's entries cross back a slice at a time, each when the main thread
 * asks for it (any message to the worker): cloning them back took the main
 * thread up to ~45 ms in one piece for 8,000 entries (4.9 MB serialized);
 * slices of ENTRIES_PER_MESSAGE are each a short turn of its event loop.
 */
export const ENTRIES_PER_MESSAGE = 500;

export type FromWorker =
  | { type: 'entries'; entries: ImportPlan['entries'] }
  | { type: 'done'; plan: Omit<ImportPlan, 'entries'> }
  | { type: 'refused'; code: ErrorCode; message: string; where?: string; seq?: number };

const port = parentPort;
if (!port) throw new Error('import-worker.ts runs only as a worker thread');

const { job, scenarios } = workerData as WorkerInput;
const byId = new Map(scenarios.map((bytes) => deserialize(bytes) as Scenario).map((s) => [s.id, s]));
let answers: FromWorker[];
try {
  const { entries, ...plan } = planJob(job, (id) => byId.get(id));
  answers = [];
  for (let i = 0; i < entries.length; i += ENTRIES_PER_MESSAGE) answers.push({ type: 'entries', entries: entries.slice(i, i + ENTRIES_PER_MESSAGE) });
  answers.push({ type: 'done', plan });
} catch (err) {
  if (!(err instanceof ServiceError)) throw err;
  const { where, seq } = err.extra;
  answers = [{ type: 'refused', code: err.code, message: err.message, ...(where === undefined ? {} : { where }), ...(seq === undefined ? {} : { seq }) }];
}
const send = () => {
  const next = answers.shift();
  if (next) port.postMessage(next);
  if (answers.length === 0) port.off('message', send);
};
port.on('message', send);
send();
