import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { GameSetup, LogEntry, Scenario, SessionHeader } from '@rubicon/shared';
import type { Logger } from '../logger.ts';
import { planJob, type ImportPlan, type ImportPurpose, type PlanJob } from './import-verify.ts';
import { ServiceError, unavailable } from './service-error.ts';
import { exportedText, type ExportJob } from './session-export.ts';
import { ENTRIES_PER_MESSAGE, type FromWorker, type ToWorker, type WorkerInput, type WorkerJob } from './worker-messages.ts';
import { WorkerPool, type WorkerPoolStats } from './worker-pool.ts';

/**
 * How to start session-file-worker: the compiled .js directly in production; from
 * source (development, tests) through a two-line bootstrap that registers
 * tsx inside the worker first, since Node 20 does not apply `--import tsx`
 * to a worker's own entry module.
 */
function workerEntry(): [string | URL, { eval?: boolean }] {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return [new URL('./session-file-worker.js', here), {}];
  const tsxDir = path.dirname(createRequire(here).resolve('tsx/package.json'));
  const api = pathToFileURL(path.join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./session-file-worker.ts', here).href;
  return [`import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`, { eval: true }];
}

export interface ImportVerifierOptions {
  /** Every scenario an uploaded file may name. */
  scenarios: () => Scenario[];
  /** A worker that takes longer than this is stopped and the job refused. */
  timeoutMs?: number;
  /** Jobs in workers at once in this process (imports, branches and exports together); more are refused with a retry hint. */
  maxConcurrent?: number;
  /** Files up to this size are checked on the spot: their replay takes a few ms, less than starting a worker. */
  inlineBytes?: number;
  /** Branches and exports of up to this many entries are made on the spot, for the same reason. */
  inlineEntries?: number;
  /** A worker kept after its job is stopped after this long without another (worker-pool.ts). */
  idleMs?: number;
  /** Where a worker that stops before it answers is reported. */
  logger?: Logger;
}

/** What a worker answers a job with, once it has: a plan (an import, a branch) or an export's text. */
type WorkerAnswer = { type: 'plan'; plan: ImportPlan } | { type: 'exported'; text: Uint8Array<ArrayBuffer> };

/** A job that outlives the timeout is stopped and refused, in words for what it was. */
const TOO_LONG: Record<WorkerJob['kind'], string> = {
  file: 'The session file took too long to check.',
  branch: 'The branch took too long to make.',
  export: 'The session took too long to export.',
};

/** The one refusal when every worker is taken, whatever the job: they share the cap. */
const BUSY = 'Other long imports, branches or exports are running on this server right now';

/**
 * Each scenario as the bytes of its structured clone, made once: a worker
 * gets copies of these bytes (a memcpy) and rebuilds the objects on its own
 * thread, where cloning the objects themselves for every worker took the
 * main thread 4-10 ms (436 KB for the two shipped scenarios).
 */
const serializedScenarios = new WeakMap<Scenario, Uint8Array>();

function serializedScenario(scenario: Scenario): Uint8Array {
  let bytes = serializedScenarios.get(scenario);
  if (!bytes) {
    bytes = serialize(scenario);
    serializedScenarios.set(scenario, bytes);
  }
  return bytes;
}

/** A new worker, cold; it takes its jobs by message (session-file-worker.ts). */
function startWorker(): Worker {
  const [entry, how] = workerEntry();
  return new Worker(entry, { ...how, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
}

/**
 * The body's memory, handed to the worker rather than copied: a Buffer that
 * is the whole of its ArrayBuffer moves with it (the caller's view is left
 * empty); a view into a shared one (a pooled small Buffer) is copied.
 */
function ownedBytes(body: Uint8Array): Uint8Array<ArrayBuffer> {
  const { buffer } = body;
  if (buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.byteLength === buffer.byteLength) return new Uint8Array(buffer);
  return new Uint8Array(body);
}

/**
 * The long jobs on a session's whole log, each in a worker thread (session-file-worker.ts), kept warm between jobs
 * (worker-pool.ts): verifying an uploaded file, planning a branch, writing an export. Parsing, schema checks, replaying and hashing a long
 * log take seconds for tens of thousands of entries, and never hold up the event loop that serves the games.
 * Small ones (a few hundred entries) are done on the spot: a few milliseconds. The workers share one cap.
 */
export class ImportVerifier {
  private readonly timeoutMs: number;
  private readonly inlineEntries: number;
  private readonly pool: WorkerPool;

  constructor(private readonly options: ImportVerifierOptions) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.inlineEntries = options.inlineEntries ?? 200;
    this.pool = new WorkerPool({ size: options.maxConcurrent ?? 2, idleMs: options.idleMs ?? 30_000, start: startWorker });
  }

  /** `body` goes to the worker if the file is big enough to need one: the caller must not read it afterwards. */
  verify(body: Uint8Array, purpose: ImportPurpose): Promise<ImportPlan> {
    return this.plan({ kind: 'file', body, purpose }, [], body.length <= (this.options.inlineBytes ?? 64 * 1024));
  }

  /**
   * A branch of a session at `version` (planBranch) from its log up to there: hashing the chain and replaying
   * the log took seconds of the event loop for a long one (8,000 entries: 4.6 s), which anyone who imports a
   * file may ask for.
   */
  branch(setup: GameSetup, header: SessionHeader, log: readonly LogEntry[], version: number): Promise<ImportPlan> {
    return this.plan({ kind: 'branch', setup, header, version }, log, version <= this.inlineEntries);
  }

  /** A session's export as the UTF-8 bytes of its JSON text (session-export.ts); hashing its chain is as long as a branch's. */
  async exportText(setup: GameSetup, header: SessionHeader, log: readonly LogEntry[], exportedAt: number): Promise<Uint8Array<ArrayBuffer>> {
    const job: ExportJob = { kind: 'export', setup, header, exportedAt };
    if (log.length <= this.inlineEntries) return exportedText(job, log, this.scenarioLookup());
    const answer = await this.inWorker(job, log);
    if (answer.type !== 'exported') throw new Error(`an export's worker answered with a ${answer.type}`);
    return answer.text;
  }

  private async plan(job: PlanJob, log: readonly LogEntry[], inline: boolean): Promise<ImportPlan> {
    if (inline) return planJob(job, log, this.scenarioLookup());
    const answer = await this.inWorker(job, log);
    if (answer.type !== 'plan') throw new Error(`a ${job.kind}'s worker answered with an export`);
    return answer.plan;
  }

  private scenarioLookup(): (id: string) => Scenario | undefined {
    const byId = new Map(this.options.scenarios().map((s) => [s.id, s]));
    return (id) => byId.get(id);
  }

  /** Stops the idle workers; a job still running ends as it would have, and its worker with it. */
  close(): Promise<void> {
    return this.pool.close();
  }

  /** The workers kept and started (worker-pool.ts). */
  workers(): WorkerPoolStats {
    return this.pool.stats();
  }

  private async inWorker(job: WorkerJob, log: readonly LogEntry[]): Promise<WorkerAnswer> {
    const worker = this.pool.acquire();
    if (!worker) throw unavailable(BUSY, 5000);
    // Transferred, not cloned (the caller's view is left empty).
    const owned = job.kind === 'file' ? { ...job, body: ownedBytes(job.body) } : job;
    const input: WorkerInput = { job: owned, logLength: log.length, scenarios: this.options.scenarios().map(serializedScenario) };
    const outcome = await runOn(worker, input, log, this.timeoutMs, this.options.logger);
    this.pool.release(worker, outcome.ok || outcome.reusable);
    if (!outcome.ok) throw outcome.error;
    return outcome.answer;
  }
}

/** A worker that stops before it answers (a crash, running out of memory, terminated): a typed failure, logged once. */
function stoppedEarly(kind: WorkerJob['kind'], logger: Logger | undefined, cause: unknown): ServiceError {
  logger?.error({ err: cause, job: kind }, 'a worker thread stopped before it answered');
  return new ServiceError('internal', 'The worker thread doing this stopped before it finished; nothing was changed.');
}

/** A worker's answer to one job, or how it ended without one; `reusable` says whether the worker may take another. */
type Outcome = { ok: true; answer: WorkerAnswer } | { ok: false; error: ServiceError; reusable: boolean };

/**
 * One job on `worker`: the job and the scenarios first, then the log a slice at a time, each when the worker
 * has taken the one before (a structured clone of the whole log in one message held the main thread as long
 * as the clone took), then the answer back the same way. Settles once: the answer, the refusal, the timeout,
 * or the worker's death. Only an answer or a refusal leaves the worker fit for another job.
 */
function runOn(worker: Worker, input: WorkerInput, log: readonly LogEntry[], timeoutMs: number, logger: Logger | undefined): Promise<Outcome> {
  const { job } = input;
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      resolve(outcome);
    };
    const failed = (err: unknown) => settle({ ok: false, error: stoppedEarly(job.kind, logger, err), reusable: false });
    const timer = setTimeout(() => settle({ ok: false, error: new ServiceError('too_large', TOO_LONG[job.kind]), reusable: false }), timeoutMs);
    let fed = 0;
    // Thrown from an event handler, a failed clone would take the process down with it.
    const post = (message: ToWorker, transfer: ArrayBuffer[] = []) => {
      try {
        worker.postMessage(message, transfer);
      } catch (err) {
        failed(err);
      }
    };
    const feed = () => {
      const entries = log.slice(fed, fed + ENTRIES_PER_MESSAGE);
      fed += entries.length;
      post({ type: 'log', entries });
    };
    const entries: ImportPlan['entries'][number][] = [];
    const onMessage = (m: FromWorker) => {
      if (m.type === 'fed') return feed();
      if (m.type === 'entries') {
        for (const e of m.entries) entries.push(e);
        // The next slice, in a later turn of this event loop.
        return post('more');
      }
      if (m.type === 'done') return settle({ ok: true, answer: { type: 'plan', plan: { ...m.plan, entries } } });
      if (m.type === 'exported') return settle({ ok: true, answer: { type: 'exported', text: m.text } });
      const { code, message, where, seq } = m;
      settle({ ok: false, error: new ServiceError(code, message, { ...(where === undefined ? {} : { where }), ...(seq === undefined ? {} : { seq }) }), reusable: true });
    };
    const onError = (err: Error) => failed(err);
    const onExit = (code: number) => failed(new Error(`the worker exited with code ${code} before answering`));
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    // Transferred, not cloned: a structured clone of a 3 MB body held the main thread 1-35 ms.
    post({ type: 'job', input }, job.kind === 'file' ? [job.body.buffer as ArrayBuffer] : []);
    if (log.length > 0 && !settled) feed();
  });
}
