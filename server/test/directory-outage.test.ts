/** Creating a session while the store is unreachable: one bounded wait, then `unavailable`, no retry loop. */
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createMetrics } from '../src/metrics.ts';
import { SessionDirectory } from '../src/session/session-directory.ts';
import { asServiceError } from '../src/session/service-error.ts';
import { SessionService } from '../src/session/session-service.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { StoreUnavailableError } from '../src/store/redis-availability.ts';
import type { DueTimer, Scheduler, SessionMeta } from '../src/store/types.ts';

class NoScheduler implements Scheduler {
  async schedule(_timer: DueTimer) {}
  async cancel(_sessionId: string) {}
  start() {}
  async stop() {}
}

/** A store whose createSession fails as a stopped Redis does: after its bound, with "may have been applied". */
class DownStore extends MemoryStore {
  creates = 0;
  override async createSession(_meta: SessionMeta): Promise<void> {
    this.creates++;
    throw new StoreUnavailableError('timeout', 'Redis did not answer within 1000 ms.');
  }
}

describe('creating a session during a store outage', () => {
  it('is refused as unavailable after one try, with no log line per retry', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    const logger = pino({ level: 'info' }, sink);
    const store = new DownStore();
    const clock = { now: () => 1_712_000_000_000 };
    const service = new SessionService({ store, scheduler: new NoScheduler(), clock, logger, metrics: createMetrics(), snapshotEvery: 5 });
    const directory = new SessionDirectory(service, clock, logger);
    const created = directory.create({ scenarioId: 'april-2024', seed: 's', timerScale: 1, timerSeconds: {}, review: true, optionalSeats: [] });
    const error = await created.then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(asServiceError(error)?.code).toBe('unavailable');
    expect(store.creates).toBe(1);
    expect(lines.filter((l) => l.includes('drawing new codes'))).toEqual([]);
  });
});
