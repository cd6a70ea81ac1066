/**
 * The worker thread that does the long jobs off the serving thread (import-pipeline.ts hands them over, a
 * kept worker one after another: worker-pool.ts): verifies an uploaded session file, plans a branch, or
 * writes an export. Each job comes with the scenarios, then the job's log a slice at a time, and is answered
 * with the result or the refusal; then the worker waits for the next. Nothing here touches the store.
 */
import { deserialize } from 'node:v8';
import { parentPort } from 'node:worker_threads';
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

/** The scenarios rebuilt for the last job, kept while the next job's bytes are the same (a rebuild of the shipped two took milliseconds). */
let scenarioBytes: Uint8Array[] = [];
let byId = new Map<string, Scenario>();

function scenariosOf(bytes: Uint8Array[]): Map<string, Scenario> {
  const same = bytes.length === scenarioBytes.length && bytes.every((b, i) => Buffer.compare(b, scenarioBytes[i] as Uint8Array) === 0);
  if (!same) {
    byId = new Map(bytes.map((b) => deserialize(b) as Scenario).map((s) => [s.id, s]));
    scenarioBytes = bytes;
  }
  return byId;
}

/** The big byte arrays an answer carries, moved to the main thread rather than copied. */
function transferOf(answer: FromWorker): ArrayBuffer[] {
  if (answer.type === 'exported') return [answer.text.buffer];
  if (answer.type === 'done') return [answer.plan.snapshot.buffer];
  return [];
}

const port = parentPort;
if (!port) throw new Error('session-file-worker.ts runs only as a worker thread');

let input: WorkerInput | null = null;
let log: LogEntry[] = [];
let answers: FromWorker[] = [];

const send = () => {
  const next = answers.shift();
  if (next) port.postMessage(next, transferOf(next));
};
const run = (job: WorkerInput) => {
  const scenarios = scenariosOf(job.scenarios);
  answers = answersOf(job.job, log, (id) => scenarios.get(id));
  // The job's memory goes before the answers do: a kept worker holds nothing of it while it waits.
  input = null;
  log = [];
  send();
};
port.on('message', (message: ToWorker): void => {
  if (message === 'more') return send();
  if (message.type === 'job') {
    input = message.input;
    log = [];
    if (input.logLength === 0) run(input);
    return;
  }
  if (!input) throw new Error('a slice of a log came with no job');
  for (const entry of message.entries) log.push(entry);
  if (log.length < input.logLength) port.postMessage({ type: 'fed' } satisfies FromWorker);
  else run(input);
});
