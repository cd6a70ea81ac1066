/**
 * Acknowledgements held to the end of the loop iteration (held-acks.ts): in
 * memory mode every command read in one iteration is broadcast before any
 * command's ack goes out; a socket's answers still leave in the order they
 * were made; and a socket gone before the flush costs nothing but its ack,
 * which a retry with the same command id gets back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { z } from 'zod';
import type { Ack, CommandResult } from '@rubicon/shared';
import { ackHandler, refuseEvent } from '../src/socket/ack-handler.ts';
import { HeldAcks } from '../src/socket/held-acks.ts';
import { createMetrics } from '../src/metrics.ts';
import { ServiceError } from '../src/session/service-error.ts';
import { blockLoop } from './stalled-loop.ts';
import { connect, recordingLogger, seatTable, startServer, waitFor, type Table, type TestClient, type TestServer } from './harness.ts';

const Payload = z.object({ n: z.number() });

describe('HeldAcks in the ack handler', () => {
  /** A handler whose flush runs only when the test says, and the answers in the order they were sent. */
  function heldHandler() {
    let pendingFlush: (() => void) | null = null;
    const held = new HeldAcks((flush) => (pendingFlush = flush));
    const sent: string[] = [];
    const metrics = createMetrics();
    const handler = ackHandler<typeof Payload, number, object>(
      { log: pino({ level: 'silent' }), metrics, held },
      {
        event: 'command',
        schema: Payload,
        hold: true,
        run: (p) => (p.n < 0 ? Promise.reject(new ServiceError('invalid', 'negative')) : Promise.resolve(p.n)),
      },
    );
    const send = (socket: object, tag: string, n: unknown) => handler.call(socket, { n }, (a: Ack<number>) => sent.push(`${tag}:${a.ok ? 'ok' : a.error.code}`));
    const flush = () => {
      const f = pendingFlush;
      pendingFlush = null;
      f?.();
    };
    return { held, sent, send, flush, metrics, scheduled: () => pendingFlush !== null };
  }

  it('holds a success until the flush, and sends another socket’s refusal at once', async () => {
    const { sent, send, flush, scheduled } = heldHandler();
    const a = {};
    const b = {};
    send(a, 'a1', 1);
    send(b, 'b1', -1);
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual(['b1:invalid']);
    expect(scheduled()).toBe(true);
    flush();
    expect(sent).toEqual(['b1:invalid', 'a1:ok']);
    expect(scheduled()).toBe(false);
  });

  it('keeps a socket’s answers in the order they were made: a refusal after a held success waits behind it', async () => {
    const { sent, send, flush } = heldHandler();
    const a = {};
    send(a, 'a1', 1);
    await new Promise((r) => setImmediate(r));
    send(a, 'a2', -1);
    await new Promise((r) => setImmediate(r));
    // Refused before run, at once.
    send(a, 'a3', 'x');
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual([]);
    flush();
    expect(sent).toEqual(['a1:ok', 'a2:invalid', 'a3:invalid']);
  });

  it('holds the event guard’s refusal of a socket with an answer held, and only then', async () => {
    const { held, sent, send, flush, metrics } = heldHandler();
    const a = {};
    const b = {};
    send(a, 'a1', 1);
    await new Promise((r) => setImmediate(r));
    const guard = (socket: object, tag: string) =>
      refuseEvent([{ n: 1 }, (r: Ack<number>) => sent.push(`${tag}:${r.ok ? 'ok' : r.error.code}`)], metrics, { code: 'too_large', message: 'long' }, { acks: held, socket });
    guard(a, 'a2');
    guard(b, 'b1');
    expect(sent).toEqual(['b1:too_large']);
    flush();
    expect(sent).toEqual(['b1:too_large', 'a1:ok', 'a2:too_large']);
  });

  it('flushes once per iteration, after the macrotasks of the iteration that held', async () => {
    const held = new HeldAcks();
    const order: string[] = [];
    await new Promise<void>((done) => {
      // Three macrotasks of one check phase, as packets of one poll phase are: the flush comes after all three.
      for (const tag of ['a', 'b', 'c'])
        setImmediate(() => {
          order.push(`read ${tag}`);
          held.hold(tag, () => order.push(`ack ${tag}`));
        });
      setImmediate(() => setImmediate(() => done()));
    });
    expect(order).toEqual(['read a', 'read b', 'read c', 'ack a', 'ack b', 'ack c']);
  });
});

/** What the server wrote to each socket: updates and acks (Socket.IO packet types 2 and 3), in write order. */
interface Written {
  socket: string;
  kind: 'update' | 'ack';
}

function watchWrites(server: TestServer, clients: readonly TestClient[], log: Written[]): void {
  const sockets = server.app.io.of('/').sockets;
  for (const client of clients) {
    const label = client.label;
    const socket = client.socket.id ? sockets.get(client.socket.id) : undefined;
    if (!socket) throw new Error(`no server socket for ${label}`);
    const conn = socket.conn as unknown as { write: (data: unknown, ...rest: unknown[]) => unknown };
    const write = conn.write.bind(conn);
    conn.write = (data: unknown, ...rest: unknown[]) => {
      if (typeof data === 'string' && data.startsWith('2["update"')) log.push({ socket: label, kind: 'update' });
      else if (typeof data === 'string' && data.startsWith('3')) log.push({ socket: label, kind: 'ack' });
      return write(data, ...rest);
    };
  }
}

/** Sends a public message without waiting for its ack. */
function say(client: TestClient, text: string, commandId?: string): Promise<Ack<CommandResult>> {
  return client.command({ type: 'SEND_MESSAGE', channel: 'public', text }, commandId ? { commandId } : {});
}

describe('[memory] acknowledgements after the iteration’s broadcasts', () => {
  let server: TestServer;
  const recorded = recordingLogger();
  const tables: Table[] = [];

  beforeAll(async () => {
    server = await startServer({ backend: 'memory', deps: { logger: recorded.logger } });
    for (let i = 0; i < 2; i++) tables.push(await seatTable(server.url));
  });
  afterAll(async () => {
    for (const t of tables) t.close();
    await server?.close();
  });

  it('sends every broadcast of commands read in one iteration before any of their acks', async () => {
    const senders = tables.flatMap((t) => [t.seats.iran, t.seats.israel, t.seats.us]);
    const log: Written[] = [];
    watchWrites(server, tables.flatMap((t) => t.all()), log);
    // Written to the server's sockets now; the blocked loop then reads them all in its next poll phase.
    const acks = senders.map((c) => say(c, `burst from ${c.label}`));
    blockLoop(100);
    const answers = await Promise.all(acks);
    expect(answers.every((a) => a.ok)).toBe(true);
    await waitFor(() => log.filter((w) => w.kind === 'update').length === senders.length * 6, 5000, 'every update');
    const kinds = log.map((w) => w.kind);
    expect(kinds.filter((k) => k === 'ack')).toHaveLength(senders.length);
    expect(kinds.lastIndexOf('update')).toBeLessThan(kinds.indexOf('ack'));
  });

  it('sends one socket’s acks in the order of its commands', async () => {
    const [sender] = [tables[0]!.seats.mediators];
    const log: string[] = [];
    const socket = server.app.io.of('/').sockets.get(sender.socket.id ?? '');
    if (!socket) throw new Error('no server socket');
    const conn = socket.conn as unknown as { write: (data: unknown, ...rest: unknown[]) => unknown };
    const write = conn.write.bind(conn);
    conn.write = (data: unknown, ...rest: unknown[]) => {
      if (typeof data === 'string' && data.startsWith('3')) log.push(data.slice(1, data.indexOf('[')));
      return write(data, ...rest);
    };
    const acks = [1, 2, 3].map((i) => sender.command({ type: 'SEND_MESSAGE', channel: 'public', text: `in order ${i}` }));
    blockLoop(100);
    const answers = await Promise.all(acks);
    expect(answers.map((a) => a.ok && a.data.version)).toEqual([...answers.map((a) => a.ok && a.data.version)].sort((x, y) => Number(x) - Number(y)));
    // Socket.IO numbers a client's acks in the order it sent the events.
    expect(log.map(Number)).toEqual([...log.map(Number)].sort((x, y) => x - y));
    expect(log).toHaveLength(3);
  });

  it('applies the command of a socket gone before the flush, sends it nothing, and answers its retry as a duplicate', async () => {
    const t = tables[1]!;
    const gone = t.seats.iran;
    const stays = t.seats.israel;
    const log: Written[] = [];
    watchWrites(server, [gone, stays], log);
    const goneSocket = server.app.io.of('/').sockets.get(gone.socket.id ?? '');
    // Closed once the burst's last command is applied: after the first one's ack was made, before the flush.
    let applied = 0;
    server.app.service.onApplied(() => {
      if (++applied === 2) goneSocket?.disconnect(true);
    });
    const lost = say(gone, 'sent, then gone', 'held-then-gone-1').catch((err: unknown) => err);
    const kept = say(stays, 'stays');
    blockLoop(100);
    expect((await kept).ok).toBe(true);
    expect(await lost).toBeInstanceOf(Error);
    expect(log.filter((w) => w.socket === gone.label && w.kind === 'ack')).toEqual([]);
    expect(log.filter((w) => w.socket === stays.label && w.kind === 'ack')).toHaveLength(1);
    const again = await connect(server.url, t.session.sessionId, t.tokens.iran, 'iran again');
    try {
      const retry = await say(again, 'sent, then gone', 'held-then-gone-1');
      expect(retry.ok && retry.data.duplicate).toBe(true);
    } finally {
      again.close();
    }
    expect(recorded.errors()).toEqual([]);
  });
});
