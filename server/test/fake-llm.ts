import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
  auth: string | undefined;
  body: { model: string; messages: { role: string; content: string }[] };
}

/** What the fake model says to one request: the answer's text, after an optional delay. */
export interface FakeAnswer {
  content?: string;
  delayMs?: number;
}

export interface FakeLlm {
  /** The API root to give as LLM_BASE_URL (…/v1). */
  baseUrl: string;
  /** Every request received, oldest first. */
  requests: ChatRequest[];
  close(): Promise<void>;
}

/**
 * A local stand-in for an OpenAI-compatible chat-completions endpoint, on a
 * free loopback port: each request is recorded and answered by `answer`.
 * No network beyond 127.0.0.1 is used.
 */
export async function startFakeLlm(answer: (request: ChatRequest, index: number) => FakeAnswer): Promise<FakeLlm> {
  const requests: ChatRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const request: ChatRequest = { auth: req.headers.authorization, body: JSON.parse(body) as ChatRequest['body'] };
      requests.push(request);
      const step = answer(request, requests.length - 1);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: step.content ?? '' }, finish_reason: 'stop' }] }));
      }, step.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The move ids a prompt's menu lists (lines "- id: title. description" after "Menu:"). */
export function menuOf(request: ChatRequest): string[] {
  const user = request.body.messages.find((m) => m.role === 'user')?.content ?? '';
  const menu = user.split('\nMenu:\n')[1]?.split('\n\n')[0] ?? '';
  return menu.split('\n').flatMap((line) => /^- ([a-z0-9-]+):/.exec(line)?.[1] ?? []);
}
