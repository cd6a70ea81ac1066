import { afterAll, beforeAll } from 'vitest';
import { TestClient, deleteRedisKeys, startServer, type Backend, type TestServer } from './harness.ts';

/** A describe block's one server on `backend`, and the test clients made on it; all closed (and the Redis keys deleted) after the block. */
export interface SuiteServer {
  readonly server: TestServer;
  client(sessionId: string, token: string, label: string): TestClient;
}

/** Call in a describe block: starts its server before its tests and closes it, with every client made by `client`, after them. */
export function suiteServer(backend: Backend, prefix: string, env: Record<string, string>): SuiteServer {
  let started: TestServer | undefined;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    started = await startServer({ backend, prefix, env });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await started?.close();
    if (backend === 'redis') await deleteRedisKeys(prefix);
  });
  return {
    get server() {
      if (!started) throw new Error('the suite\'s server is started in beforeAll');
      return started;
    },
    client(sessionId, token, label) {
      const c = new TestClient(this.server.url, sessionId, token, label);
      clients.push(c);
      return c;
    },
  };
}
