/**
 * A named player's commands share one actor object per socket and name
 * (seat-handlers.ts): every log entry keeps its actor for good, and a new
 * object per command was 56 B of what each message of a named player left
 * alive (docs/performance/fan-out-log.md, "What a public message keeps
 * alive").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, LogEntry } from '@rubicon/shared';
import { codeFor, createSession, joinCode, startServer, TestClient, type TestServer } from './harness.ts';

let server: TestServer;
const applied: LogEntry[] = [];

beforeAll(async () => {
  server = await startServer({ backend: 'memory' });
  server.app.service.onApplied((event) => applied.push(event.entry));
});
afterAll(async () => {
  await server.close();
});

async function hello(client: TestClient, name?: string): Promise<void> {
  const ack: Ack<unknown> = await client.socket.timeout(5_000).emitWithAck('hello', { sessionId: client.sessionId, token: client.token, ...(name ? { name } : {}) });
  if (!ack.ok) throw new Error(`hello: ${ack.error.code}`);
}

async function say(client: TestClient, commandId: string): Promise<LogEntry> {
  const ack: Ack<unknown> = await client.socket.timeout(5_000).emitWithAck('command', { commandId, command: { type: 'SEND_MESSAGE', channel: 'team-iran', text: commandId } });
  if (!ack.ok) throw new Error(`${commandId}: ${ack.error.code}`);
  const entry = applied.find((e) => e.commandId === commandId);
  if (!entry) throw new Error(`${commandId} was not applied`);
  return entry;
}

describe('a named player\'s actor', () => {
  it('is one object per socket and name, kept by each of its entries; a new name or another socket gets its own', async () => {
    const session = await createSession(server.url, { scenarioId: 'april-2024', seed: 'named-actor' });
    const white = new TestClient(server.url, session.sessionId, session.facilitatorToken, 'white');
    await hello(white);
    for (const [i, type] of (['START', 'ADVANCE'] as const).entries()) {
      const ack: Ack<unknown> = await white.socket.timeout(5_000).emitWithAck('command', { commandId: `white-${type}`, command: { type }, expectedGameVersion: i });
      if (!ack.ok) throw new Error(`${type}: ${ack.error.code}: ${ack.error.message}`);
    }
    const token = (await joinCode(server.url, codeFor(session, 'iran'))).token;
    const ali = new TestClient(server.url, session.sessionId, token, 'ali');
    const sara = new TestClient(server.url, session.sessionId, token, 'sara');
    await hello(ali, 'Ali');
    await hello(sara, 'Sara');
    const [a1, a2, a3] = [await say(ali, 'ali-msg-1'), await say(ali, 'ali-msg-2'), await say(ali, 'ali-msg-3')];
    expect(a1.by).toEqual({ kind: 'seat', seat: 'iran', name: 'Ali' });
    expect(a2.by).toBe(a1.by);
    expect(a3.by).toBe(a1.by);
    const s1 = await say(sara, 'sara-msg-1');
    expect(s1.by).toEqual({ kind: 'seat', seat: 'iran', name: 'Sara' });
    expect(await say(ali, 'ali-msg-4').then((e) => e.by)).toBe(a1.by);
    // The same socket under another name: its entries say so from then on; the earlier ones keep theirs.
    await hello(ali, 'Ali R.');
    const renamed = await say(ali, 'ali-msg-5');
    expect(renamed.by).toEqual({ kind: 'seat', seat: 'iran', name: 'Ali R.' });
    expect(a1.by).toEqual({ kind: 'seat', seat: 'iran', name: 'Ali' });
    // Unnamed: the grant's own role, as before.
    await hello(sara);
    expect((await say(sara, 'sara-msg-2')).by).toEqual({ kind: 'seat', seat: 'iran' });
    for (const c of [white, ali, sara]) c.close();
  });
});
