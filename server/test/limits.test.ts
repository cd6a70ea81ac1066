/** Limits: commands per seat, payload size, and requests per address on the endpoints that need no token (limit-bypass.test.ts tries to get around them). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import type { WireError } from '@rubicon/shared';
import { api, seatTable, startServer, type Table, type TestServer } from './harness.ts';

let server: TestServer;
let table: Table;

beforeAll(async () => {
  server = await startServer({ backend: 'memory', env: { RATE_LIMIT_BURST: '5', RATE_LIMIT_PER_SEC: '1', MAX_PAYLOAD_BYTES: '16384', HTTP_RATE_LIMIT_BURST: '10', HTTP_RATE_LIMIT_PER_SEC: '0.1' } });
  table = await seatTable(server.url);
});

afterAll(async () => {
  table?.close();
  await server?.close();
});

describe('limits per seat and per socket', () => {
  it('refuses commands beyond the burst with rate_limited, for that seat only', async () => {
    const acks = await Promise.all(
      Array.from({ length: 8 }, (_, i) => table.seats.iran.command({ type: 'SEND_MESSAGE', channel: 'team-iran', text: `note ${i}` })),
    );
    const codes = acks.map((a) => (a.ok ? 'ok' : a.error.code));
    expect(codes.filter((c) => c === 'ok')).toHaveLength(5);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(3);
    const refusal = acks.find((a) => !a.ok) as { ok: false; error: WireError };
    expect(refusal.error.message).toMatch(/too many/i);
    // Another seat has its own budget.
    expect((await table.seats.us.command({ type: 'SEND_MESSAGE', channel: 'team-us', text: 'fine' })).ok).toBe(true);
  });

  it('counts a socket that says hello again with another seat\'s token against that seat from then on', async () => {
    // The limit keys are made once per grant (seat-handlers.ts): a new hello is a new grant, so new keys.
    const socket = table.seats.israel;
    const flood = await Promise.all(Array.from({ length: 7 }, (_, i) => socket.command({ type: 'SEND_MESSAGE', channel: 'team-israel', text: `flood ${i}` })));
    expect(flood.map((a) => (a.ok ? 'ok' : a.error.code)).filter((c) => c === 'rate_limited')).toHaveLength(2);
    expect((await socket.hello(undefined, table.tokens.us)).ok).toBe(true);
    // Counted against us (one of its five spent above), not israel, whose window is still spent.
    const ack = await socket.command({ type: 'SEND_MESSAGE', channel: 'team-us', text: 'as us now' });
    expect(ack.ok ? 'ok' : ack.error.code).toBe('ok');
  });

  it('drops a socket that sends more than the payload limit, and stays up', async () => {
    const socket = io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    socket.emit('command', { junk: 'x'.repeat(50_000) } as never, (() => undefined) as never);
    expect(await closed).toMatch(/transport (close|error)/);
    expect((await api(server.url, '/healthz')).status).toBe(200);
  });
});

describe('limits per address', () => {
  it('slows down join-code guessing with 429 rate_limited', async () => {
    // seatTable spent 6 of the 10: one create and five joins.
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await api(server.url, '/api/join', { body: { code: 'ZZZZZ' + i } })).status);
    expect(codes).toEqual([404, 404, 404, 404, 429, 429]);
    const r = await api<{ error: { code: string } }>(server.url, '/api/join', { body: { code: 'ZZZZZZ' } });
    expect(r.body.error.code).toBe('rate_limited');
    // A body that is not JSON is counted before it is read: refused as over the limit, not parsed.
    const broken = await api<{ error: { code: string } }>(server.url, '/api/join', { body: '{"code": ' });
    expect(broken.status).toBe(429);
    // Tokens are not rate limited this way: the facilitator's summary still works.
    expect((await api(server.url, `/api/sessions/${table.session.sessionId}`, { token: table.session.facilitatorToken })).status).toBe(200);
  });
});
