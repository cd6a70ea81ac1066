/**
 * Every hello refused by a store outage or by its deadline says what a client should do: say hello again.
 * The default outage words are a command's ("try again with the same command id"), and a hello has no command
 * id. The code and the retry hint stay as they were, and so does the socket, kept to say hello again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient, codeFor, createSession, joinCode, startServer, type TestServer } from './harness.ts';
import { StoreUnavailableError } from '../src/store/redis-availability.ts';
import { deadlinePassed } from '../src/session/service-error.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ backend: 'memory' });
});
afterAll(() => server?.close());

async function seatClient(name: string) {
  const session = await createSession(server.url, { scenarioId: 'april-2024' });
  const { token } = await joinCode(server.url, codeFor(session, 'iran'));
  return new TestClient(server.url, session.sessionId, token, name);
}

/** Runs `act` with `method` of `target` failing once with `failure()`, then restored. */
async function failingOnce<T, K extends string>(target: Record<K, unknown>, method: K, failure: () => Error, act: () => Promise<T>): Promise<T> {
  const original = target[method];
  target[method] = () => {
    target[method] = original;
    return Promise.reject(failure());
  };
  try {
    return await act();
  } finally {
    target[method] = original;
  }
}

const helloWorded = {
  code: 'unavailable',
  retryAfterMs: expect.any(Number) as unknown,
  message: expect.stringMatching(/hello again/) as unknown,
};

describe('a hello refused by an outage or its deadline', () => {
  it('at its first check (the token read): unavailable with a retry hint, told to say hello again, and the retry works', async () => {
    const client = await seatClient('iran-first-check');
    const store = server.app.service.store as unknown as Record<'resolveToken', unknown>;
    const answer = await failingOnce(store, 'resolveToken', () => new StoreUnavailableError('timeout', 'Redis did not answer within 1000 ms.'), () => client.hello());
    expect(!answer.ok && answer.error).toMatchObject(helloWorded);
    expect(!answer.ok && answer.error.message).not.toMatch(/command id/i);
    expect((await client.hello()).ok).toBe(true);
    client.close();
  });

  it('at its deadline (the session not reached in time): the same code and hint, told to say hello again', async () => {
    const client = await seatClient('iran-deadline');
    const service = server.app.service as unknown as Record<'withSession', unknown>;
    const answer = await failingOnce(service, 'withSession', deadlinePassed, () => client.hello());
    expect(!answer.ok && answer.error).toMatchObject({ ...helloWorded, retryAfterMs: deadlinePassed().extra.retryAfterMs });
    expect(!answer.ok && answer.error.message).not.toMatch(/command id/i);
    expect((await client.hello()).ok).toBe(true);
    client.close();
  });

  it('keeps the words of a refusal that is no outage', async () => {
    const session = await createSession(server.url, { scenarioId: 'april-2024' });
    const client = new TestClient(server.url, session.sessionId, 'not-a-token-of-this-server', 'stranger');
    const answer = await client.hello();
    expect(!answer.ok && answer.error).toMatchObject({ code: 'unauthorized', message: 'This token is not valid; join again with your code.' });
    client.close();
  });
});
