/** The socket events' guard: nothing reaches a handler it refuses, in its order of checks, and no listener a client can reach goes around it. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { createMetrics } from '../src/metrics.ts';
import type { Verdict } from '../src/limits/rate-limit.ts';
import type { ArgsHandler } from '../src/socket/ack-handler.ts';
import { eventGuard, isGuardListener, type GuardLimits } from '../src/socket/event-guard.ts';
import { startServer, type TestServer } from './harness.ts';

const allowed: Verdict = { allowed: true };
const refused: Verdict = { allowed: false, retryAfterMs: 5000 };

type Loose = { timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> } };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A Socket.IO server with the guard in front of three spied handlers, and a client connected to it. */
async function guardedServer(limits: GuardLimits) {
  const http = createServer();
  const server = new Server(http);
  const handlers = {
    hello: vi.fn<ArgsHandler<ServerSocket>>((args) => (args.at(-1) as (r: unknown) => void)({ ok: true, data: 'hello' })),
    command: vi.fn<ArgsHandler<ServerSocket>>((args) => (args.at(-1) as (r: unknown) => void)({ ok: true, data: 'command' })),
    sync: vi.fn<ArgsHandler<ServerSocket>>((args) => (args.at(-1) as (r: unknown) => void)({ ok: true, data: 'sync' })),
  };
  const guard = eventGuard<ServerSocket>({ limits, metrics: createMetrics(), addressOf: () => '203.0.113.9' }, handlers);
  const sockets: ServerSocket[] = [];
  server.on('connection', (socket) => {
    sockets.push(socket);
    guard(socket);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const client: ClientSocket = connectClient(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  cleanups.push(() => {
    client.close();
    return new Promise<void>((resolve) => void server.close(() => resolve()));
  });
  const send = (event: string, ...args: unknown[]) => (client as unknown as Loose).timeout(5000).emitWithAck(event, ...args);
  return { handlers, send, client, sockets };
}

const limitsOf = (socket: () => Promise<Verdict>, address: () => Promise<Verdict>) => ({ socket: { take: vi.fn(socket) }, helloPerAddress: { take: vi.fn(address) } });

describe('the event guard', () => {
  it('refuses hello, sync and unknown events over the socket’s limit before any handler, and leaves commands to their own count', async () => {
    const limits = limitsOf(() => Promise.resolve(refused), () => Promise.resolve(allowed));
    const { handlers, send } = await guardedServer(limits);
    for (const event of ['hello', 'sync', 'nope', 'error']) expect(await send(event, {}), event).toMatchObject({ ok: false, error: { code: 'rate_limited', retryAfterMs: 5000 } });
    expect(await send('command', { command: { type: 'PAUSE' } })).toEqual({ ok: true, data: 'command' });
    expect(handlers.hello).not.toHaveBeenCalled();
    expect(handlers.sync).not.toHaveBeenCalled();
    expect(limits.helloPerAddress.take).not.toHaveBeenCalled();
  });

  it('checks the socket’s limit, then the name, then the address’s limit for hello and sync only', async () => {
    const limits = limitsOf(() => Promise.resolve(allowed), () => Promise.resolve(refused));
    const { handlers, send } = await guardedServer(limits);
    expect(await send('helo', {})).toMatchObject({ ok: false, error: { code: 'unknown_event' } });
    expect(limits.helloPerAddress.take).not.toHaveBeenCalled();
    expect(await send('hello', {})).toMatchObject({ ok: false, error: { code: 'rate_limited', message: expect.stringContaining('address') as string } });
    expect(await send('sync', {})).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(limits.helloPerAddress.take.mock.calls).toEqual([['203.0.113.9'], ['203.0.113.9']]);
    expect(handlers.hello).not.toHaveBeenCalled();
    expect(handlers.sync).not.toHaveBeenCalled();
    expect(limits.socket.take).toHaveBeenCalledTimes(3);
  });

  it('refuses an oversized command before its handler, and lets admitted events through with all their arguments', async () => {
    const { handlers, send } = await guardedServer(limitsOf(() => Promise.resolve(allowed), () => Promise.resolve(allowed)));
    expect(await send('command', { command: { type: 'SEND_MESSAGE', text: 'x'.repeat(100_000) } })).toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect(handlers.command).not.toHaveBeenCalled();
    expect(await send('hello', { a: 1 }, 'extra')).toEqual({ ok: true, data: 'hello' });
    expect(handlers.hello.mock.calls[0]?.[0].slice(0, 2)).toEqual([{ a: 1 }, 'extra']);
    expect(await send('sync', { sinceVersion: 0 })).toEqual({ ok: true, data: 'sync' });
  });

  it('answers an event named error as unknown, and the socket goes on serving', async () => {
    const { send } = await guardedServer(limitsOf(() => Promise.resolve(allowed), () => Promise.resolve(allowed)));
    expect(await send('error', { boom: true })).toMatchObject({ ok: false, error: { code: 'unknown_event' } });
    expect(await send('hello', {})).toEqual({ ok: true, data: 'hello' });
  });

  it('never runs a handler for a socket that closed while its event was being counted', async () => {
    let admit: (v: Verdict) => void = () => undefined;
    const limits = limitsOf(() => new Promise<Verdict>((resolve) => (admit = resolve)), () => Promise.resolve(allowed));
    const { handlers, client, sockets } = await guardedServer(limits);
    client.emit('hello', {}, () => undefined);
    await vi.waitFor(() => expect(limits.socket.take).toHaveBeenCalled());
    client.close();
    await vi.waitFor(() => expect(sockets[0]?.connected).toBe(false));
    admit(allowed);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handlers.hello).not.toHaveBeenCalled();
  });
});

describe('the socket server', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('puts no listener a client’s event can reach on a socket but the guard’s, and no per-event middleware', async () => {
    server = await startServer({ backend: 'memory' });
    const client = connectClient(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    cleanups.push(() => void client.close());
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    const [socket] = (await server.app.io.fetchSockets()) as unknown as ServerSocket[];
    if (!socket) throw new Error('no socket');
    // The names Socket.IO's parser refuses to decode from a client; any other name a client can send.
    const unreachable = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
    const reachable = socket.eventNames().map(String).filter((name) => !unreachable.has(name));
    expect(reachable.sort()).toEqual(['command', 'error', 'hello', 'sync']);
    // `error`: only the no-op Socket.IO puts on every socket, so that a client's event of that name does not throw.
    const { sockets } = await guardedServer(limitsOf(() => Promise.resolve(allowed), () => Promise.resolve(allowed)));
    expect(socket.listeners('error')).toEqual(sockets[0]?.listeners('error'));
    expect(socket.listeners('error')).toHaveLength(1);
    for (const name of reachable.filter((n) => n !== 'error')) for (const listener of socket.listeners(name)) expect(isGuardListener(listener), `${name}: ${String(listener)}`).toBe(true);
    expect(socket.listenersAny().length).toBe(1);
    expect(socket.listenersAny().every(isGuardListener)).toBe(true);
    expect((socket as unknown as { fns: unknown[] }).fns).toEqual([]);
  });
});
