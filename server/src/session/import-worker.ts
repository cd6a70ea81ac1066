/**
 * The worker thread that does one long job off the serving thread
 * (import-pipeline.ts starts it): verifies an uploaded session file, plans a
 * branch, or writes an export. It gets the job and the scenarios, then the
 * job's log a slice at a time, and answers with the result or the refusal.
 * Nothing here touches the store.
 */
import { deserialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { LogEntry, Scenario } from '@rubicon/shared';
import { planJob } from './import-verify.ts';
import { ServiceError } from './service-error.ts';
import { exportedText } from './session-export.ts';
import { ENTRIES_PER_MESSAGE, type FromWorker, type ToWorker, type WorkerInput, type WorkerJob } from './worker-messages.ts';

/** The job's answers in the order they are sent, or its refusal. */
function answersOf(job: WorkerJob, log: readonly LogEntry[], scenarioOf: (id: string) => Scenario | undefined): FromWorker[] {
  try {
    if (job.kind === 'export') return [{ type: 'exported', text: exportedText(job, log, scenarioOf) }];
    const { entries, ...plan } = planJob(job, log, scenarioOf);
    const answers: FromWorker[] = [];
    for (let i = 0; i < entries.length; i += ENTRIES_PER_MESSAGE) answers.push({ type: 'entries', entries: entries.slice(i, i + ENTRIES_PER_MESSAGE) });
    answers.push({ type: 'done', plan });
    return answers;
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    const { where, seq } = err.extra;
    return [{ type: 'refused', code: err.code, message: err.message, ...(where === undefined ? {} : { where }), ...(seq === undefined ? {} : { seq }) }];
  }
}

const port = parentPort;
if (!port) throw new Error('import-worker.ts runs only as a worker thread');

const { job, logLength, scenarios } = workerData as WorkerInput;
const byId = new Map(scenarios.map((bytes) => deserialize(bytes) as Scenario).map((s) => [s.id, s]));
const log: LogEntry[] = [];
let answers: FromWorker[] = [];

const send = () => {
  const next = answers.shift();
  if (next) port.postMessage(next, next.type === 'exported' ? [next.text.buffer] : []);
  if (answers.length === 0) port.off('message', onMessage);
};
const run = () => {
  answers = answersOf(job, log, (id) => byId.get(id));
  send();
};
const onMessage = (message: ToWorker): void => {
  if (message === 'more') return send();
  for (const entry of message.entries) log.push(entry);
  if (log.length < logLength) port.postMessage({ type: 'fed' } satisfies FromWorker);
  else run();
};
port.on('message', onMessage);
if (logLength === 0) run();
