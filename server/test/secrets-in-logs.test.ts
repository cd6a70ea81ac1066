/**
 * docs/security.md §4: tokens never appear in logs (the app's logger redacts them) nor in session files.
 * The app's own logger (createLogger, the one main.ts uses) at `trace`, read back line by line.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessCode } from '@rubicon/shared';
import { createLogger } from '../src/logger.ts';
import { newJoinCode, newToken } from '../src/session/secrets.ts';
import { TestClient, api, joinCode, seatTable, startServer, type Table, type TestServer } from './harness.ts';
import { startGame } from './play.ts';

/** The app's logger at trace, writing into a string. */
function tracedLogger(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { logger: createLogger({ logLevel: 'trace' }, sink), text: () => text };
}

describe("the app's logger", () => {
  it('drops tokens, the Authorization header and the own-bot secret from every line, wherever they sit', () => {
    const { logger, text } = tracedLogger();
    logger.info(
      {
        token: 'secret-token-top',
        facilitatorToken: 'secret-facilitator',
        grant: { token: 'secret-token-nested' },
        req: { method: 'POST', headers: { authorization: 'Bearer secret-bearer', 'x-rubicon-own-bot': 'secret-own-bot' } },
      },
      'a line with credentials in it',
    );
    logger.child({ module: 'x' }).warn({ session: { facilitatorToken: 'secret-child' } }, 'from a child');
    expect(text()).toContain('a line with credentials in it');
    expect(text()).toContain('from a child');
    expect(text()).toContain('"method":"POST"');
    expect(text()).not.toMatch(/secret-/);
  });

  it('drops a token, a join code or the own-bot secret at any depth, in an error, a binding, a path or a message', () => {
    const { logger, text } = tracedLogger();
    const token = newToken(), ownBot = newToken(), deepToken = newToken(), boundToken = newToken();
    const code = newJoinCode(), facilitatorCode = newJoinCode(), typedCode = newJoinCode(), causeCode = newJoinCode();
    const fieldCode = newJoinCode(), pathCode = newJoinCode(), argCode = newJoinCode();
    const typed = (c: string) => `${c.slice(0, 4)}-${c.slice(4)}`.toLowerCase();
    logger.info(
      {
        session: { seats: { iran: { token: deepToken } } },
        created: { codes: [{ seat: 'iran', code }], facilitatorCode },
        upstream: { req: { headers: { 'x-rubicon-own-bot': ownBot } } },
        redeemed: { input: { code: typed(typedCode) } },
      },
      'two levels deep',
    );
    logger.error({ err: new Error(`token ${token} refused`) }, 'in a message');
    logger.error(new Error('outer', { cause: new Error(`no session for ${causeCode}`) }));
    logger.error({ err: Object.assign(new Error('bad request'), { body: `{"code":"${typed(fieldCode)}"}`, grant: { role: { token } } }) }, 'in fields');
    logger.warn({ method: 'GET', path: `/join/${typed(pathCode)}` }, 'in a path');
    logger.child({ module: 'x', grant: { session: { token: boundToken } } }).info('in bindings');
    logger.info('redeemed %s', argCode);
    logger.error({ err: Object.assign(new TypeError('the store failed'), { code: 'ECONNRESET' }), code: 'stale' }, 'codes that are not secrets');
    const secrets = [token, ownBot, deepToken, boundToken, code, facilitatorCode, typedCode, causeCode, fieldCode, pathCode, argCode];
    const lines = text();
    expect(secrets.filter((s) => lines.toUpperCase().includes(s.toUpperCase()))).toEqual([]);
    for (const what of ['two levels deep', 'in a message', 'outer', 'in fields', 'in a path', 'in bindings', 'redeemed', '"seat":"iran"', '"module":"x"'])
      expect(lines).toContain(what);
    // What is not a credential stays: an error's type and code, a refusal's code, the rest of a path.
    expect(lines).toContain('"type":"TypeError"');
    expect(lines).toContain('"code":"ECONNRESET"');
    expect(lines).toContain('"code":"stale"');
    expect(lines).toContain('"path":"/join/');
  });
});

describe('a session played with the logger at trace', () => {
  const traced = tracedLogger();
  let server: TestServer;
  let table: Table;

  beforeAll(async () => {
    server = await startServer({ backend: 'memory', deps: { logger: traced.logger } });
    table = await seatTable(server.url);
  });
  afterAll(async () => {
    table?.close();
    await server?.close();
  });

  it('writes no token into the log or the exported session file', async () => {
    const { session } = table;
    await startGame(table);
    await table.seats.iran.must({ type: 'SEND_MESSAGE', channel: 'public', text: 'hello all' });
    const coFacilitator = await joinCode(server.url, session.facilitatorCode ?? '');
    // Refusals and odd requests log too: a forged token, a wrong code, a seat's token where the facilitator's is needed.
    const stranger = new TestClient(server.url, session.sessionId, 'f'.repeat(43), 'stranger');
    expect((await stranger.hello()).ok).toBe(false);
    stranger.close();
    expect((await api(server.url, '/api/join', { body: { code: 'ZZZZZZZZ' } })).status).toBe(404);
    expect((await api(server.url, `/api/sessions/${session.sessionId}`, { token: table.tokens.iran })).status).toBe(403);
    const reissued = await api<AccessCode>(server.url, `/api/sessions/${session.sessionId}/access/us/reissue`, { method: 'POST', token: session.facilitatorToken });
    expect(reissued.status).toBe(200);
    const exported = await api<unknown>(server.url, `/api/sessions/${session.sessionId}/export`, { token: session.facilitatorToken });
    expect(exported.status).toBe(200);

    const tokens = [session.facilitatorToken, coFacilitator.token, ...Object.values(table.tokens)];
    expect(tokens.length).toBeGreaterThan(5);
    const log = traced.text();
    // The log saw the session (so a token it carried would show), and no token.
    expect(log).toContain(session.sessionId);
    expect(tokens.filter((t) => log.includes(t))).toEqual([]);
    const file = JSON.stringify(exported.body);
    expect(tokens.filter((t) => file.includes(t))).toEqual([]);
  });
});
