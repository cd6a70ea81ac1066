/** The complete client in server/examples (shown in docs/protocol.md) works against a real server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExample } from '../examples/join-and-move.ts';
import { startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ backend: 'memory' });
});
afterAll(async () => {
  await server?.close();
});

describe('server/examples/join-and-move.ts', () => {
  it('joins the Iran seat and locks in a move', async () => {
    const result = await runExample(server.url);
    expect(result.locked).toEqual(['iran']);
    expect(result.version).toBeGreaterThan(2);
  });
});
