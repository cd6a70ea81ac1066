import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Command, CommandResult, GameView } from '@rubicon/shared';
import { BotPlayer, type Brain } from '../src/bots/bot-player.ts';
import { ProtocolClient, ProtocolError } from '../src/bots/protocol-client.ts';
import { codeFor, connect, createSession, startServer, type TestServer } from './harness.ts';

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
});
