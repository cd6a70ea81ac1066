/**
 * The HTTP routes that check a token (a facilitator's routes, and a session's text for any of its tokens) bound
 * that check by STORE_TIMEOUT_MS, as a hello does: a store that stalls in the token's expiry read (the session read
 * through its queue) gets a 503 `unavailable` within the bound, not an answer whenever the store answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateSessionResponse } from '@rubicon/shared';
import { api, codeFor, createSession, joinCode, startServer, type TestServer } from './harness.ts';

const STORE_TIMEOUT_MS = 400;
/** How long the stalled read is held: far past the bound, short enough that the old code's late answer comes within the test. */
const STALL_MS = 3000;

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ backend: 'memory', env: { STORE_TIMEOUT_MS: String(STORE_TIMEOUT_MS) } });
});
afterAll(async () => {
  await server?.close();
});

/** `request` answered while the session's next read of its log (the token check's expiry read) is held STALL_MS. */
async function withStalledExpiryRead(session: CreateSessionResponse, request: () => Promise<{ status: number; body: unknown }>): Promise<void> {
  const store = server.app.service.store;
  const original = store.readLog;
  let stalled = 0;
  store.readLog = async (sessionId, after) => {
    if (sessionId === session.sessionId && stalled++ === 0) await new Promise((resolve) => setTimeout(resolve, STALL_MS));
    return original.call(store, sessionId, after);
  };
  try {
    const started = performance.now();
    const answer = await request();
    expect(stalled).toBeGreaterThan(0);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: { code: 'unavailable' } });
    expect(performance.now() - started).toBeLessThan(STORE_TIMEOUT_MS + 1000);
  } finally {
    store.readLog = original;
  }
}

describe('an HTTP token check whose expiry read stalls', () => {
  it('answers a facilitator route 503 unavailable within STORE_TIMEOUT_MS', async () => {
    const session = await createSession(server.url, { scenarioId: 'april-2024' });
    await withStalledExpiryRead(session, () => api(server.url, `/api/sessions/${session.sessionId}`, { token: session.facilitatorToken }));
  });

  it('answers a seat\'s request for the session\'s text 503 unavailable within STORE_TIMEOUT_MS', async () => {
    const session = await createSession(server.url, { scenarioId: 'april-2024' });
    const { token } = await joinCode(server.url, codeFor(session, 'iran'));
    await withStalledExpiryRead(session, () => api(server.url, `/api/sessions/${session.sessionId}/text`, { token }));
  });
});
