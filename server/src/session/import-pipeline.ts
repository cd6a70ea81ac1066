import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { GameSetup, LogEntry, Scenario, SessionHeader } from '@rubicon/shared';
import { planJob, type ImportPlan, type ImportPurpose, type PlanJob } from './import-verify.ts';
import type { FromWorker, WorkerInput } from './import-worker.ts';
import { ServiceError, unavailable } from './service-error.ts';

/**
 * How to start import-worker: the compiled .js directly in production; from
 * source (development, tests) through a two-line bootstrap that registers
 * tsx inside the worker first, since Node 20 does not apply `--import tsx`
 * to a worker's own entry module.
 */
function workerEntry(): [string | URL, { eval?: boolean }] {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return [new URL('./import-worker.js', here), {}];
  const tsxDir = path.dirname(createRequire(here).resolve('tsx/package.json'));
  const api = pathToFileURL(path.join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./import-worker.ts', here).href;
  return [`import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`, { eval: true }];
}

export interface ImportVerifierOptions {
  /** Every scenario an uploaded file may name. */
  scenarios: () => Scenario[];
  /** A worker that takes longer than this is stopped and the import refused. */
  timeoutMs?: number;
  /** Imports verified at once by this process; more are refused with a retry hint. */
  maxConcurrent?: number;
  /** Files up to this size are checked on the spot: their replay takes a few ms, less than starting a worker. */
  inlineBytes?: number;
  /** Branches at up to this many entries are made on the spot, for the same reason. */
  inlineEntries?: number;
}

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
 * Verifies uploaded session files in worker threads, one per import, so that
 * parsing, schema checks and the replay of a long log (seconds for tens of
 * thousands of entries) never hold up the event loop that serves the games.
 * Small files (a few hundred entries) are checked inline: a few milliseconds.
 */
export class ImportVerifier {
  private running = 0;
  private readonly timeoutMs: number;
  private readonly maxConcurrent: number;

  constructor(private readonly options: ImportVerifierOptions) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxConcurrent = options.maxConcurrent ?? 2;
  }

  /** `body` goes to the worker if the file is big enough to need one: the caller must not read it afterwards. */
  verify(body: Uint8Array, purpose: ImportPurpose): Promise<ImportPlan> {
    return this.plan({ kind: 'file', body, purpose }, body.length <= (this.options.inlineBytes ?? 64 * 1024));
  }

  /**
   * A branch of a session at `version` (planBranch): hashing the chain and replaying the log up to there took
   * seconds of the event loop for a long one (8,000 entries: 4.6 s), which anyone who imports a file may ask for.
   */
  branch(setup: GameSetup, header: SessionHeader, log: LogEntry[], version: number): Promise<ImportPlan> {
    return this.plan({ kind: 'branch', setup, header, log, version }, version <= (this.options.inlineEntries ?? 200));
  }

  private async plan(job: PlanJob, inline: boolean): Promise<ImportPlan> {
    if (inline) {
      const byId = new Map(this.options.scenarios().map((s) => [s.id, s]));
      return planJob(job, (id) => byId.get(id));
    }
    if (this.running >= this.maxConcurrent)
      throw unavailable('Other imports are being checked right now', 5000);
    this.running++;
    try {
      return await this.inWorker(job);
    } finally {
      this.running--;
    }
  }

  private inWorker(job: PlanJob): Promise<ImportPlan> {
    const [entry, how] = workerEntry();
    // Transferred, not cloned: a structured clone of a 3 MB body held the main thread 1-35 ms.
    const transferred = job.kind === 'file' ? { ...job, body: ownedBytes(job.body) } : job;
    const worker = new Worker(entry, {
      ...how,
      workerData: { job: transferred, scenarios: this.options.scenarios().map(serializedScenario) } satisfies WorkerInput,
      transferList: transferred.kind === 'file' ? [transferred.body.buffer] : [],
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
    return new Promise<ImportPlan>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new ServiceError('too_large', 'The session file took too long to check.'));
        void worker.terminate();
      }, this.timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        void worker.terminate();
      };
      const entries: ImportPlan['entries'][number][] = [];
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'entries') {
          for (const e of m.entries) entries.push(e);
          // The next slice, in a later turn of this event loop.
          worker.postMessage('more');
          return;
        }
        finish();
        if (m.type === 'done') resolve({ ...m.plan, entries });
        else reject(new ServiceError(m.code, m.message, { ...(m.where === undefined ? {} : { where: m.where }), ...(m.seq === undefined ? {} : { seq: m.seq }) }));
      });
      worker.on('error', (err) => {
        finish();
        reject(err);
      });
      worker.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the import worker exited with code ${code} before answering`));
      });
    });
  }
}
