import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, HelloData, ServerToClientEvents, WireError } from '@rubicon/shared';
import { SessionConnection } from '../src/net/connection.ts';
import type { ScenarioTexts } from '../src/net/scenario-texts.ts';
import { ConnectionBadge } from '../src/session/ConnectionBadge.tsx';
import { SessionPending } from '../src/session/SessionFrame.tsx';
import type { Session } from '../src/net/useSession.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A socket that answers each hello with the next of `answers` (the last one again once they run out) and
 * records when each hello was said, by the fake clock: the connection's waits are read off it exactly.
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
    connect: () => undefined,
    disconnect: () => {
      socket.connected = false;
    },
    removeAllListeners: () => undefined,
  };
  const connect = () => handlers.get('connect')?.();
  return { socket: socket as unknown as ClientSocket, hellos, connect };
}

const refused = (error: WireError): Ack<HelloData> => ({ ok: false, error });
const unavailable = (retryAfterMs: number) => refused({ code: 'unavailable', message: 'Say hello again in a moment.', retryAfterMs });

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
    expect(conn.getSnapshot()).toMatchObject({ status: 'unavailable', retryAt: T0 + 5000 });
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

  it('follows rate_limited\'s hint too', async () => {
    const { conn, hellos } = await started([refused({ code: 'rate_limited', message: 'Too many requests; wait 8 seconds.', retryAfterMs: 8000 })]);
    expect(conn.getSnapshot().status).toBe('unavailable');
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
    expect(conn.getSnapshot()).toMatchObject({ status: 'live', retryAt: null });
    conn.stop();
  });

  it.each(['unauthorized', 'forbidden', 'not_found'] as const)('stays refused for good when %s, with the server\'s words', async (code) => {
    const { conn, hellos } = await started([refused({ code, message: 'This access was revoked by the facilitator; ask for a new code.', retryAfterMs: 1000 })]);
    expect(conn.getSnapshot()).toMatchObject({ status: 'failed', problem: 'This access was revoked by the facilitator; ask for a new code.', retryAt: null });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(hellos).toHaveLength(1);
    conn.stop();
  });

  it('stays refused for good when invalid (a malformed hello: the same one gets the same answer), saying what it means and the way out', async () => {
    const { conn, hellos } = await started([refused({ code: 'invalid', message: 'token: Too small: expected string to have >=1 characters' })]);
    const snapshot = conn.getSnapshot();
    expect(snapshot).toMatchObject({ status: 'failed', retryAt: null, view: null });
    expect(snapshot.problem).toContain('token: Too small');
    expect(snapshot.problem).toContain('join again with your code');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(hellos).toHaveLength(1);
    const html = renderToStaticMarkup(<SessionPending session={{ ...snapshot, sessionId: 's1' } as unknown as Session} title="April 2024" onForget={() => undefined} />);
    expect(html).toContain('Cannot open this session');
    expect(html).toContain('Forget this session on this device');
    conn.stop();
    // A server fault is not final: said again after 2 s.
    const fault = await started([refused({ code: 'internal', message: 'Something went wrong on the server.' })]);
    expect(fault.conn.getSnapshot().status).not.toBe('failed');
    await vi.advanceTimersByTimeAsync(2000);
    expect(fault.hellos).toHaveLength(2);
    fault.conn.stop();
  });
});

describe('what the person sees while a hello waits', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('the badge says the server is briefly unavailable and when it will try again', () => {
    const html = renderToStaticMarkup(<ConnectionBadge status="unavailable" retryAt={T0 + 2500} />);
    expect(html).toContain('Server briefly unavailable, trying again in 3 s');
    expect(html).toContain('data-status="unavailable"');
  });

  it('the screen waiting for its first view says so too', () => {
    const session = { status: 'unavailable', retryAt: T0 + 4000, problem: null, sessionId: 's1' } as unknown as Session;
    const html = renderToStaticMarkup(<SessionPending session={session} title="April 2024" />);
    expect(html).toContain('The server is briefly unavailable; trying again in 4 s.');
  });
});
