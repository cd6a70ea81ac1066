/**
 * The services, sessions and commands the write-batches*.test.ts files send
 * through the batched write path: commands waiting for one session are checked
 * in order, each on top of the ones before it, and appended together in one
 * atomic step.
 */
import { pino } from 'pino';
import type { Command } from '@rubicon/shared';
import type { ActingActor } from '../src/session/access.ts';
import type { CommandRequest, Executed } from '../src/session/command-path.ts';
import type { WriteBatches } from '../src/session/write-batches.ts';
import { createMetrics, type Metrics } from '../src/metrics.ts';
import { SessionDirectory } from '../src/session/session-directory.ts';
import { SessionService } from '../src/session/session-service.ts';
import type { Scheduler, SessionStore } from '../src/store/types.ts';

const noScheduler: Scheduler = { schedule: async () => {}, cancel: async () => {}, start: () => {}, stop: async () => {} };
const logger = pino({ level: 'silent' });
export const clock = { now: () => 1_712_000_000_000 };
export const facilitator: ActingActor = { kind: 'facilitator' };
const SEATS = ['iran', 'israel', 'us', 'mediators'] as const;
export const seat = (i: number): ActingActor => ({ kind: 'seat', seat: SEATS[i % SEATS.length] ?? 'iran' });
export const message = (i: number, text = `message ${i}`): Command => ({ type: 'SEND_MESSAGE', channel: `team-${SEATS[i % SEATS.length]}`, text });

/** `storeTimeoutMs`: a command without a deadline is bound to twice it (SessionService.executeTo). */
export function serviceOn(store: SessionStore, metrics: Metrics = createMetrics(), storeTimeoutMs?: number): SessionService {
  return new SessionService({ store, scheduler: noScheduler, clock, logger, metrics, snapshotEvery: 50, ...(storeTimeoutMs === undefined ? {} : { storeTimeoutMs }) });
}

/** A session in its first beat (team channels open), created through `service`. */
export async function sessionInPlay(service: SessionService): Promise<string> {
  const directory = new SessionDirectory(service, clock, logger);
  const { sessionId } = await directory.create({ scenarioId: 'april-2024', seed: 'batches', timerScale: 1, timerSeconds: {}, review: true, optionalSeats: [] });
  await service.execute(sessionId, facilitator, 'setup-start', 0, { type: 'START' });
  await service.execute(sessionId, facilitator, 'setup-advance', 1, { type: 'ADVANCE' });
  return sessionId;
}

/**
 * Two services on one store and a session in play: B appends first, then A appends three messages B hears nothing
 * of (no notices between them), so B's copy stands three entries behind the log.
 */
export async function copyBehind(store: SessionStore): Promise<{ a: SessionService; b: SessionService; sessionId: string }> {
  const a = serviceOn(store);
  const b = serviceOn(store);
  const sessionId = await sessionInPlay(a);
  await b.execute(sessionId, seat(0), 'b-first', null, message(0));
  for (let i = 1; i <= 3; i++) await a.execute(sessionId, seat(i), `a-${i}`, null, message(i));
  return { a, b, sessionId };
}

/** A command submitted to `writes` straight, its answer as a promise (as SessionService.execute gives it). */
export const submitted = (writes: WriteBatches, sessionId: string, request: CommandRequest, bound: number, deadline?: number): Promise<Executed> =>
  new Promise((ok, fail) => writes.submit(sessionId, request, bound, deadline, { ok, fail }));

export const settled = <T>(p: Promise<T>) => p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));

/**
 * A view of `store` whose first `times` appends each lose the race for the
 * head: just before each, `rival` appends a message of its own.
 */
export function losingRaces(store: SessionStore, rival: SessionService, sessionId: string, times: number): { store: SessionStore; attempts: () => number } {
  let attempts = 0;
  const appendBatch: SessionStore['appendBatch'] = async (id, entries) => {
    attempts++;
    if (attempts <= times) await rival.execute(sessionId, seat(attempts), `rival-${attempts}`, null, message(attempts));
    return store.appendBatch(id, entries);
  };
  return { store: new Proxy(store, { get: (target, prop) => (prop === 'appendBatch' ? appendBatch : Reflect.get(target, prop, target)) }), attempts: () => attempts };
}
