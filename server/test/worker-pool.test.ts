/**
 * The long jobs' workers are kept between jobs (worker-pool.ts): a fresh worker per export cost a cold start
 * each time (0.8 s for an 8,000-entry export where the serving thread had taken 0.4 s). Told by which Worker
 * objects the jobs' messages go to: a second job goes to the first one's worker; a worker that dies mid-job
 * answers 500 and is never handed out again; the cap's 503 still holds with a worker kept; an idle worker
 * goes away after its idle time.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry, SessionHeader } from '@rubicon/shared';
import { shippedScenarios } from '@rubicon/shared/scenario-files';
import { endlessLog } from '../bench/workload.ts';
import { ImportVerifier } from '../src/session/import-pipeline.ts';
import { planBranch } from '../src/session/import-verify.ts';
import { exportedText } from '../src/session/session-export.ts';
import { ServiceError } from '../src/session/service-error.ts';

const catalog = shippedScenarios();
const { game, log } = endlessLog('worker-pool', 300);
const header: SessionHeader = { sessionId: 'pooled', title: 'A pooled export', createdAt: 1, parent: null };

/** The Worker each job's first message went to, in order; `stopOn(n)` stops the worker of the n-th job as its log is handed over. */
function watchWorkers(stopOn?: number): { jobs: Worker[]; restore: () => void } {
  const { postMessage } = Worker.prototype;
  const jobs: Worker[] = [];
  let logsOfJob = 0;
  Worker.prototype.postMessage = function (this: Worker, value: unknown, transfer?: Parameters<Worker['postMessage']>[1]) {
    const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
    if (type === 'job') {
      jobs.push(this);
      logsOfJob = 0;
    }
    if (type === 'log' && logsOfJob++ === 0 && jobs.length === stopOn) void this.terminate();
    return postMessage.call(this, value, transfer);
  } as Worker['postMessage'];
  return { jobs, restore: () => void (Worker.prototype.postMessage = postMessage) };
}

function exportOf(verifier: ImportVerifier, entries: readonly LogEntry[] = log): Promise<Uint8Array> {
  return verifier.exportText(game.setup, header, entries, 1);
}

const verifiers: ImportVerifier[] = [];
function pooled(options: { maxConcurrent?: number; idleMs?: number; timeoutMs?: number } = {}): ImportVerifier {
  const verifier = new ImportVerifier({ scenarios: () => catalog.all(), inlineBytes: 0, inlineEntries: 0, ...options });
  verifiers.push(verifier);
  return verifier;
}
afterEach(async () => {
  for (const v of verifiers.splice(0)) await v.close();
});

describe('the long jobs\' worker pool', () => {
  keptWorkerCases();
  stoppedWorkerCases();
});

/** A kept worker: reused, replaced when it dies mid-job, and the cap on jobs. */
function keptWorkerCases(): void {
  it('runs a second job on the first one\'s worker, with the same result as on the spot', async () => {
    const watched = watchWorkers();
    const verifier = pooled();
    try {
      const expected = exportedText({ kind: 'export', setup: game.setup, header, exportedAt: 1 }, log, (id) => catalog.get(id));
      expect(await exportOf(verifier)).toEqual(expected);
      expect(await exportOf(verifier)).toEqual(expected);
      // A branch is a job of another kind on the same worker.
      const plan = await verifier.branch(game.setup, header, log, 100);
      expect(plan).toEqual(planBranch(game, header, log, 100));
    } finally {
      watched.restore();
    }
    expect(watched.jobs).toHaveLength(3);
    expect(new Set(watched.jobs).size).toBe(1);
    expect(verifier.workers()).toEqual({ busy: 0, idle: 1, started: 1 });
  }, 60_000);

  it('answers 500 when a kept worker dies mid-job, and hands the next job to a new one', async () => {
    const watched = watchWorkers(2);
    const verifier = pooled();
    let failure: unknown;
    try {
      await exportOf(verifier);
      failure = await exportOf(verifier).catch((err: unknown) => err);
      await exportOf(verifier);
    } finally {
      watched.restore();
    }
    expect(failure).toBeInstanceOf(ServiceError);
    expect((failure as ServiceError).code).toBe('internal');
    const [first, second, third] = watched.jobs;
    expect(second).toBe(first);
    expect(third).not.toBe(second);
    expect(verifier.workers()).toEqual({ busy: 0, idle: 1, started: 2 });
  }, 60_000);

  it('refuses a job past the cap with 503 though a worker is kept, and takes it once one is free', async () => {
    const verifier = pooled({ maxConcurrent: 1 });
    await exportOf(verifier);
    expect(verifier.workers()).toEqual({ busy: 0, idle: 1, started: 1 });
    const running = exportOf(verifier);
    const refused = await exportOf(verifier).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ServiceError);
    expect((refused as ServiceError).code).toBe('unavailable');
    await running;
    await exportOf(verifier);
    expect(verifier.workers()).toEqual({ busy: 0, idle: 1, started: 1 });
  }, 60_000);
}

/** Workers stopped when idle, when they die waiting, and after a job timed out. */
function stoppedWorkerCases(): void {
  it('stops an idle worker after its idle time, and drops one that dies while it waits', async () => {
    const watched = watchWorkers();
    const verifier = pooled({ idleMs: 200 });
    try {
      await exportOf(verifier);
      const [kept] = watched.jobs as [Worker];
      expect(verifier.workers().idle).toBe(1);
      await once(kept, 'exit');
      expect(verifier.workers()).toEqual({ busy: 0, idle: 0, started: 1 });

      await exportOf(verifier);
      const dying = watched.jobs[1] as Worker;
      expect(dying).not.toBe(kept);
      const exited = once(dying, 'exit');
      await dying.terminate();
      await exited;
      expect(verifier.workers().idle).toBe(0);
      await exportOf(verifier);
      expect(watched.jobs[2]).not.toBe(dying);
    } finally {
      watched.restore();
    }
  }, 60_000);

  it('never hands out a worker whose job timed out: it is stopped, and the next job starts another', async () => {
    const verifier = pooled({ timeoutMs: 1 });
    for (const started of [1, 2]) {
      const refused = await exportOf(verifier).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(ServiceError);
      expect((refused as ServiceError).code).toBe('too_large');
      expect(verifier.workers()).toEqual({ busy: 0, idle: 0, started });
    }
  }, 60_000);
}
