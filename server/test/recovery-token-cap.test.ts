/**
 * Socket.IO connection state recovery (RECOVERY_MS) against SOCKETS_PER_TOKEN (docs/security.md §3, §10): a
 * socket that comes back while its token's places are all taken is not restored, so it is never in its old
 * rooms and is sent nothing of them (not even what they got while it was away); its client's hello is then
 * refused `rate_limited`. With a place free, the recovery keeps it. In memory and with the places in Redis.
 */
import { describe, expect, it } from 'vitest';
import { codeFor, createSession, joinCode, uniquePrefix, waitFor } from './harness.ts';
import { helloThenDrop, reconnect } from './connection-drop.ts';
import { suiteServer } from './suite-server.ts';

describe.each(['memory', 'redis'] as const)('a recovered socket and its token\'s cap (%s)', (backend) => {
  const suite = suiteServer(backend, uniquePrefix(`recovery-token-cap-${backend}`), { SOCKETS_PER_TOKEN: '1', RECOVERY_MS: '60000' });
  const client = (sessionId: string, token: string, label: string) => suite.client(sessionId, token, label);

  it('past the cap is not restored and receives no broadcast; with a place free it recovers and acts', async () => {
    const session = await createSession(suite.server.url, { scenarioId: 'april-2024' });
    const { token } = await joinCode(suite.server.url, codeFor(session, 'iran'));
    const away = client(session.sessionId, token, 'away');
    await helloThenDrop(suite.server, away);
    const other = client(session.sessionId, token, 'other');
    await waitFor(async () => (await other.hello()).ok, 5000, 'the dropped socket\'s place');
    // Sent to the away socket's rooms while it is away (the other tab's presence announcement is one more).
    expect((await other.command({ type: 'SEND_MESSAGE', channel: 'team-iran', text: 'while you were away' })).ok).toBe(true);

    const before = away.received.length;
    await reconnect(away);
    expect((await other.command({ type: 'SEND_MESSAGE', channel: 'team-iran', text: 'after you came back' })).ok).toBe(true);
    await waitFor(() => other.transcript().includes('after you came back'), 5000, 'the broadcast seen by the tab in the room');
    expect(away.received.slice(before).map((r) => r.event)).toEqual([]);
    expect(away.socket.recovered).toBe(false);
    const refused = await away.hello();
    expect(!refused.ok && refused.error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('1 tabs') as unknown });

    // With the place free again, a recovery claims it and acts.
    other.close();
    await waitFor(async () => (await away.hello()).ok, 5000, 'the other tab\'s place');
    await helloThenDrop(suite.server, away);
    await reconnect(away);
    expect(away.socket.recovered).toBe(true);
    expect((await away.command({ type: 'SEND_MESSAGE', channel: 'team-iran', text: 'back again' })).ok).toBe(true);
    const third = client(session.sessionId, token, 'third');
    expect(!(await third.hello()).ok).toBe(true);
  });
});
