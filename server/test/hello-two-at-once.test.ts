/**
 * Two hellos at once on one socket (red team, 6 December, docs/security.md §10). The hello handler reads the
 * socket's previous grant before it waits for the session, so a second hello that read it while the first was
 * still on its way joins without leaving the first one's rooms; and the first one's check again after its join
 * (confirmJoined) runs only while the socket still holds its grant, so a second hello that joined meanwhile
 * skips it. Together they let a hello whose code is revoked between its check and its join keep that code's
 * rooms, and get its answer, after the revocation was answered.
 *
 * Both cases fail on b56c7ff (where the defect was found) and pass since the fix in
 * server/src/socket/seat-handlers.ts: `previous` is read inside withSession's callback, at the join, and the
 * grant is checked again after every join this hello made, whoever holds the socket now (refused, it undoes
 * only what is still its own).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, CreateSessionResponse, HelloData } from '@rubicon/shared';
import { TestClient, api, codeFor, createSession, joinCode, startServer, type TestServer } from './harness.ts';

let one: TestServer;
beforeAll(async () => {
  one = await startServer({ backend: (process.env.ACCESS_BACKEND as 'redis' | undefined) ?? 'memory' });
});
afterAll(async () => {
  await one?.close();
});

/** The rooms this socket is in on the server, its own id's left out. */
async function roomsOf(client: TestClient): Promise<string[]> {
  const held = (await one.app.io.local.fetchSockets()).find((s) => s.id === client.socket.id);
  return held ? [...held.rooms].filter((r) => r !== client.socket.id) : [];
}

const inSession = (sessionId: string) => (room: string) => room.split(':')[1] === sessionId;

/**
 * Runs `act` with the first read of each session's access generations (each hello's check before its join)
 * held until both have been made, and `between` run while they are held: the two hellos then go on together.
 */
async function heldTogether<T>(ids: [string, string], between: () => Promise<unknown>, act: () => Promise<T>): Promise<T> {
  const store = one.app.service.store;
  const original = store.accessChanges;
  const seen = new Set<string>();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let bothRead!: () => void;
  const both = new Promise<void>((resolve) => (bothRead = resolve));
  store.accessChanges = async (id) => {
    const read = await original.call(store, id);
    if (ids.includes(id) && !seen.has(id)) {
      seen.add(id);
      if (seen.size === 2) bothRead();
      await released;
    }
    return read;
  };
  try {
    const answer = act();
    await both;
    await between();
    release();
    return await answer;
  } finally {
    store.accessChanges = original;
  }
}

async function twoSessions(): Promise<{ s1: CreateSessionResponse; s2: CreateSessionResponse; t1: string; t2: string; client: TestClient }> {
  const s1 = await createSession(one.url, { scenarioId: 'april-2024' });
  const s2 = await createSession(one.url, { scenarioId: 'april-2024' });
  const t1 = (await joinCode(one.url, codeFor(s1, 'iran'))).token;
  const t2 = (await joinCode(one.url, codeFor(s2, 'us'))).token;
  const client = new TestClient(one.url, s1.sessionId, t1, 'two-hellos');
  await new Promise<void>((resolve) => client.socket.once('connect', () => resolve()));
  return { s1, s2, t1, t2, client };
}

const hello = (client: TestClient, sessionId: string, token: string): Promise<Ack<HelloData>> =>
  client.socket.timeout(10_000).emitWithAck('hello', { sessionId, token });

describe('two hellos at once on one socket', () => {
  it('leave it in the rooms of one grant only, the one it holds', async () => {
    const { s1, s2, t1, t2, client } = await twoSessions();
    const [a, b] = await heldTogether([s1.sessionId, s2.sessionId], async () => undefined, () => Promise.all([hello(client, s1.sessionId, t1), hello(client, s2.sessionId, t2)]));
    expect(a.ok && b.ok).toBe(true);
    const held = (await one.app.io.local.fetchSockets()).find((s) => s.id === client.socket.id);
    const other = held?.data.grant?.sessionId === s1.sessionId ? s2.sessionId : s1.sessionId;
    expect((await roomsOf(client)).filter(inSession(other))).toEqual([]);
    client.close();
  });

  it('leave no room of a code revoked between the first one\'s check and its join, nor answer it', async () => {
    const { s1, s2, t1, t2, client } = await twoSessions();
    const revoke = () => api(one.url, `/api/sessions/${s1.sessionId}/access/iran/revoke`, { method: 'POST', body: {}, token: s1.facilitatorToken });
    let revoked = 0;
    const [a] = await heldTogether(
      [s1.sessionId, s2.sessionId],
      async () => (revoked = (await revoke()).status),
      () => Promise.all([hello(client, s1.sessionId, t1), hello(client, s2.sessionId, t2)]),
    );
    expect(revoked).toBe(200);
    // On b56c7ff: answered ok with iran's view, and the socket stays in iran's rooms of s1 (it gets s1's updates).
    expect(!a.ok && a.error.code).toBe('unauthorized');
    expect((await roomsOf(client)).filter(inSession(s1.sessionId))).toEqual([]);
    client.close();
  });
});
