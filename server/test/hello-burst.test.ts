/**
 * A class saying hello to one session at once. Each hello waits for the session's queue twice (its grant's
 * expiry check, then its join), and each of those read the session's log in turn: on Redis a round trip each,
 * held in the queue. limit-bypass.test.ts's 50 sockets of one seat over two processes failed that way under
 * load (6 December): 25 hellos a process, 50 reads in a row, and the last hellos were refused `unavailable` at
 * STORE_TIMEOUT_MS though Redis answered every read. Callers queued together now share a read sent after they
 * asked (SessionCache.caughtUp).
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { codeFor, connect, createSession, joinCode, startServer, type TestClient, type TestServer } from './harness.ts';

const HELLOS = 40;

let server: TestServer;
const clients: TestClient[] = [];
beforeAll(async () => {
  // The bound lifted: this counts the hellos' reads of the log, whatever the host's speed.
  server = await startServer({ backend: 'memory', env: { STORE_TIMEOUT_MS: '60000' } });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.close();
});

it(`gives ${HELLOS} hellos at once a few reads of the session's log, not two each in turn`, async () => {
  const session = await createSession(server.url, { scenarioId: 'april-2024' });
  const { token } = await joinCode(server.url, codeFor(session, 'iran'));
  const { service } = server.app;
  const { store } = service;
  // The burst's first read is held until every hello is waiting for the session, as a slow round trip would hold it.
  let asked = 0;
  let allAsked!: () => void;
  const allWaiting = new Promise<void>((resolve) => (allAsked = resolve));
  const withSession = service.withSession.bind(service);
  vi.spyOn(service, 'withSession').mockImplementation((sessionId, fn, deadline) => {
    if (sessionId === session.sessionId && ++asked === HELLOS) allAsked();
    return withSession(sessionId, fn, deadline);
  });
  const readLog = store.readLog.bind(store);
  const reads = vi.spyOn(store, 'readLog').mockImplementation(async (sessionId, after) => {
    const entries = await readLog(sessionId, after);
    if (sessionId === session.sessionId) await allWaiting;
    return entries;
  });
  try {
    clients.push(...(await Promise.all(Array.from({ length: HELLOS }, (_, i) => connect(server.url, session.sessionId, token, `iran-${i}`)))));
    expect(clients.every((c) => c.view !== null)).toBe(true);
    // Before: 80, one for each wait, each holding the session's queue for its round trip.
    expect(reads.mock.calls.filter(([id]) => id === session.sessionId).length).toBeLessThanOrEqual(4);
  } finally {
    vi.restoreAllMocks();
  }
});
