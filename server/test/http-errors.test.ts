/**
 * How the HTTP error handler answers a store outage: 503 `unavailable` with
 * Retry-After, in words that fit a request. HTTP requests carry no command
 * id, so telling a person to "try again with the same command id" (the
 * socket's advice) sends them looking for something that does not exist.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandlers } from '../src/http/routes.ts';
import { DeadlineQueue } from '../src/session/deadline-queue.ts';
import { ImportVerifier } from '../src/session/import-pipeline.ts';
import { lostAppendOutcome } from '../src/session/lost-append.ts';
import { overdue } from '../src/session/pending-answers.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { StoreUnavailableError } from '../src/store/redis-availability.ts';
import { GameSetup, LogEntry, type HttpError } from '@rubicon/shared';
import { deadlinePassed } from '../src/session/service-error.ts';

let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const app = express();
  app.post('/api/join', () => {
    throw new StoreUnavailableError('timeout', 'Redis did not answer within 1000 ms.');
  });
  // Work bounded by the deadline queue that is still queued when its deadline passes.
  app.get('/queue', async () => {
    await new DeadlineQueue().within(new Promise<never>(() => {}), performance.now(), () => {});
  });
  app.get('/overdue', () => {
    throw overdue();
  });
  // An append whose answer was lost, with no time left to ask the store what became of it.
  app.get('/lost', async () => {
    const lost = new StoreUnavailableError('timeout', 'Redis did not answer within 1000 ms.');
    const entry = { seq: 1, commandId: 'c1', at: 0, by: { kind: 'facilitator' }, command: { type: 'PAUSE' } } as const;
    await lostAppendOutcome(new MemoryStore(), 's1', [entry as never], false, performance.now(), lost);
  });
  // A big file, and a long session's export, while the workers are all busy (none here).
  const busy = new ImportVerifier({ scenarios: () => [], inlineBytes: 0, inlineEntries: 0, maxConcurrent: 0 });
  app.post('/import', async () => {
    await busy.verify(new Uint8Array(8), 'continue');
  });
  app.get('/export', async () => {
    const entry = LogEntry.parse({ seq: 1, commandId: 'c1', at: 0, by: { kind: 'facilitator' }, command: { type: 'PAUSE' } });
    const header = { sessionId: 's1', title: 'Busy', createdAt: 0, parent: null };
    await busy.exportText(GameSetup.parse({ scenarioId: 'april-2024', seed: 's' }), header, [entry], 0);
  });
  const { notFound, onError } = errorHandlers(pino({ level: 'silent' }));
  app.use(notFound);
  app.use(onError);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise<void>((r) => server.close(() => r()));
});
afterAll(() => close());

describe('a store outage over HTTP', () => {
  it('is 503 unavailable with Retry-After, and names no command id', async () => {
    const res = await fetch(`${url}/api/join`, { method: 'POST' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    const body = (await res.json()) as HttpError;
    expect(body.error.code).toBe('unavailable');
    expect(body.error.message).not.toMatch(/command id/i);
  });
});

describe('every `unavailable` over HTTP', () => {
  // Each route's refusal, and what the same refusal says to a socket's command, which has an id to send again.
  it.each([
    ['the deadline queue timing out', 'GET', '/queue', 1, 'The server is busy and did not finish this in time', deadlinePassed],
    ['a command overdue at its bound', 'GET', '/overdue', 1, 'The session did not take this command within the time bound', overdue],
    ['a lost append the store could not be asked about in time', 'GET', '/lost', 1, 'The game store did not answer in time, and this may have been applied', null],
    ['the workers all busy, for an import', 'POST', '/import', 5, 'Other long imports, branches or exports are running on this server right now', null],
    ['the workers all busy, for an export', 'GET', '/export', 5, 'Other long imports, branches or exports are running on this server right now', null],
  ] as const)('is 503 with Retry-After, keeps why, says to send the request again after it and names no command id: %s', async (_what, method, path, seconds, reason, onSocket) => {
    const res = await fetch(`${url}${path}`, { method });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe(String(seconds));
    const body = (await res.json()) as HttpError;
    expect(body.error.code).toBe('unavailable');
    expect(body.error.message).toBe(`${reason}; send the request again in ${seconds} s (its Retry-After header).`);
    if (onSocket) expect(onSocket().toWire()).toEqual({ code: 'unavailable', message: `${reason}; try again with the same command id.`, retryAfterMs: expect.any(Number) as unknown });
  });
});
