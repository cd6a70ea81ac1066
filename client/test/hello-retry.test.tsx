import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, HelloData, ServerToClientEvents, WireError } from '@rubicon/shared';
import { SessionConnection, type Connection } from '../src/net/connection.ts';
import type { ScenarioTexts } from '../src/net/scenario-texts.ts';
import { ConnectionBadge } from '../src/session/ConnectionBadge.tsx';
import { SessionPending } from '../src/session/SessionFrame.tsx';
import type { Session } from '../src/net/useSession.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A socket that answers each hello with the next of `answers` (the last one again once they run out) and
 * records when each hello was said, by the fake clock: the connection's waits are read off it exactly.
 * `drop` is the server closing it on purpose; `connect` (the connection's own reconnect too) opens it again.
 */
function fakeSocket(answers: Ack<HelloData>[]) {
  const handlers = new Map<string, (...args: unknown[]) => void>();
  const hellos: number[] = [];
  const socket = {
    connected: true,
    active: true,
    on: (event: string, fn: (...args: unknown[]) => void) => handlers.set(event, fn),
    timeout: () => ({
      emitWithAck: (event: string) => {
        if (event === 'hello') hellos.push(Date.now());
        return Promise.resolve(answers[Math.min(hellos.length - 1, answers.length - 1)]);
      },
    }),
    connect: () => {
      socket.connected = true;
      handlers.get('connect')?.();
    },
    disconnect: () => {
      socket.connected = false;
    },
    removeAllListeners: () => undefined,
  };
  const drop = () => {
    socket.connected = false;
    handlers.get('disconnect')?.('io server disconnect');
  };
  return { socket: socket as unknown as ClientSocket, hellos, connect: socket.connect, drop };
}

const refused = (error: WireError): Ack<HelloData> => ({ ok: false, error });
const unavailable = (retryAfterMs: number) => refused({ code: 'unavailable', message: 'Say hello again in a moment.', retryAfterMs });
/** The server's refusal of a hello past SOCKETS_PER_TOKEN (server/src/socket/token-sockets.ts), in its words. */
const CAP_WORDS = 'This token is already connected on 8 tabs or devices; close one of them, and this one says hello again by itself.';
const capped = refused({ code: 'rate_limited', message: CAP_WORDS, retryAfterMs: 5000 });

/** Starts a connection on `answers` and lets its first hello be answered. */
async function started(answers: Ack<HelloData>[]) {
  const fake = fakeSocket(answers);
  // The scenario's text never arrives: what is shown is not what these tests look at.
  const texts = { get: () => undefined, load: () => new Promise<never>(() => undefined) } as unknown as ScenarioTexts;
  const conn = new SessionConnection('s1', 'token', () => fake.socket, null, texts);
  conn.start();
  fake.connect();
  await vi.advanceTimersByTimeAsync(0);
  return { conn, ...fake };
}

const T0 = Date.UTC(2026, 11, 6, 12);

describe('a refused hello', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('is said again after the server\'s retryAfterMs, not a fixed 2 s, and the person is told when', async () => {
    const { conn, hellos } = await started([unavailable(5000)]);
    expect(conn.getSnapshot().connection).toEqual({ status: 'retrying', reason: 'unavailable', message: 'Say hello again in a moment.', retryAt: T0 + 5000 });
    await vi.advanceTimersByTimeAsync(4999);
    expect(hellos).toEqual([T0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(hellos).toEqual([T0, T0 + 5000]);
    conn.stop();
  });

  it('waits at least 1 s and at most 30 s, whatever the hint', async () => {
    const soon = await started([unavailable(0)]);
    await vi.advanceTimersByTimeAsync(999);
    expect(soon.hellos).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(soon.hellos).toHaveLength(2);
    soon.conn.stop();
    const late = await started([unavailable(3_600_000)]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(late.hellos).toHaveLength(2);
    late.conn.stop();
  });

  it('follows rate_limited\'s hint too, and keeps its reason and words while it waits', async () => {
    const { conn, hellos } = await started([refused({ code: 'rate_limited', message: 'Too many requests; wait 8 seconds.', retryAfterMs: 8000 })]);
    expect(conn.getSnapshot().connection).toEqual({ status: 'retrying', reason: 'rate_limited', message: 'Too many requests; wait 8 seconds.', retryAt: T0 + 8000 });
    await vi.advanceTimersByTimeAsync(7999);
    expect(hellos).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(hellos).toHaveLength(2);
    conn.stop();
  });

  it('is live once the hello said again is answered, with no retry due', async () => {
    const data = { role: { kind: 'observer' }, sessionId: 's1', version: 1, view: { scenario: {} }, messages: [], messageCount: 0, full: true } as unknown as HelloData;
    const { conn } = await started([unavailable(1500), { ok: true, data }]);
    await vi.advanceTimersByTimeAsync(1500);
    expect(conn.getSnapshot().connection).toEqual({ status: 'live' });
    conn.stop();
  });

  it.each(['unauthorized', 'forbidden', 'not_found'] as const)('stays refused for good when %s, with the server\'s words', async (code) => {
    const { conn, hellos } = await started([refused({ code, message: 'This access was revoked by the facilitator; ask for a new code.', retryAfterMs: 1000 })]);
    expect(conn.getSnapshot().connection).toEqual({ status: 'failed', problem: 'This access was revoked by the facilitator; ask for a new code.' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(hellos).toHaveLength(1);
    conn.stop();
  });

  it('stays refused for good when invalid (a malformed hello: the same one gets the same answer), saying what it means and the way out', async () => {
    const { conn, hellos } = await started([refused({ code: 'invalid', message: 'token: Too small: expected string to have >=1 characters' })]);
    const snapshot = conn.getSnapshot();
    expect(snapshot).toMatchObject({ connection: { status: 'failed' }, view: null });
    const problem = snapshot.connection.status === 'failed' ? snapshot.connection.problem : '';
    expect(problem).toContain('token: Too small');
    expect(problem).toContain('join again with your code');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(hellos).toHaveLength(1);
    const html = renderToStaticMarkup(<SessionPending session={{ ...snapshot, sessionId: 's1' } as unknown as Session} title="April 2024" onForget={() => undefined} />);
    expect(html).toContain('Cannot open this session');
    expect(html).toContain('Forget this session on this device');
    conn.stop();
    // A server fault is not final: said again after 2 s.
    const faultAt = Date.now();
    const fault = await started([refused({ code: 'internal', message: 'Something went wrong on the server.' })]);
    expect(fault.conn.getSnapshot().connection).toMatchObject({ status: 'retrying', reason: 'internal', retryAt: faultAt + 2000 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(fault.hellos).toHaveLength(2);
    fault.conn.stop();
  });

  it('over its token\'s limit, keeps the refusal while the server closes the socket at its hello deadline, and says hello once after the reconnect', async () => {
    const { conn, hellos, drop } = await started([capped]);
    await vi.advanceTimersByTimeAsync(3000);
    drop();
    // Still refused, in the server's words; due again when the connection reconnects, 500 ms on.
    expect(conn.getSnapshot().connection).toEqual({ status: 'retrying', reason: 'rate_limited', message: CAP_WORDS, retryAt: T0 + 3500 });
    await vi.advanceTimersByTimeAsync(500);
    expect(hellos).toEqual([T0, T0 + 3500]);
    // The hello the first refusal scheduled (due at T0 + 5000) went with the old connection: only the new one's wait counts.
    await vi.advanceTimersByTimeAsync(5000);
    expect(hellos).toEqual([T0, T0 + 3500, T0 + 8500]);
    expect(conn.getSnapshot().connection).toMatchObject({ status: 'retrying', reason: 'rate_limited', retryAt: T0 + 13_500 });
    conn.stop();
  });
});

describe('what the person sees while a hello waits', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  const outage: Connection = { status: 'retrying', reason: 'unavailable', message: 'Say hello again in a moment.', retryAt: T0 + 2500 };
  const pending = (connection: Connection) =>
    renderToStaticMarkup(<SessionPending session={{ connection, sessionId: 's1' } as unknown as Session} title="April 2024" />);

  it('the badge says the server is briefly unavailable and when it will try again', () => {
    const html = renderToStaticMarkup(<ConnectionBadge connection={outage} />);
    expect(html).toContain('Server briefly unavailable, trying again in 3 s');
    expect(html).toContain('data-status="retrying"');
    expect(html).not.toContain('Say hello again');
  });

  it('the screen waiting for its first view says so too, in its own words, not the server\'s to a client', () => {
    const html = pending({ ...outage, retryAt: T0 + 4000 });
    expect(html).toContain('The server is briefly unavailable; trying again in 4 s.');
    expect(html).not.toContain('Say hello again');
  });

  it('a tab over its token\'s limit is shown the server\'s words and when it tries again, not an outage', async () => {
    const { conn } = await started([capped]);
    const html = pending(conn.getSnapshot().connection);
    expect(html).toContain(CAP_WORDS);
    expect(html).toContain('This page is trying again in 5 s.');
    expect(html).not.toContain('unavailable');
    conn.stop();
  });

  it('its badge says a server limit refused it, with the server\'s words on hover', async () => {
    const { conn } = await started([capped]);
    const html = renderToStaticMarkup(<ConnectionBadge connection={conn.getSnapshot().connection} />);
    expect(html).toContain('Refused by a server limit, trying again in 5 s');
    expect(html).toContain('data-reason="rate_limited"');
    expect(html).toContain(`title="${CAP_WORDS}"`);
    expect(html).not.toContain('unavailable');
    conn.stop();
  });
});
