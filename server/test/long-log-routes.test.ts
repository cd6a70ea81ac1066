/**
 * A branch and an export of a long session on the event loop (red team, 6 December). Anyone may import a
 * session file of up to MAX_IMPORT_BYTES (checked in a worker) and gets its facilitator token, and with it
 * may branch and export that session: each hashes the whole chain (and a branch replays the log) on the
 * thread that serves every game. An 8,000-entry import (2.4 MB) then held the event loop 4.6 s for a branch
 * and 1.6 s for an export (docs/security.md §10; the branch is now made in the import's worker, the export
 * hashes in slices with a turn between them). Told without a clock: once the log is read, the event loop
 * must get a turn before the answer is written, as it does while an import is checked in its worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSessionFile, type CreateSessionResponse } from '@rubicon/shared';
import { endlessLog } from '../bench/workload.ts';
import { api, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let session: CreateSessionResponse;
let entries = 0;

beforeAll(async () => {
  server = await startServer({ backend: 'memory' });
  // Long enough to be checked in the import worker (over 64 KB), short enough to import in a moment.
  const { game, log } = endlessLog('long-log-routes', 600);
  entries = log.length;
  const file = buildSessionFile({ session: { sessionId: 'original', title: 'A long session', createdAt: 1, parent: null }, game, log, exportedAt: 1 });
  const r = await fetch(new URL('/api/sessions/import', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(file) });
  expect(r.status).toBe(201);
  session = (await r.json()) as CreateSessionResponse;
});
afterAll(async () => {
  await server?.close();
});

/**
 * What happened, in order, while `request` ran: `turn` when the event loop came round after the session's
 * log was read, `done` when the directory's branch or export (whichever the request asked for) had its result.
 */
async function orderDuring(request: () => Promise<{ status: number }>): Promise<string[]> {
  const order: string[] = [];
  const { store } = server.app.service;
  const { directory } = server.app;
  const readLog = store.readLog.bind(store);
  store.readLog = async (sessionId, afterSeq) => {
    const log = await readLog(sessionId, afterSeq);
    setImmediate(() => order.push('turn'));
    return log;
  };
  const { branch, export: exportFile } = directory;
  const done = <T>(result: Promise<T>): Promise<T> =>
    result.then((r) => {
      order.push('done');
      return r;
    });
  directory.branch = (...args) => done(branch.apply(directory, args));
  directory.export = (...args) => done(exportFile.apply(directory, args));
  try {
    expect((await request()).status).toBeLessThan(300);
  } finally {
    store.readLog = readLog;
    directory.branch = branch;
    directory.export = exportFile;
  }
  return order;
}

describe('a long session on the event loop', () => {
  it('a branch at its end lets the event loop turn before it answers', async () => {
    const path = `/api/sessions/${session.sessionId}/branch`;
    const order = await orderDuring(() => api(server.url, path, { method: 'POST', body: { version: entries }, token: session.facilitatorToken }));
    expect(order[0]).toBe('turn');
  });

  it('an export lets the event loop turn before it answers', async () => {
    const path = `/api/sessions/${session.sessionId}/export`;
    const order = await orderDuring(() => api(server.url, path, { token: session.facilitatorToken }));
    expect(order[0]).toBe('turn');
  });
});
