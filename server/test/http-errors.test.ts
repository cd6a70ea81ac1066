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
import { StoreUnavailableError } from '../src/store/redis-availability.ts';
import type { HttpError } from '@rubicon/shared';

let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const app = express();
  app.post('/api/join', () => {
    throw new StoreUnavailableError('timeout', 'Redis did not answer within 1000 ms.');
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
