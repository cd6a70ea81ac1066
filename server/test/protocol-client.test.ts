/**
 * The bots' protocol client against the real server, where an `update` overtakes the answer to
 * its hello: the server joins the socket to its room and then answers, so a command applied in
 * between reaches the socket first. The answer to the hello is held back here to make that
 * window wide; the client must still reach the newer view without any later update.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolClient } from '../src/bots/protocol-client.ts';
import { codeFor, connect, createSession, startServer, uniquePrefix, waitFor, type TestClient, type TestServer } from './harness.ts';

const HELD_MS = 600;

describe('ProtocolClient', () => {
  let server: TestServer;
  const closing: { close(): void }[] = [];
  beforeAll(async () => {
    server = await startServer({ backend: 'memory', prefix: uniquePrefix('protocol-client') });
  });
  afterAll(async () => {
    for (const c of closing) c.close();
    await server.close();
  });

  it('keeps an update that came before its hello was answered', async () => {
    const session = await createSession(server.url, { scenarioId: 'april-2024', seed: 'early-update', review: false });
    const fac: TestClient = await connect(server.url, session.sessionId, session.facilitatorToken, 'facilitator');
    closing.push(fac);
    await fac.must({ type: 'START' });
    await fac.until((v) => v.phase === 'briefing');

    // From now on every hello is answered HELD_MS late; the handler itself (room joined, view taken) runs at once.
    let helloHandled = false;
    server.app.io.on('connection', (socket) => {
      socket.use((packet, next) => {
        const ack = packet[packet.length - 1];
        if (packet[0] === 'hello' && typeof ack === 'function') {
          packet[packet.length - 1] = (...args: unknown[]) => {
            helloHandled = true;
            setTimeout(() => (ack as (...a: unknown[]) => void)(...args), HELD_MS);
          };
        }
        next();
      });
    });

    const bot = new ProtocolClient(server.url, codeFor(session, 'mediators'));
    closing.push(bot);
    const connecting = bot.connect();
    await waitFor(() => helloHandled, 5_000, 'the hello to be handled');
    await fac.must({ type: 'ADVANCE' });
    await connecting;
    // The view in the hello's answer is the briefing; the update that opened planning came before it.
    await waitFor(() => bot.view.phase === 'planning', 3_000, 'the client to reach planning');
    expect(bot.view.beat?.actingSeats).toContain('mediators');
  }, 20_000);

  it('has a view once connected, when an update comes while it fetches the scenario text', async () => {
    const session = await createSession(server.url, { scenarioId: 'april-2024', seed: 'update-during-text', review: false });
    const fac: TestClient = await connect(server.url, session.sessionId, session.facilitatorToken, 'facilitator');
    closing.push(fac);
    await fac.must({ type: 'START' });

    // The client's first fetch of the scenario text is held until the facilitator's next command has reached it.
    const realFetch = globalThis.fetch;
    let textAsked = false;
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    globalThis.fetch = async (input, init) => {
      if (String(input instanceof Request ? input.url : input).includes('/api/scenarios/')) {
        textAsked = true;
        await held;
      }
      return realFetch(input, init);
    };
    try {
      const bot = new ProtocolClient(server.url, codeFor(session, 'iran'));
      closing.push(bot);
      const connecting = bot.connect();
      await waitFor(() => textAsked, 5_000, 'the client to ask for the scenario text');
      await fac.must({ type: 'ADVANCE' });
      await new Promise((r) => setTimeout(r, 300)); // the update reaches the client while its text is on the way
      release();
      await connecting;
      // What a bot does first once connected (BotPlayer.start): read the view.
      expect(bot.view.phase).toBe('planning');
    } finally {
      globalThis.fetch = realFetch;
      release();
    }
  }, 20_000);
});
