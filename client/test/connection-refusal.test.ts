import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionConnection } from '../src/net/connection.ts';

/**
 * A server that refuses connections the way Rubicon's anonymous-socket cap does (a namespace
 * middleware's error with `data.retryAfterMs`): Socket.IO's client does not retry such a refusal
 * by itself, so the console must, after the wait the server names.
 */
async function refusingServer(refusals: number, retryAfterMs: number) {
  const http: HttpServer = createServer();
  const ioServer = new Server(http);
  const attempts: number[] = [];
  const hellos: number[] = [];
  ioServer.use((_socket, next) => {
    attempts.push(Date.now());
    if (attempts.length > refusals) return next();
    const err = new Error('Too many connections from this address are waiting to say hello.') as Error & { data?: unknown };
    err.data = { code: 'rate_limited', retryAfterMs };
    next(err);
  });
  ioServer.on('connection', (socket) => socket.on('hello', () => hellos.push(Date.now())));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { url, attempts, hellos, close: () => new Promise<void>((resolve) => ioServer.close(() => resolve())) };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a connection the server refuses with a wait', () => {
  let stop: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await stop?.();
    stop = null;
  });

  it('tries again after the wait the server names, then says hello', async () => {
    const server = await refusingServer(1, 1200);
    const conn = new SessionConnection('s1', 'token', () => io(server.url, { transports: ['websocket'], forceNew: true }));
    stop = async () => {
      conn.stop();
      await server.close();
    };
    conn.start();
    await until(() => server.hellos.length === 1, 8000);
    expect(server.attempts).toHaveLength(2);
    const waited = (server.attempts[1] ?? 0) - (server.attempts[0] ?? 0);
    // Not before the server's 1.2 s, and not much after it.
    expect(waited).toBeGreaterThanOrEqual(1150);
    expect(waited).toBeLessThan(4000);
  }, 15_000);

  it('does not try again once stopped', async () => {
    const server = await refusingServer(5, 1000);
    const conn = new SessionConnection('s1', 'token', () => io(server.url, { transports: ['websocket'], forceNew: true }));
    stop = () => server.close();
    conn.start();
    await until(() => server.attempts.length === 1, 5000);
    conn.stop();
    await new Promise((r) => setTimeout(r, 1600));
    expect(server.attempts).toHaveLength(1);
  }, 15_000);
});
