import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { LLM_BOT, type BotOptions } from '@rubicon/shared/bots';
import { api, codeFor, connect, createSession, joinCode, startServer, waitFor, type TestServer } from './harness.ts';
import { menuOf, startFakeLlm, type FakeLlm } from './fake-llm.ts';

const KEY = 'sk-seat-test-never-log-this-9876543210';

/**
 * A seat played by a language model through the whole server: the
 * facilitator picks the model for Iran the way Setup does (SET_SEAT_BOT
 * "llm"), and a fake OpenAI-compatible endpoint on loopback plays it. Its
 * first answer is off the menu and its repair is not JSON, so Iran plays its
 * default and the white cell reads why; from the next beat it answers with a
 * move of the menu it was shown, which Iran then plays.
 */
describe('a seat played by a language model, through the server', () => {
  let llm: FakeLlm;
  let server: TestServer;
  let logs = '';

  beforeAll(async () => {
    llm = await startFakeLlm((request, index) => {
      if (index === 0) return { content: JSON.stringify({ move: 'nuke-everything', rationale: 'Off the menu.' }) };
      if (index === 1) return { content: 'I would rather not answer in JSON.' };
      const move = menuOf(request)[0] ?? 'none';
      return { content: JSON.stringify({ move, rationale: `The model weighs the menu and takes ${move}.`, messages: [{ channel: 'public', text: 'Tehran has made its choice.' }] }) };
    });
    const logger = pino({ level: 'trace' }, new Writable({ write: (c: Buffer, _e, cb) => ((logs += c.toString()), cb()) }));
    server = await startServer({
      backend: 'memory',
      env: { LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'fake-model', LLM_API_KEY: KEY, LLM_TIMEOUT_MS: '5000', BOT_MIN_DELAY_MS: '40', BOT_MAX_DELAY_MS: '200' },
      deps: { logger },
    });
  });
  afterAll(async () => {
    await server.close();
    await llm.close();
  });

  it('is offered in Setup, plays its default after a failed repair (the white cell is told), then plays the moves it answers', async () => {
    const options = await api<BotOptions>(server.url, '/api/scenarios/april-2024/bots');
    expect(options.body.llm).toEqual({ available: true, model: 'fake-model' });

    const created = await createSession(server.url, { scenarioId: 'april-2024', seed: 'llm-seat', review: false, timerScale: 0.05 });
    const fac = await connect(server.url, created.sessionId, created.facilitatorToken, 'facilitator');
    // Someone at Iran's own seat, beside the model: the fallback note is not for them.
    const iranPerson = await connect(server.url, created.sessionId, (await joinCode(server.url, codeFor(created, 'iran'))).token, 'iran');
    await fac.must({ type: 'SET_SEAT_BOT', seat: 'iran', bot: LLM_BOT });
    for (const [seat, bot] of [['israel', 'restore-deterrence'], ['us', 'restrain-israel'], ['mediators', 'cautious']] as const) await fac.must({ type: 'SET_SEAT_BOT', seat, bot });
    await fac.until((v) => v.bots.length === 4);
    expect(fac.view?.bots.find((b) => b.seat === 'iran')?.bot).toBe(LLM_BOT);
    await fac.must({ type: 'START' });
    await fac.must({ type: 'ADVANCE' });

    // Beat 1: the answer and its one repair both fail, so Iran locks in its default move.
    const first = await fac.until((v) => v.phase === 'resolution', 30_000, 'the first resolution');
    const iran1 = first.resolutions[0]?.choices.find((c) => c.seat === 'iran');
    expect(llm.requests).toHaveLength(2);
    expect(llm.requests[1]?.body.messages.at(-1)?.content).toContain('"nuke-everything" is not on the menu');
    expect(iran1?.rationale).toContain('the language model gave no playable answer');
    // The white cell, and only the white cell, reads why (a note filed in Iran's team channel).
    await waitFor(() => fac.messages.some((m) => m.channel === 'team-iran' && m.from === 'iran' && m.toWhiteCell === true && m.text.includes('after one repair prompt, the answer is not JSON')), 5000, 'the fallback note');

    // Beat 2: a legal answer becomes Iran's move, with the model's rationale and message.
    await fac.must({ type: 'ADVANCE' });
    const second = await fac.until((v) => v.resolutions.length >= 2, 30_000, 'the second resolution');
    const asked = llm.requests[2];
    const iran2 = second.resolutions[1]?.choices.find((c) => c.seat === 'iran');
    expect(asked).toBeDefined();
    expect(iran2?.move).toBe(menuOf(asked!)[0]);
    expect(iran2?.defaulted).toBe(false);
    expect(iran2?.rationale).toBe(`The model weighs the menu and takes ${iran2?.move}.`);
    await waitFor(() => fac.messages.some((m) => m.channel === 'public' && m.from === 'iran' && m.text === 'Tehran has made its choice.'), 5000, 'the model’s message');
    await waitFor(() => iranPerson.messages.some((m) => m.text === 'Tehran has made its choice.'), 5000, 'the model’s message at Iran’s seat');
    expect(iranPerson.messages.filter((m) => m.toWhiteCell || m.text.includes('no playable answer'))).toEqual([]);

    // Every request carried the key as a bearer token, and no log line holds it.
    expect(llm.requests.every((r) => r.auth === `Bearer ${KEY}` && r.body.model === 'fake-model')).toBe(true);
    expect(logs).toContain('playing the default move');
    expect(logs).not.toContain(KEY);
    fac.close();
    iranPerson.close();
  }, 90_000);
});
