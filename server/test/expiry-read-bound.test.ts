/**
 * A hello, and a recovery's check of its grant (RECOVERY_MS), are bounded by STORE_TIMEOUT_MS: the token's expiry
 * check (SessionDirectory.checkGrant, which reads the session through its queue) included. A store that stalls in
 * that read gets the hello answered `unavailable`, and the recovery refused (a new socket), within the bound,
 * not whenever the store answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient, codeFor, createSession, joinCode, startServer, type TestServer } from './harness.ts';
import { helloThenDrop, reconnect } from './connection-drop.ts';

const STORE_TIMEOUT_MS = 400;
/** How long the stalled read is held: far past the bound, short enough that the old code's late answer comes within the test. */
const STALL_MS = 3000;

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ backend: 'memory', env: { STORE_TIMEOUT_MS: String(STORE_TIMEOUT_MS), RECOVERY_MS: '60000' } });
});
afterAll(async () => {
  await server?.close();
});

/** A session with an Iran token, and a client of it; `act` runs with the session's next read of its log held STALL_MS. */
async function withStalledExpiryRead(act: (c: TestClient) => Promise<void>, before?: (c: TestClient) => Promise<unknown>): Promise<void> {
  const session = await createSession(server.url, { scenarioId: 'april-2024' });
  const { token } = await joinCode(server.url, codeFor(session, 'iran'));
  const c = new TestClient(server.url, session.sessionId, token, 'iran');
  const store = server.app.service.store;
  const original = store.readLog;
  try {
    await before?.(c);
    let stalled = 0;
    // The first read of the session's log is the expiry check's (authenticate, and the recovery's check, read no log before it).
    store.readLog = async (sessionId, after) => {
      if (sessionId === session.sessionId && stalled++ === 0) await new Promise((resolve) => setTimeout(resolve, STALL_MS));
      return original.call(store, sessionId, after);
    };
    await act(c);
    expect(stalled).toBeGreaterThan(0);
  } finally {
    store.readLog = original;
    c.close();
  }
}

describe('a token expiry read that stalls', () => {
  it('has a hello answered unavailable within STORE_TIMEOUT_MS', async () => {
    await withStalledExpiryRead(async (c) => {
      const started = performance.now();
      const answer = await c.hello();
      expect(!answer.ok && answer.error.code).toBe('unavailable');
      expect(performance.now() - started).toBeLessThan(STORE_TIMEOUT_MS + 1000);
    });
  });

  it('has a recovery refused within STORE_TIMEOUT_MS: the client connects as a new socket', async () => {
    await withStalledExpiryRead(async (c) => {
      const started = performance.now();
      await reconnect(c);
      expect(c.socket.recovered).toBe(false);
      expect(performance.now() - started).toBeLessThan(STORE_TIMEOUT_MS + 1000);
    }, (c) => helloThenDrop(server, c));
  });
});
