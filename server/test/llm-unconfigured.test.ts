import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { LLM_BOT, type BotOptions } from '@rubicon/shared/bots';
import { NO_MODEL_REASON } from '../src/bots/llm-brain.ts';
import { api, connect, createSession, startServer, waitFor, type TestServer } from './harness.ts';

/**
 * SET_SEAT_BOT "llm" on a server with no model configured (Setup offers none, but the command is legal):
 * the seat is not left to its deadline, and the process does not log an error on every scan; it plays
 * the default move and tells the white cell why, as it would after a failed request.
 */
describe('a seat handed to a language model on a server without one', () => {
  let server: TestServer;
  let logs = '';

  beforeAll(async () => {
    const logger = pino({ level: 'info' }, new Writable({ write: (c: Buffer, _e, cb) => ((logs += c.toString()), cb()) }));
    server = await startServer({ backend: 'memory', env: { BOT_MIN_DELAY_MS: '40', BOT_MAX_DELAY_MS: '200' }, deps: { logger } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('plays its default move and tells the white cell why', async () => {
    const options = await api<BotOptions>(server.url, '/api/scenarios/april-2024/bots');
    expect(options.body.llm.available).toBe(false);
    const created = await createSession(server.url, { scenarioId: 'april-2024', seed: 'no-llm', review: false, timerScale: 0.05 });
    const fac = await connect(server.url, created.sessionId, created.facilitatorToken, 'facilitator');
    await fac.must({ type: 'SET_SEAT_BOT', seat: 'iran', bot: LLM_BOT });
    await fac.must({ type: 'START' });
    await fac.must({ type: 'ADVANCE' });
    await fac.until((v) => v.phase === 'planning' && (v.beat?.lockedIn ?? []).includes('iran'), 10_000, 'Iran locked in');
    await waitFor(() => fac.messages.some((m) => m.toWhiteCell === true && m.from === 'iran' && m.text.includes(NO_MODEL_REASON)), 5000, 'the note to the white cell');
    expect(logs).not.toContain('could not start a bot');
    await fac.must({ type: 'ADVANCE' }); // closes planning; the other seats default
    const resolved = await fac.until((v) => v.resolutions.length > 0, 10_000, 'the resolution');
    expect(resolved.resolutions[0]?.choices.find((c) => c.seat === 'iran')?.rationale).toContain('the language model gave no playable answer');
  });
});
