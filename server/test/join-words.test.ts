/**
 * What a join refused for now says. A join is bounded (STORE_TIMEOUT_MS from its arrival); when the store
 * answers but more slowly than that, the refusal is still `unavailable` with a retry hint (clients and docs
 * depend on the code), but its words say the server is busy and when to try again, not that the store is
 * unreachable, which would be untrue. A store that is unreachable keeps saying so.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { CreateSessionResponse } from '@rubicon/shared';
import { createMetrics } from '../src/metrics.ts';
import { SessionDirectory } from '../src/session/session-directory.ts';
import { httpRefusal, type ServiceError } from '../src/session/service-error.ts';
import { SessionService } from '../src/session/session-service.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { StoreUnavailableError } from '../src/store/redis-availability.ts';
import type { DueTimer, Scheduler } from '../src/store/types.ts';
import { codeFor } from './harness.ts';

class NoScheduler implements Scheduler {
  async schedule(_timer: DueTimer) {}
  async cancel(_sessionId: string) {}
  start() {}
  async stop() {}
}

/** How the join's code lookup goes: at memory speed, slower than the join's bound, or not at all (not connected). */
type Lookup = 'fast' | 'slow' | 'offline';

/** A store whose code lookup answers, only after `SLOW_MS`, or fails as a Redis that is not connected does. */
class LookupStore extends MemoryStore {
  lookup: Lookup = 'fast';
  override async resolveCode(code: string) {
    if (this.lookup === 'offline') throw new StoreUnavailableError('offline', 'Redis is not connected.');
    if (this.lookup === 'slow') await new Promise((r) => setTimeout(r, SLOW_MS));
    return super.resolveCode(code);
  }
}

const BOUND_MS = 40;
const SLOW_MS = 150;

async function setUp(): Promise<{ store: LookupStore; directory: SessionDirectory; session: CreateSessionResponse }> {
  const store = new LookupStore();
  const clock = { now: () => 1_712_000_000_000 };
  const logger = pino({ level: 'silent' });
  const service = new SessionService({ store, scheduler: new NoScheduler(), clock, logger, metrics: createMetrics(), snapshotEvery: 5 });
  const directory = new SessionDirectory(service, clock, logger);
  const session = await directory.create({ scenarioId: 'april-2024', seed: 'join-words', timerScale: 1, timerSeconds: {}, review: true, optionalSeats: [] });
  return { store, directory, session };
}

/** The join's refusal as the HTTP error handler words it (httpRefusal), or null if it joined. */
async function refusalOf(directory: SessionDirectory, code: string): Promise<ServiceError | null> {
  const joined = directory.join(code, performance.now() + BOUND_MS);
  return joined.then(
    () => null,
    (err: unknown) => httpRefusal(err),
  );
}

describe('a join refused for now', () => {
  it('past its bound because the store answered slowly, says the server is busy and when to try again, not that the store is unreachable', async () => {
    const { store, directory, session } = await setUp();
    const code = codeFor(session, 'iran');
    store.lookup = 'slow';
    const refusal = await refusalOf(directory, code);
    expect(refusal?.code).toBe('unavailable');
    expect(refusal?.extra.retryAfterMs).toBe(1000);
    expect(refusal?.message).toBe('The server is busy and did not finish this in time; send the request again in 1 s (its Retry-After header).');
    expect(refusal?.message).not.toMatch(/not reachable/);
    // The slow lookup still answers later; the join was answered already, so it saves no token then.
    await new Promise((r) => setTimeout(r, SLOW_MS + 20));
    store.lookup = 'fast';
    expect(await refusalOf(directory, code)).toBeNull();
  });

  it('because the store is not connected, still says the store is not reachable', async () => {
    const { store, directory, session } = await setUp();
    store.lookup = 'offline';
    const refusal = await refusalOf(directory, codeFor(session, 'iran'));
    expect(refusal?.code).toBe('unavailable');
    expect(refusal?.extra.retryAfterMs).toBe(1000);
    expect(refusal?.message).toBe('The game store is not reachable right now; send the request again in 1 s (its Retry-After header).');
  });
});
