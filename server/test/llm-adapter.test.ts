import { Writable } from 'node:stream';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { applyEntry, createGame, initialState, viewFor, type GameState, type LogEntry } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { llmBrain } from '../src/bots/llm-brain.ts';
import { startFakeLlm, type ChatRequest, type FakeAnswer, type FakeLlm } from './fake-llm.ts';

const scenario = shippedScenario('april-2024');
const KEY = 'sk-test-never-log-this-0123456789';

/** Iran's view at the first beat's planning. */
function iranView() {
  const game = createGame(scenario, { scenarioId: scenario.id, seed: 'llm' });
  let state: GameState = initialState(game);
  for (const command of [{ type: 'START' }, { type: 'ADVANCE' }] as const) {
    const entry: LogEntry = { seq: state.version + 1, at: 1000 * (state.version + 1), by: { kind: 'facilitator' }, commandId: `c${state.version + 1}`, command };
    const r = applyEntry(game, state, entry);
    if (!r.ok) throw new Error(r.refusal.message);
    state = r.state;
  }
  return viewFor(game, state, { kind: 'seat', seat: 'iran' });
}

/** The fake endpoint answers from a script, in order. */
let llm: FakeLlm;
let baseUrl = '';
let script: FakeAnswer[] = [];
let requests: ChatRequest[] = [];

beforeAll(async () => {
  llm = await startFakeLlm(() => script.shift() ?? { content: '{}' });
  baseUrl = llm.baseUrl;
  requests = llm.requests;
});
afterAll(() => llm.close());

function brain(timeoutMs = 2000) {
  let logs = '';
  const logger = pino({ level: 'trace' }, new Writable({ write: (c: Buffer, _e, cb) => ((logs += c.toString()), cb()) }));
  return { brain: llmBrain({ baseUrl, model: 'test-model', apiKey: KEY, timeoutMs }, 'iran', logger), logs: () => logs };
}

describe('LLM adapter', () => {
  answerCases();
  noAnswerCases();
});

/** Legal, illegal and malformed answers. */
function answerCases(): void {
  it('plays a legal JSON answer as the move, with its rationale and messages', async () => {
    requests.length = 0;
    script = [{ content: JSON.stringify({ move: 'condemn-at-un', rationale: 'Build the legal case first.', messages: [{ channel: 'public', text: 'We will take this to the Security Council.' }] }) }];
    const { brain: b, logs } = brain();
    const d = await b.decide(iranView(), [], () => 0.5);
    expect(d).toEqual({ move: 'condemn-at-un', rationale: 'Build the legal case first.', messages: [{ channel: 'public', text: 'We will take this to the Security Council.' }] });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.auth).toBe(`Bearer ${KEY}`);
    expect(requests[0]!.body.model).toBe('test-model');
    // The model reads the seat's own briefing and menu.
    expect(requests[0]!.body.messages[1]!.content).toContain('condemn-at-un');
    expect(logs()).not.toContain(KEY);
  });

  it('gives an illegal answer one repair prompt, then plays the default and tells the white cell', async () => {
    requests.length = 0;
    script = [{ content: JSON.stringify({ move: 'nuke-everything', rationale: 'x' }) }, { content: 'not json at all' }];
    const { brain: b, logs } = brain();
    const view = iranView();
    const d = await b.decide(view, [], () => 0.5);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.body.messages.at(-1)!.content).toContain('"nuke-everything" is not on the menu');
    expect(d?.move).toBe(view.menu?.defaultMove);
    expect(d?.messages).toEqual([{ channel: 'team-iran', text: expect.stringContaining('no playable answer'), toWhiteCell: true }]);
    expect(logs()).toContain('playing the default move');
    expect(logs()).not.toContain(KEY);
  });

  it('repairs a malformed answer when the second one is legal', async () => {
    script = [{ content: '{"move": 42}' }, { content: JSON.stringify({ move: 'quiet-mourning', rationale: 'Absorb it.' }) }];
    const d = await brain().brain.decide(iranView(), [], () => 0.5);
    expect(d?.move).toBe('quiet-mourning');
  });
}

/** No answer in time, and an endpoint that cannot be reached. */
function noAnswerCases(): void {
  it('plays the default when the model does not answer in time', async () => {
    script = [{ content: JSON.stringify({ move: 'condemn-at-un', rationale: 'late' }), delayMs: 1500 }];
    const { brain: b, logs } = brain(200);
    const t0 = Date.now();
    const view = iranView();
    const d = await b.decide(view, [], () => 0.5);
    expect(Date.now() - t0).toBeLessThan(1400);
    expect(d?.move).toBe(view.menu?.defaultMove);
    expect(d?.messages).toEqual([{ channel: 'team-iran', text: expect.stringContaining('no answer within 200 ms'), toWhiteCell: true }]);
    expect(logs()).not.toContain(KEY);
  });

  it('names why an endpoint that cannot be reached gave no answer (a wrong LLM_BASE_URL, a model server not running)', async () => {
    // A loopback port that was free a moment ago: nothing listens there.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    let logs = '';
    const logger = pino({ level: 'trace' }, new Writable({ write: (c: Buffer, _e, cb) => ((logs += c.toString()), cb()) }));
    const b = llmBrain({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'test-model', apiKey: KEY, timeoutMs: 2000 }, 'iran', logger);
    const view = iranView();
    const d = await b.decide(view, [], () => 0.5);
    expect(d?.move).toBe(view.menu?.defaultMove);
    expect(d?.messages).toEqual([{ channel: 'team-iran', text: expect.stringContaining('the endpoint could not be reached (ECONNREFUSED)'), toWhiteCell: true }]);
    expect(logs).toContain('ECONNREFUSED');
    expect(logs).not.toContain(KEY);
  });
}
