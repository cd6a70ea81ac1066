/**
 * The harness's client sockets, two ways, the same for bare and Rubicon:
 *
 * - `light` (the default since 7 December): a `ws` WebSocket
 *   speaking engine.io v4 / socket.io v5 framing itself (the open packet,
 *   `40` connect, ping → pong, `42<id>[event, payload]` out, `43<id>[…]`
 *   acknowledgements and `42["update", …]` in), its frames parsed with one
 *   JSON.parse each. It leaves out engine.io-client's and socket.io-client's
 *   layers (their emitters, the manager's nextTick per packet, a timer per
 *   acknowledgement), which took about a quarter of the harness's busy main
 *   thread at 5 msg/s, and JSON.parse of the frames 7 % more of its samples
 *   (docs/performance/fan-out-log.md, "A lighter harness client").
 * - `full` (FANOUT_HARNESS_CLIENT=full): socket.io-client, as every reading
 *   before then was taken.
 *
 * Only the default namespace, text frames and the calls the harness makes.
 */
import WebSocket from 'ws';
import { io } from 'socket.io-client';
import type { Ack, Update } from './harness-tally.ts';

export type HarnessClient = 'light' | 'full';

export interface HarnessSocket {
  /** `event` with `payload`; `done` gets the acknowledgement, or an error after `timeoutMs`. */
  send(event: string, payload: unknown, timeoutMs: number, done: (err: Error | null, ack?: Ack) => void): void;
  close(): void;
}

export function harnessClientOf(value: string | undefined): HarnessClient {
  if (value === undefined || value === '' || value === 'light') return 'light';
  if (value === 'full') return 'full';
  throw new Error(`FANOUT_HARNESS_CLIENT: "${value}" is neither light nor full`);
}

export function connectSocket(client: HarnessClient, url: string, onUpdate: (u: Update) => void): Promise<HarnessSocket> {
  return client === 'full' ? connectFull(url, onUpdate) : connectLight(url, onUpdate);
}

function connectFull(url: string, onUpdate: (u: Update) => void): Promise<HarnessSocket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  socket.on('update', onUpdate);
  const wrapped: HarnessSocket = {
    send: (event, payload, timeoutMs, done) => socket.timeout(timeoutMs).emit(event, payload, done),
    close: () => socket.close(),
  };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(wrapped));
    socket.once('connect_error', (err) => reject(err));
  });
}

interface Pending {
  done: (err: Error | null, ack?: Ack) => void;
  deadline: number;
}

/** Every light socket's outstanding acknowledgements, swept once a second rather than a timer each. */
const open = new Set<LightSocket>();
let sweeper: NodeJS.Timeout | null = null;

function sweep(): void {
  const t = performance.now();
  for (const s of open) s.expire(t);
}

export class LightSocket implements HarnessSocket {
  private nextId = 0;
  /** In send order, so deadlines rise: the sweep stops at the first not yet due. */
  private readonly pending = new Map<number, Pending>();

  constructor(
    /** A `ws` WebSocket, or what a test hands in in its place. */
    private readonly ws: Pick<WebSocket, 'send' | 'close'>,
    private readonly onUpdate: (u: Update) => void,
  ) {}

  send(event: string, payload: unknown, timeoutMs: number, done: (err: Error | null, ack?: Ack) => void): void {
    const id = this.nextId++;
    this.pending.set(id, { done, deadline: performance.now() + timeoutMs });
    this.ws.send(`42${id}${JSON.stringify([event, payload])}`);
  }

  close(): void {
    open.delete(this);
    if (open.size === 0 && sweeper) {
      clearInterval(sweeper);
      sweeper = null;
    }
    this.ws.close();
  }

  expire(t: number): void {
    for (const [id, p] of this.pending) {
      if (p.deadline > t) return;
      this.pending.delete(id);
      p.done(new Error('operation has timed out'));
    }
  }

  /** One engine.io packet: its first character the engine.io type, then (for a message) the socket.io packet. */
  onFrame(text: string): void {
    if (text === '2') this.ws.send('3');
    else if (text.startsWith('42[')) {
      const [event, data] = JSON.parse(text.slice(2)) as [string, Update];
      if (event === 'update') this.onUpdate(data);
    } else if (text.startsWith('43')) this.onAck(text);
  }

  private onAck(text: string): void {
    const bracket = text.indexOf('[');
    const id = Number(text.slice(2, bracket));
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    const [ack] = JSON.parse(text.slice(bracket)) as [Ack];
    p.done(null, ack);
  }
}

function connectLight(url: string, onUpdate: (u: Update) => void): Promise<HarnessSocket> {
  const u = new URL('/socket.io/', url);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.search = 'EIO=4&transport=websocket';
  const ws = new WebSocket(u, { perMessageDeflate: false });
  const socket = new LightSocket(ws, onUpdate);
  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('close', () => reject(new Error(`${url}: closed before the socket.io connect`)));
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary) return;
      const text = data.toString();
      if (text.startsWith('0')) ws.send('40');
      else if (text.startsWith('40')) {
        open.add(socket);
        sweeper ??= setInterval(sweep, 1000);
        ws.removeAllListeners('message');
        ws.on('message', (d: WebSocket.RawData, bin: boolean) => {
          if (!bin) socket.onFrame(d.toString());
        });
        resolve(socket);
      } else if (text.startsWith('44')) reject(new Error(`${url}: socket.io connect refused: ${text.slice(2)}`));
    });
  });
}
