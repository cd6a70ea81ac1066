/**
 * A branch and an export of a long session on the event loop (red team, 6 December). Anyone may import a
 * session file of up to MAX_IMPORT_BYTES (checked in a worker) and gets its facilitator token, and with it
 * may branch and export that session: each hashes the whole chain (and a branch replays the log) on the
 * thread that serves every game. An 8,000-entry import (2.4 MB) then held the event loop 4.6 s for a branch
 * and 1.6 s for an export (docs/security.md §10). Both are now made in the import's worker threads, the
 * export's text included. Told without a clock: once the log is read, the event loop must get a turn before
 * the answer is written, and nothing of shared's session-file code may run on this thread for an export.
 */
import { Worker } from 'node:worker_threads';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as SharedModule from '@rubicon/shared';
import { buildSessionFile, type CreateSessionResponse, type HttpError } from '@rubicon/shared';
import { endlessLog } from '../bench/workload.ts';
import { api, startServer, type TestServer } from './harness.ts';

/** Calls on this thread to shared's session-file functions (building or checking a file), by name. */
const sessionFileCalls = vi.hoisted(() => ({ names: [] as string[] }));
vi.mock('@rubicon/shared', async (importOriginal) => {
  const actual = await importOriginal<typeof SharedModule>();
  const counted = Object.entries(actual).map(([name, value]) => {
    if (typeof value !== 'function' || !/sessionfile/i.test(name)) return [name, value];
    const fn = value as (...args: unknown[]) => unknown;
    const spied = (...args: unknown[]) => {
      sessionFileCalls.names.push(name);
      return fn(...args);
    };
    return [name, spied];
  });
  return Object.fromEntries(counted) as typeof SharedModule;
});

let server: TestServer;
let session: CreateSessionResponse;
let entries = 0;

beforeAll(async () => {
  server = await startServer({ backend: 'memory' });
  // Long enough to be checked in the import worker (over 64 KB) and exported in one (over 200 entries, and
  // over 500, so its log crosses in two slices), short enough to import in a moment.
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

function exportOf(): Promise<Response> {
  return fetch(new URL(`/api/sessions/${session.sessionId}/export`, server.url), { headers: { authorization: `Bearer ${session.facilitatorToken}` } });
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

  it('an export hashes and writes its file off this thread', async () => {
    sessionFileCalls.names.length = 0;
    const res = await exportOf();
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(sessionFileCalls.names).toEqual([]);
  });
});

describe("a long session's export from its worker", () => {
  it('is the text the shared builder writes for the stored log, with the headers res.json gave it, and imports again', async () => {
    const res = await exportOf();
    expect(res.status).toBe(200);
    const text = await res.text();
    const { store } = server.app.service;
    const meta = await store.getSession(session.sessionId);
    if (!meta) throw new Error('the imported session is not stored');
    const header = { sessionId: meta.sessionId, title: meta.title, createdAt: meta.createdAt, parent: meta.lineage?.parent ?? null };
    const { exportedAt } = JSON.parse(text) as { exportedAt: number };
    const log = await store.readLog(session.sessionId, 0);
    expect(log.length).toBeGreaterThan(500);
    expect(text).toBe(JSON.stringify(buildSessionFile({ session: header, game: server.app.service.gameFor(meta.setup), log, exportedAt })));

    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="rubicon-${session.sessionId}.json"`);
    // Express's own weak ETag of these bytes, as res.json made it (and with it the 304 an If-None-Match gets).
    const etagOf = express().get('etag fn') as (body: Buffer) => string;
    expect(res.headers.get('etag')).toBe(etagOf(Buffer.from(text)));

    const imported = await fetch(new URL('/api/sessions/import', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
    expect(imported.status).toBe(201);
  });

  it('answers a typed error when its worker stops mid-export, and the process goes on serving', async () => {
    const { postMessage } = Worker.prototype;
    let stopped = 0;
    // The worker is stopped as the first slice of the log is handed to it.
    Worker.prototype.postMessage = function (this: Worker, value: unknown, transfer?: Parameters<Worker['postMessage']>[1]) {
      if (typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'log' && stopped++ === 0) void this.terminate();
      return postMessage.call(this, value, transfer);
    } as Worker['postMessage'];
    let res: Response;
    try {
      res = await exportOf();
    } finally {
      Worker.prototype.postMessage = postMessage;
    }
    expect(stopped).toBeGreaterThan(0);
    expect(res.status).toBe(500);
    expect(((await res.json()) as HttpError).error.code).toBe('internal');
    expect((await fetch(new URL('/healthz/live', server.url))).status).toBe(200);
    const after = await exportOf();
    expect(after.status).toBe(200);
    await after.arrayBuffer();
  });
});
