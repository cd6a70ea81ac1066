/**
 * The worker thread that verifies one uploaded session file
 * (import-pipeline.ts starts it): it gets the file's bytes and the
 * scenarios, and answers with the plan or the refusal. Nothing here touches
 * the store.
 */
import { deserialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { ErrorCode, Scenario } from '@rubicon/shared';
import { planImport, type ImportPlan, type ImportPurpose } from './import-verify.ts';
import { ServiceError } from './service-error.ts';

export interface WorkerInput {
  body: Uint8Array;
  /** Each scenario serialized (v8.serialize) on the main thread once, rebuilt here. */
  scenarios: Uint8Array[];
  purpose: ImportPurpose;
}

export type FromWorker =
  | { type: 'done'; plan: ImportPlan }
  | { type: 'refused'; code: ErrorCode; message: string; where?: string; seq?: number };

const port = parentPort;
if (!port) throw new Error('import-worker.ts runs only as a worker thread');

const { body, scenarios, purpose } = workerData as WorkerInput;
const byId = new Map(scenarios.map((bytes) => deserialize(bytes) as Scenario).map((s) => [s.id, s]));
let answer: FromWorker;
try {
  answer = { type: 'done', plan: planImport(new TextDecoder().decode(body), (id) => byId.get(id), purpose) };
} catch (err) {
  if (!(err instanceof ServiceError)) throw err;
  const { where, seq } = err.extra;
  answer = { type: 'refused', code: err.code, message: err.message, ...(where === undefined ? {} : { where }), ...(seq === undefined ? {} : { seq }) };
}
port.postMessage(answer);
