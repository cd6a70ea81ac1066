import { z } from 'zod';
import { MAX_MESSAGE, MAX_RATIONALE, type GameView, type WireMessage } from '@rubicon/shared';
import type { BotDecision, BotMessage } from '@rubicon/shared/bots';
import type { Logger } from '../logger.ts';
import type { Brain } from './bot-player.ts';

export interface LlmConfig {
  /** An OpenAI-compatible API root, e.g. http://127.0.0.1:8080/v1 (llama.cpp, vLLM, Ollama) or https://api.openai.com/v1. */
  baseUrl: string;
  model: string;
  apiKey: string | undefined;
  /** Per request; a seat makes at most two requests a beat (the answer and one repair). */
  timeoutMs: number;
}

/** What the model must answer: checked by this schema, then against the seat's menu and channels. */
export const LlmAnswer = z
  .object({
    move: z.string().min(1).max(64),
    rationale: z.string().trim().min(1).max(MAX_RATIONALE),
    messages: z
      .array(z.object({ channel: z.string().min(1).max(64), text: z.string().trim().min(1).max(MAX_MESSAGE), to: z.string().max(64).optional() }).strict())
      .max(3)
      .optional(),
  })
  .strict();
export type LlmAnswer = z.infer<typeof LlmAnswer>;

type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

const ChatReply = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1) });

/** The seat's situation as the model reads it: only what the seat's view and messages hold. */
export function promptFor(view: GameView, messages: readonly WireMessage[], seat: string): ChatMessage[] {
  const me = view.scenario.seats.find((s) => s.id === seat);
  const menu = view.menu;
  const rung = view.scenario.rungs.find((r) => r.level === view.world.ladder);
  const past = view.resolutions.map((r) => `- ${r.title}: ${r.choices.map((c) => `${c.seat} chose "${c.title}"`).join('; ') || 'nothing you could see'}`);
  const heard = messages.slice(-12).map((m) => `- [${m.channel}] ${m.from ?? 'white cell'}: ${m.text}`);
  const writable = view.channels.filter((c) => c.canWrite && c.kind !== 'team').map((c) => `- ${c.id} (${c.kind}${c.relay ? `, relayed by ${c.relay}` : ''}): ${c.title}`);
  const system = [
    `You play ${me?.name ?? seat} in "${view.scenario.title}", a crisis wargame. ${me?.description ?? ''}`,
    'Decide as that government would. Answer with one JSON object and nothing else:',
    '{"move": "<one move id from the menu>", "rationale": "<why, in a few sentences>", "messages": [{"channel": "<channel id>", "text": "<short message>"}]}',
    '"messages" is optional (at most 3).',
  ].join('\n');
  const user = [
    `Beat: ${view.beat?.title ?? ''} (${view.beat?.date ?? ''}). ${view.beat?.situation ?? ''}`,
    view.briefing ? `Your private briefing: ${view.briefing}` : '',
    `Escalation ladder: rung ${view.world.ladder}${rung ? ` (${rung.name})` : ''}.`,
    past.length ? `Earlier beats:\n${past.join('\n')}` : '',
    heard.length ? `Messages you have received or sent:\n${heard.join('\n')}` : '',
    `${menu?.prompt ?? 'Choose a move.'}\nMenu:\n${(menu?.moves ?? []).map((m) => `- ${m.id}: ${m.title}. ${m.description}`).join('\n')}`,
    writable.length ? `Channels you may write in:\n${writable.join('\n')}` : '',
  ].filter(Boolean);
  return [
    { role: 'system', content: system },
    { role: 'user', content: user.join('\n\n') },
  ];
}

/** Why an answer cannot be played (null: it can). */
export function answerProblem(content: string, view: GameView): { problem: string } | { answer: LlmAnswer } {
  let json: unknown;
  try {
    json = JSON.parse(content.trim().replace(/^```(?:json)?\s*|\s*```$/g, ''));
  } catch {
    return { problem: 'the answer is not JSON' };
  }
  const parsed = LlmAnswer.safeParse(json);
  if (!parsed.success) return { problem: `the JSON does not match the schema: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`).join('; ')}` };
  const moves = view.menu?.moves.map((m) => m.id) ?? [];
  if (!moves.includes(parsed.data.move)) return { problem: `"${parsed.data.move}" is not on the menu (${moves.join(', ')})` };
  const writable = new Set(view.channels.filter((c) => c.canWrite).map((c) => c.id));
  const bad = parsed.data.messages?.find((m) => !writable.has(m.channel));
  if (bad) return { problem: `you cannot write in channel "${bad.channel}"` };
  return { answer: parsed.data };
}

/**
 * Why a request got no answer, for the white cell's note. fetch says only "fetch failed" when the
 * endpoint cannot be reached (nothing listening, a name that does not resolve): the cause's code is
 * what tells a wrong LLM_BASE_URL or a model server that is not running from anything else.
 */
export function requestProblem(err: unknown, timeoutMs: number): string {
  if (!(err instanceof Error)) return 'request failed';
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause: unknown = err.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return `the endpoint could not be reached (${typeof code === 'string' ? code : cause.message})`;
  }
  return err.message;
}

/**
 * The seat's default move when the model gave nothing playable: the reason goes to the white cell alone
 * (a note in the seat's team channel); the rationale, which the seat reads too, says only that it defaulted.
 */
function fallback(view: GameView, reason: string, log: Logger): BotDecision {
  const menu = view.menu;
  const team = view.channels.find((c) => c.kind === 'team' && c.canWrite);
  log.warn({ reason }, 'language model gave no playable answer; playing the default move');
  const note: BotMessage[] = team ? [{ channel: team.id, text: `Language model: no playable answer (${reason}). This seat plays its default move.`.slice(0, MAX_MESSAGE), toWhiteCell: true }] : [];
  return { move: menu?.defaultMove ?? '', rationale: 'Default move: the language model gave no playable answer.', messages: note };
}

/** Why a seat handed to a language model plays its default on a process that has none configured. */
export const NO_MODEL_REASON = 'no language model is configured on this server (LLM_BASE_URL, LLM_MODEL)';

/**
 * A seat handed to a language model (SET_SEAT_BOT "llm") served by a process with no model configured.
 * Such a process refuses the command (seatBotUnavailable), but one that had a model took it, and the
 * log stands: instead of leaving the seat to its deadline (and logging an error on every scan), it plays
 * the default move each beat and tells the white cell why, as a failed request would.
 */
export function unconfiguredLlmBrain(seat: string, logger: Logger): Brain {
  const log = logger.child({ module: 'llm', seat, model: null });
  return {
    decide: async (view) => (!view.menu || view.phase !== 'planning' ? null : fallback(view, NO_MODEL_REASON, log)),
    relays: () => [],
  };
}

/**
 * A seat played by a language model through an OpenAI-compatible
 * chat-completions endpoint. A malformed or illegal answer gets one repair
 * prompt; after that, or on a timeout or an error, the seat plays its
 * default move, and tells the white cell why in a note only the white cell
 * reads (filed in the seat's team channel).
 * The API key goes in the Authorization header only and is never logged.
 */
export function llmBrain(config: LlmConfig, seat: string, logger: Logger, fetchImpl: typeof fetch = fetch): Brain {
  const log = logger.child({ module: 'llm', seat, model: config.model });
  const url = `${config.baseUrl.replace(/\/+$/, '')}/chat/completions`;

  async function complete(messages: ChatMessage[]): Promise<string> {
    const res = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}) },
      body: JSON.stringify({ model: config.model, messages, temperature: 0.7, response_format: { type: 'json_object' } }),
      signal: AbortSignal.timeout(config.timeoutMs),
    });
    if (!res.ok) throw new Error(`the endpoint answered HTTP ${res.status}`);
    const reply = ChatReply.safeParse(await res.json());
    if (!reply.success) throw new Error('the endpoint’s reply is not a chat completion');
    return reply.data.choices[0]?.message.content ?? '';
  }

  return {
    async decide(view, messages) {
      if (!view.menu || view.phase !== 'planning') return null;
      const prompt = promptFor(view, messages, seat);
      let problem = '';
      for (let attempt = 1; attempt <= 2; attempt++) {
        let content: string;
        try {
          content = await complete(prompt);
        } catch (err) {
          return fallback(view, requestProblem(err, config.timeoutMs), log);
        }
        const checked = answerProblem(content, view);
        if ('answer' in checked) {
          log.info({ move: checked.answer.move, attempt }, 'language model chose a move');
          return { move: checked.answer.move, rationale: checked.answer.rationale, messages: checked.answer.messages ?? [] };
        }
        problem = checked.problem;
        log.info({ problem, attempt }, 'language model answer refused');
        prompt.push({ role: 'assistant', content }, { role: 'user', content: `That answer cannot be played: ${problem}. Answer again with one JSON object only; "move" must be one of: ${view.menu.moves.map((m) => m.id).join(', ')}.` });
      }
      return fallback(view, `after one repair prompt, ${problem}`, log);
    },
    relays: () => [],
    worstCaseMs: 2 * config.timeoutMs,
  };
}
