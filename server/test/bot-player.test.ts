import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Command, CommandResult, GameView } from '@rubicon/shared';
import { findPersona } from '@rubicon/shared/bots';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { BotPlayer, type Brain } from '../src/bots/bot-player.ts';
import { personaBrain } from '../src/bots/persona-brain.ts';
import { ProtocolClient, ProtocolError } from '../src/bots/protocol-client.ts';
import { codeFor, connect, createSession, joinCode, startServer, waitFor, type TestServer } from './harness.ts';

/** A seat's connection whose first lock-in loses the race for the game version, as on a busy table. */
class RacingClient extends ProtocolClient {
  staleAnswers = 0;
  override async send(command: Command, expectedGameVersion?: number): Promise<CommandResult> {
    if (command.type === 'SUBMIT_MOVE' && this.staleAnswers === 0) {
      this.staleAnswers++;
      throw new ProtocolError('stale', 'another seat moved the game on');
    }
    return super.send(command, expectedGameVersion);
  }
}

/** A seat's connection whose relays take a while to be acknowledged (and to come back as updates), as on a slow link. */
class SlowRelayClient extends ProtocolClient {
  override async send(command: Command, expectedGameVersion?: number): Promise<CommandResult> {
    if (command.type === 'SEND_MESSAGE' && command.relayOf !== undefined) await new Promise((r) => setTimeout(r, 1200));
    return super.send(command, expectedGameVersion);
  }
}

describe('a bot whose lock-in goes stale', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ backend: 'memory' });
  });
  afterAll(() => server.close());

  it('sends the same decision again instead of asking its brain (a model) a second time', async () => {
    const created = await createSession(server.url, { scenarioId: 'april-2024', seed: 'stale-bot', review: false });
    const fac = await connect(server.url, created.sessionId, created.facilitatorToken, 'facilitator');
    const asked: number[] = [];
    const brain: Brain = {
      decide(view: GameView) {
        asked.push(view.version);
        const move = view.menu?.moves.at(-1)?.id;
        return Promise.resolve(move ? { move, rationale: `Decision number ${asked.length}.`, messages: [] } : null);
      },
      relays: () => [],
    };
    const client = new RacingClient(server.url, codeFor(created, 'iran'));
    const player = new BotPlayer({
      baseUrl: server.url,
      code: codeFor(created, 'iran'),
      sessionId: created.sessionId,
      seat: 'iran',
      brain,
      delays: { minMs: 20, maxMs: 40, marginMs: 0 },
      logger: pino({ level: 'silent' }),
      client,
    });
    await player.start();
    await fac.must({ type: 'START' });
    await fac.must({ type: 'ADVANCE' });
    const locked = await fac.until((v) => v.submissions?.iran?.locked === true, 10_000, 'Iran locked in');
    expect(client.staleAnswers).toBe(1);
    expect(asked).toHaveLength(1);
    expect(locked.submissions?.iran).toMatchObject({ move: client.view.menu?.moves.at(-1)?.id, rationale: 'Decision number 1.' });
    player.stop();
    fac.close();
  });

  it('a mediator bot passes a message on once, though its lock-in comes while its relay of it is still on the way', async () => {
    const created = await createSession(server.url, { scenarioId: 'april-2024', seed: 'relay-once', review: false });
    const fac = await connect(server.url, created.sessionId, created.facilitatorToken, 'facilitator');
    const iranJoin = await joinCode(server.url, codeFor(created, 'iran'));
    const iran = await connect(server.url, created.sessionId, iranJoin.token, 'iran');
    const scenario = shippedScenario('april-2024');
    const persona = findPersona(scenario, 'mediators', 'shuttle-broker');
    if (!persona) throw new Error('no shuttle broker');
    const player = new BotPlayer({
      baseUrl: server.url,
      code: codeFor(created, 'mediators'),
      sessionId: created.sessionId,
      seat: 'mediators',
      brain: personaBrain(scenario, persona),
      // Lock-in 400 ms into planning; the relay round starts 120-520 ms after Iran's message: either may come first.
      delays: { minMs: 400, maxMs: 400, marginMs: 0 },
      logger: pino({ level: 'silent' }),
      client: new SlowRelayClient(server.url, codeFor(created, 'mediators')),
    });
    await player.start();
    await fac.must({ type: 'START' });
    await fac.must({ type: 'ADVANCE' });
    await iran.until((v) => v.phase === 'planning', 5000, 'planning');
    const note = 'Tehran wants no wider war; tell Washington.';
    await iran.must({ type: 'SEND_MESSAGE', channel: 'iran-us-mediated', text: note });
    await fac.until((v) => v.submissions?.mediators?.locked === true, 10_000, 'the mediators locked in');
    const relays = () => fac.messages.filter((m) => m.from === 'mediators' && (m.relayOf ?? null) !== null && m.text.includes(note));
    await waitFor(() => relays().length > 0, 5000, 'a relay');
    // Both the lock-in's messages and the relay round have been sent and acknowledged by now.
    await new Promise((r) => setTimeout(r, 3000));
    expect(relays().map((m) => m.text)).toHaveLength(1);
    player.stop();
    iran.close();
    fac.close();
  }, 30_000);
});
