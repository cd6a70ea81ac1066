/**
 * SOCKETS_PER_TOKEN (docs/security.md §3): a token's grant is held by at most that many sockets on a process.
 * A hello past it is refused `rate_limited` and joins nothing; a socket counts once whatever its hellos; its
 * place is given back when it goes, says hello with another token, or loses its grant to an outage-refused
 * hello. In memory and with the session store on Redis.
 */
import { describe, expect, it } from 'vitest';
import { codeFor, createSession, joinCode, uniquePrefix, waitFor, type TestClient } from './harness.ts';
import { suiteServer } from './suite-server.ts';
import { withOutageAfterJoin } from './store-race.ts';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('SOCKETS_PER_TOKEN', () => {
  it('is 8 unless set, and refuses a cap that is not a positive number', () => {
    expect(loadConfig({}).socketsPerToken).toBe(8);
    expect(loadConfig({ SOCKETS_PER_TOKEN: '2' }).socketsPerToken).toBe(2);
    for (const bad of ['0', 'many']) expect(() => loadConfig({ SOCKETS_PER_TOKEN: bad })).toThrow(ConfigError);
  });
});

describe.each(['memory', 'redis'] as const)('sockets per token (%s)', (backend) => {
  const suite = suiteServer(backend, uniquePrefix(`sockets-per-token-${backend}`), { SOCKETS_PER_TOKEN: '3' });
  const client = (sessionId: string, token: string, label: string) => suite.client(sessionId, token, label);
  const roomsOf = async (c: TestClient) => {
    const held = (await suite.server.app.io.local.fetchSockets()).find((s) => s.id === c.socket.id);
    return held && { rooms: [...held.rooms], grant: held.data.grant };
  };

  it('refuses a hello past the cap and joins nothing, counts a socket once whatever its hellos, and frees a place when one goes', async () => {
    const session = await createSession(suite.server.url, { scenarioId: 'april-2024' });
    const { token } = await joinCode(suite.server.url, codeFor(session, 'iran'));
    const tabs = [0, 1, 2].map((i) => client(session.sessionId, token, `iran-${i}`));
    for (const tab of tabs) expect((await tab.hello()).ok).toBe(true);
    for (const tab of tabs) expect((await tab.hello()).ok).toBe(true);
    const fourth = client(session.sessionId, token, 'iran-3');
    const refused = await fourth.hello();
    expect(!refused.ok && refused.error).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) as unknown, message: expect.stringContaining('3 tabs') as unknown });
    expect(await roomsOf(fourth)).toEqual({ rooms: [fourth.socket.id], grant: null });
    // Another token of the same seat, and another seat, are counted apart.
    const sameSeat = client(session.sessionId, (await joinCode(suite.server.url, codeFor(session, 'iran'))).token, 'iran-phone');
    expect((await sameSeat.hello()).ok).toBe(true);
    const us = client(session.sessionId, (await joinCode(suite.server.url, codeFor(session, 'us'))).token, 'us');
    expect((await us.hello()).ok).toBe(true);
    tabs[0]?.close();
    await waitFor(async () => (await fourth.hello()).ok, 5000, 'the closed tab\'s place');
    expect((await fourth.command({ type: 'SEND_MESSAGE', channel: 'team-iran', text: 'in at last' })).ok).toBe(true);
    const fifth = client(session.sessionId, token, 'iran-4');
    expect(!(await fifth.hello()).ok).toBe(true);
  });

  it('gives a place back when a socket says hello with another token or loses its grant to an outage-refused hello', async () => {
    const session = await createSession(suite.server.url, { scenarioId: 'april-2024' });
    const { token } = await joinCode(suite.server.url, codeFor(session, 'iran'));
    const tabs = [0, 1, 2].map((i) => client(session.sessionId, token, `iran-${i}`));
    for (const tab of tabs) expect((await tab.hello()).ok).toBe(true);
    const late = client(session.sessionId, token, 'iran-late');
    expect((await late.hello()).ok).toBe(false);
    // One tab moves to another token: its place under the first is free, and the late tab gets it.
    const other = (await joinCode(suite.server.url, codeFor(session, 'israel'))).token;
    expect((await tabs[0]?.hello(undefined, other))?.ok).toBe(true);
    expect((await late.hello()).ok).toBe(true);
    // The cap holds again; a tab whose hello meets an outage after its join holds no grant, nor a place.
    const later = client(session.sessionId, token, 'iran-later');
    expect((await later.hello()).ok).toBe(false);
    const { answer } = await withOutageAfterJoin(suite.server, session.sessionId, async () => (tabs[1] as TestClient).hello());
    expect(!answer.ok && answer.error.code).toBe('unavailable');
    expect((await later.hello()).ok).toBe(true);
  });
});
