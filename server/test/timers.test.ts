/** The scheduler's handler, without sockets: a deadline closes the beat once, however often it fires. */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createMetrics } from '../src/metrics.ts';
import { SessionDirectory } from '../src/session/session-directory.ts';
import { SessionService } from '../src/session/session-service.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import type { DueTimer, Scheduler } from '../src/store/types.ts';
import { createTimerHandler } from '../src/timers.ts';

/** Records what the service asks the scheduler for. */
class RecordingScheduler implements Scheduler {
  pending = new Map<string, DueTimer>();
  async schedule(timer: DueTimer) {
    this.pending.set(timer.sessionId, timer);
  }
  async cancel(sessionId: string) {
    this.pending.delete(sessionId);
  }
  start() {}
  async stop() {}
}

async function setup() {
  let now = 1_712_000_000_000;
  const clock = { now: () => now };
  const store = new MemoryStore();
  const scheduler = new RecordingScheduler();
  const logger = pino({ level: 'silent' });
  const service = new SessionService({ store, scheduler, clock, logger, metrics: createMetrics(), snapshotEvery: 5 });
  const directory = new SessionDirectory(service, clock, logger);
  const session = await directory.create({ scenarioId: 'april-2024', seed: 's', timerScale: 1, timerSeconds: {}, review: true, optionalSeats: [] });
  const fac = { kind: 'facilitator' } as const;
  await service.execute(session.sessionId, fac, 'start-0001', 0, { type: 'START' });
  await service.execute(session.sessionId, fac, 'advance-01', 1, { type: 'ADVANCE' });
  return { service, store, scheduler, logger, sessionId: session.sessionId, advance: (ms: number) => (now += ms) };
}

describe('beat deadlines', () => {
  it('are scheduled when a beat opens, and a double fire closes the beat once', async () => {
    const { service, store, scheduler, logger, sessionId, advance } = await setup();
    const due = scheduler.pending.get(sessionId);
    expect(due).toMatchObject({ sessionId, timerVersion: 2 });
    advance(10 * 60_000);
    const onDue = createTimerHandler(service, logger);
    await Promise.all([onDue(due!), onDue(due!)]);
    await onDue(due!);
    const log = await store.readLog(sessionId, 0);
    expect(log.filter((e) => e.command.type === 'TIMER_EXPIRED')).toEqual([
      expect.objectContaining({ seq: 3, by: { kind: 'system' }, commandId: 'timer-2' }),
    ]);
    // Planning closed, so no deadline is pending any more.
    expect(scheduler.pending.has(sessionId)).toBe(false);
  });

  it('ignore a deadline that was replaced, and make sure the one that stands is scheduled', async () => {
    const { service, store, scheduler, logger, sessionId } = await setup();
    const old = scheduler.pending.get(sessionId)!;
    await service.execute(sessionId, { kind: 'facilitator' }, 'extend-001', 2, { type: 'EXTEND_TIMER', seconds: 60 });
    const current = scheduler.pending.get(sessionId)!;
    expect(current.timerVersion).toBe(3);
    expect(current.at).toBe(old.at + 60_000);
    // A process that lost the race schedules the old one again; it fires, is refused, and the current one comes back.
    await scheduler.schedule(old);
    await createTimerHandler(service, logger)(old);
    expect(await store.head(sessionId)).toBe(3);
    expect(scheduler.pending.get(sessionId)).toEqual(current);
  });

  it('stamp the expiry no earlier than the deadline, even on a clock that lags', async () => {
    const { service, store, scheduler, logger, sessionId } = await setup();
    const due = scheduler.pending.get(sessionId)!;
    await createTimerHandler(service, logger)(due);
    const [expiry] = await store.readLog(sessionId, 2);
    expect(expiry?.command).toEqual({ type: 'TIMER_EXPIRED', timerVersion: 2 });
    expect(expiry?.at).toBe(due.at);
  });
});
