/**
 * ANONYMOUS_SOCKETS_PER_ADDRESS with REDIS_URL set (docs/security.md §3): the cap holds across every process
 * sharing Redis, where it was per process (N processes, N × the cap). Two server processes on a private Redis,
 * one address (a forwarded one, TRUST_PROXY=loopback) opening sockets that never say hello on both: refused
 * past the cap in total; a place comes back at once when its socket's hello is confirmed, when it disconnects,
 * and when its process is killed -9 once that process's lease (TOKEN_SOCKETS_LEASE_MS) runs out. With Redis
 * away a new socket is refused `unavailable`, as a hello is, and connects again once Redis answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { codeFor, createSession, joinCode, waitFor, type ChildServer } from '../harness.ts';
import { PrivateRedis, faultEnv, startServers } from './fault-harness.ts';

const CAP = 3;
/** Long enough that no socket here is closed for want of a hello while a test runs; it is the refusal's hint. */
const HELLO_TIMEOUT_MS = 60_000;
/** Long enough to see a killed process's places still count, short enough to wait out. */
const LEASE_MS = 3000;

let redis: PrivateRedis;
let a: ChildServer;
let b: ChildServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  redis = await PrivateRedis.start();
  const env = faultEnv(redis, {
    ANONYMOUS_SOCKETS_PER_ADDRESS: String(CAP),
    HELLO_TIMEOUT_MS: String(HELLO_TIMEOUT_MS),
    TOKEN_SOCKETS_LEASE_MS: String(LEASE_MS),
    TRUST_PROXY: 'loopback',
  });
  [a, b] = (await startServers(2, env)) as [ChildServer, ChildServer];
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all([a, b].map((s) => (s && s.child.exitCode === null && s.child.signalCode === null ? s.kill() : undefined)));
  await redis?.destroy();
});

interface Opened {
  socket: Socket;
  refusal: { message: string; data: unknown } | null;
}

/** Opens one socket from `address` and says whether it connected, or the connect_error it got. */
function open(server: ChildServer, address: string): Promise<Opened> {
  const socket = io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { 'x-forwarded-for': address } });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket, refusal: null }));
    socket.once('connect_error', (err: Error & { data?: unknown }) => resolve({ socket, refusal: { message: err.message, data: err.data } }));
  });
}

/** Opens sockets from `address` one after the other, on the processes named; every one must connect. */
async function fill(address: string, on: ChildServer[]): Promise<Socket[]> {
  const out: Socket[] = [];
  for (const server of on) {
    const opened = await open(server, address);
    expect(opened.refusal).toBeNull();
    out.push(opened.socket);
  }
  return out;
}

const FULL = { code: 'rate_limited', retryAfterMs: HELLO_TIMEOUT_MS };

async function expectRefused(server: ChildServer, address: string, data: unknown = FULL): Promise<void> {
  const opened = await open(server, address);
  expect(opened.refusal?.data).toEqual(data);
  opened.socket.close();
}

async function connects(server: ChildServer, address: string): Promise<boolean> {
  const opened = await open(server, address);
  if (opened.refusal !== null) opened.socket.close();
  return opened.refusal === null;
}

describe('anonymous sockets of one address over two processes on one Redis', () => {
  it('refuses a socket past the cap in total on either process, while another address connects', async () => {
    await fill('198.51.100.1', [a, a, b]);
    await expectRefused(a, '198.51.100.1');
    await expectRefused(b, '198.51.100.1');
    expect(await connects(b, '198.51.100.2')).toBe(true);
    expect(await connects(a, '198.51.100.2')).toBe(true);
  });

  it('gives a place back at once when a socket of it says hello, and when one disconnects', async () => {
    const [first, , onB] = await fill('198.51.100.3', [a, a, b]);
    await expectRefused(b, '198.51.100.3');
    const session = await createSession(a.url, { scenarioId: 'april-2024' });
    const { token } = await joinCode(a.url, codeFor(session, 'iran'));
    const ack = (await (first as Socket).timeout(5000).emitWithAck('hello', { sessionId: session.sessionId, token })) as { ok: boolean };
    expect(ack.ok).toBe(true);
    // Its hello confirmed on A, its place is B's to give without waiting for A's lease. "At once" is a Redis
    // write, not the ack's order: A's client (node-redis) sends the give-back on its next setImmediate, after the
    // ack went out, so a busy host can let B's take reach Redis first (CI, 7 December). Well inside the lease.
    await waitFor(() => connects(b, '198.51.100.3'), LEASE_MS / 2, 'the place of the socket whose hello was confirmed on A');
    await expectRefused(a, '198.51.100.3');
    // One that goes on B frees a place A can give.
    (onB as Socket).close();
    await waitFor(() => connects(a, '198.51.100.3'), 5000, 'the place of the socket closed on B');
    await expectRefused(b, '198.51.100.3');
  });

  it('keeps a killed process\'s places until its lease runs out, and then gives them to the other', async () => {
    await fill('198.51.100.4', [a, a, b]);
    await a.kill();
    // A's two places still count, its lease not yet lapsed.
    await expectRefused(b, '198.51.100.4');
    await waitFor(() => connects(b, '198.51.100.4'), 4 * LEASE_MS, "the killed process's places");
    await fill('198.51.100.4', [b]);
    await expectRefused(b, '198.51.100.4');
  });

  it('refuses a new socket `unavailable` while Redis is away, and connects it once Redis answers', async () => {
    await redis.kill();
    await expectRefused(b, '198.51.100.5', { code: 'unavailable', retryAfterMs: 1000 });
    await redis.start();
    await waitFor(() => connects(b, '198.51.100.5'), 15_000, 'a socket connected once Redis is back');
  });
});
