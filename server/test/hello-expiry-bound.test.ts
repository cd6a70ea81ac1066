/**
 * A hello is bounded by STORE_TIMEOUT_MS: its token's expiry check (SessionDirectory.checkGrant, which reads the
 * session through its queue) included. A store that stalls in that read gets the hello answered `unavailable`
 * within the bound, not whenever the store answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient, codeFor, createSession, joinCode, startServer, type TestServer } from './harness.ts';

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

describe('a hello whose expiry read stalls', () => {
  it('is answered unavailable within STORE_TIMEOUT_MS', async () => {
    const session = await createSession(server.url, { scenarioId: 'april-2024' });
    const { token } = await joinCode(server.url, codeFor(session, 'iran'));
    const store = server.app.service.store;
    const original = store.readLog;
    let stalled = 0;
    // The hello's first read of the session's log is its expiry check's (authenticate reads no log before it).
    store.readLog = async (sessionId, after) => {
      if (sessionId === session.sessionId && stalled++ === 0) await new Promise((resolve) => setTimeout(resolve, STALL_MS));
      return original.call(store, sessionId, after);
    };
    const c = new TestClient(server.url, session.sessionId, token, 'iran');
    try {
      const started = performance.now();
      const answer = await c.hello();
      const took = performance.now() - started;
      expect(stalled).toBeGreaterThan(0);
      expect(!answer.ok && answer.error.code).toBe('unavailable');
      expect(took).toBeLessThan(STORE_TIMEOUT_MS + 1000);
    } finally {
      store.readLog = original;
      c.close();
    }
  });
});
