/**
 * One Redis outage, one wording. A command and a join are bounded by their own deadlines, which fire before the
 * store's own timeout; a summary's store call fails as unreachable. While the process knows the store is down (its
 * outage log: a probe or a command failed and nothing has answered since), a deadline's refusal says what every
 * other refusal of the outage says, "not reachable"; with the store up, a deadline passed because the store or the
 * process was slow still says the server is busy. Code and retry hint are the same either way.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { CreateSessionResponse } from '@rubicon/shared';
import { createMetrics } from '../src/metrics.ts';
import { SessionDirectory } from '../src/session/session-directory.ts';
import { httpRefusal, unavailable } from '../src/session/service-error.ts';
import { SessionService } from '../src/session/session-service.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import type { Scheduler } from '../src/store/types.ts';
import { codeFor } from './harness.ts';
import { facilitator, message, seat } from './write-batches-fixture.ts';

const noScheduler: Scheduler = { schedule: async () => {}, cancel: async () => {}, start: () => {}, stop: async () => {} };
const BOUND_MS = 40;

/** A store that hangs (a stopped Redis keeps its socket open) once `stopped`, and says whether it is known down. */
class StoppingStore extends MemoryStore {
  stopped = false;
  down = false;
  unreachable(): boolean {
    return this.down;
  }
  private hang<T>(then: () => T | Promise<T>): T | Promise<T> {
    return this.stopped ? new Promise<T>(() => {}) : then();
  }
  override appendBatch(...args: Parameters<MemoryStore['appendBatch']>): ReturnType<MemoryStore['appendBatch']> {
    return this.hang(() => super.appendBatch(...args));
  }
  override async resolveCode(code: string): ReturnType<MemoryStore['resolveCode']> {
    return this.hang(() => super.resolveCode(code));
  }
}

async function setUp(): Promise<{ store: StoppingStore; service: SessionService; directory: SessionDirectory; session: CreateSessionResponse }> {
  const store = new StoppingStore();
  const clock = { now: () => 1_712_000_000_000 };
  const logger = pino({ level: 'silent' });
  const service = new SessionService({ store, scheduler: noScheduler, clock, logger, metrics: createMetrics(), snapshotEvery: 50 });
  const directory = new SessionDirectory(service, clock, logger);
  const session = await directory.create({ scenarioId: 'april-2024', seed: 'late-words', timerScale: 1, timerSeconds: {}, review: true, optionalSeats: [] });
  await service.execute(session.sessionId, facilitator, 'start', 0, { type: 'START' });
  await service.execute(session.sessionId, facilitator, 'advance', 1, { type: 'ADVANCE' });
  return { store, service, directory, session };
}

/** What a refused promise was refused with. */
const refusalOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => {
      throw new Error('it was not refused');
    },
    (err: unknown) => err,
  );

describe('a refusal at a deadline', () => {
  const unreachable = unavailable().message;

  it('while the store is known down, says of a command and of a join what the outage says elsewhere', async () => {
    const { store, service, directory, session } = await setUp();
    store.stopped = true;
    store.down = true;
    const command = await refusalOf(service.execute(session.sessionId, seat(0), 'late-1', null, message(0), { deadline: performance.now() + BOUND_MS }));
    expect(command).toMatchObject({ code: 'unavailable', message: unreachable, extra: { retryAfterMs: 1000 } });
    const join = httpRefusal(await refusalOf(directory.join(codeFor(session, 'iran'), performance.now() + BOUND_MS)));
    expect(join).toMatchObject({ code: 'unavailable', extra: { retryAfterMs: 1000 } });
    expect(join?.message).toBe('The game store is not reachable right now; send the request again in 1 s (its Retry-After header).');
  });

  it('while the store is not known down (slow, or the process busy), still says the server is busy', async () => {
    const { store, service, directory, session } = await setUp();
    store.stopped = true;
    const command = await refusalOf(service.execute(session.sessionId, seat(0), 'late-2', null, message(0), { deadline: performance.now() + BOUND_MS }));
    expect(command).toMatchObject({ code: 'unavailable', message: 'The server is busy and did not finish this in time; try again with the same command id.', extra: { retryAfterMs: 1000 } });
    const join = httpRefusal(await refusalOf(directory.join(codeFor(session, 'iran'), performance.now() + BOUND_MS)));
    expect(join?.message).toBe('The server is busy and did not finish this in time; send the request again in 1 s (its Retry-After header).');
  });
});
