import { afterAll, describe, expect, it } from 'vitest';
import { LLM_BOT, type BotOptions } from '@rubicon/shared/bots';
import { NO_MODEL_REASON } from '../src/bots/llm-brain.ts';
import { LLM_OFF_REASON } from '../src/bots/bot-routes.ts';
import { api, connect, createSession, deleteRedisKeys, recordingLogger, startServer, uniquePrefix, waitFor, type TestClient, type TestServer } from './harness.ts';

/**
 * A language model for a seat on a server that has none (LLM_BASE_URL, LLM_MODEL unset). A new
 * SET_SEAT_BOT "llm" is refused there, as Setup does not offer it. A seat handed to the model
 * while a server had one keeps its place in the log, which replays anywhere: a server without a
 * model then plays the seat's default move each beat and tells the white cell why.
 */
const BOT_ENV = { BOT_MIN_DELAY_MS: '40', BOT_MAX_DELAY_MS: '200', BOT_LEASE_MS: '1500' };
const servers: TestServer[] = [];
const clients: TestClient[] = [];
const prefixes: string[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
  for (const p of prefixes) await deleteRedisKeys(p);
});

describe('a seat handed to a language model on a server without one', () => {
  it('is refused with no_model, and the seat stays with its people', async () => {
    const server = await startServer({ backend: 'memory', env: BOT_ENV });
    servers.push(server);
    const options = await api<BotOptions>(server.url, '/api/scenarios/april-2024/bots');
    expect(options.body.llm).toEqual({ available: false, reason: LLM_OFF_REASON });
    const created = await createSession(server.url, { scenarioId: 'april-2024', seed: 'no-llm' });
    const fac = await connect(server.url, created.sessionId, created.facilitatorToken, 'facilitator');
    clients.push(fac);
    const refused = await fac.command({ type: 'SET_SEAT_BOT', seat: 'iran', bot: LLM_BOT });
    expect(refused.ok ? null : refused.error).toEqual({ code: 'no_model', message: LLM_OFF_REASON });
    // Changed nothing: no entry, no bot; personas and handing the seat back still work.
    await fac.must({ type: 'SET_SEAT_BOT', seat: 'iran', bot: 'hard-liner' });
    const v = await fac.until((x) => x.bots.some((b) => b.seat === 'iran'));
    expect(v.version).toBe(1);
    expect(v.bots).toEqual([{ seat: 'iran', bot: 'hard-liner' }]);
    await fac.must({ type: 'SET_SEAT_BOT', seat: 'iran', bot: null });
  });

  it('plays its default move and tells the white cell why, when the model was there when the seat was handed to it', async () => {
    const prefix = uniquePrefix('llm-gone');
    prefixes.push(prefix);
    // A model that is never asked: the seat is handed to it in the lobby, and its server stops before play.
    const withModel = await startServer({ backend: 'redis', prefix, env: { ...BOT_ENV, LLM_BASE_URL: 'http://127.0.0.1:9/v1', LLM_MODEL: 'gone-model' } });
    servers.push(withModel);
    const created = await createSession(withModel.url, { scenarioId: 'april-2024', seed: 'llm-gone', review: false, timerScale: 0.05 });
    const first = await connect(withModel.url, created.sessionId, created.facilitatorToken, 'facilitator-1');
    clients.push(first);
    await first.must({ type: 'SET_SEAT_BOT', seat: 'iran', bot: LLM_BOT });
    first.close();
    await withModel.close();

    const logs = recordingLogger();
    const server = await startServer({ backend: 'redis', prefix, env: BOT_ENV, deps: { logger: logs.logger } });
    servers.push(server);
    const fac = await connect(server.url, created.sessionId, created.facilitatorToken, 'facilitator-2');
    clients.push(fac);
    expect(fac.view?.bots).toEqual([{ seat: 'iran', bot: LLM_BOT }]);
    await fac.must({ type: 'START' });
    await fac.must({ type: 'ADVANCE' });
    await fac.until((v) => v.phase === 'planning' && (v.beat?.lockedIn ?? []).includes('iran'), 10_000, 'Iran locked in');
    await waitFor(() => fac.messages.some((m) => m.toWhiteCell === true && m.from === 'iran' && m.text.includes(NO_MODEL_REASON)), 5000, 'the note to the white cell');
    // No error on every scan (a bot that could not start would log one each time).
    expect(logs.errors()).toEqual([]);
    await fac.must({ type: 'ADVANCE' }); // closes planning; the other seats default
    const resolved = await fac.until((v) => v.resolutions.length > 0, 10_000, 'the resolution');
    expect(resolved.resolutions[0]?.choices.find((c) => c.seat === 'iran')?.rationale).toContain('the language model gave no playable answer');
  });
});
