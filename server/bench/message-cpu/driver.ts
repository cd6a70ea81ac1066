/**
 * Process CPU per public message, the real app and real Socket.IO clients:
 * sessions of six sockets (four seats, an observer, the white cell) taken
 * into the first beat's planning over the real protocol, then seats send
 * public messages a few at a time and every delivery is awaited. No timing
 * of latencies: the figure is CPU time for a fixed workload, repeatable to a
 * few percent where the fan-out bench's CPU per delivery moves by 10-20 %
 * between rounds on a shared machine.
 *
 * By default the clients run in this process and the figure is the whole
 * process's CPU, the clients' share included (the same for any server code,
 * so two checkouts differ by their servers' work, diluted by about half).
 * With MESSAGE_CPU_SPLIT=1 the clients run in a child process (this script
 * again, as the client) and the figure is the server process's CPU alone.
 *
 * Beside the CPU, the bytes the server process allocated per message in
 * each repetition (`allocPerMessage`: heap growth between collections, by
 * v8.GCProfiler, as the fan-out bench counts it; with the clients in this
 * process, theirs included). Unlike the CPU it hardly moves with the load
 * on the machine, so it shows cuts of a few hundred bytes a message.
 *
 *   run by ab.ts (bundled against a checkout); prints one JSON line: µs of process CPU and bytes allocated per message, per repetition
 *   env: MESSAGE_CPU_SESSIONS (20), MESSAGE_CPU_MESSAGES (3000 per repetition), MESSAGE_CPU_REPS (5), MESSAGE_CPU_SPLIT (0),
 *   MESSAGE_CPU_WARMUP (messages sent before the first repetition; one repetition's worth by default: under
 *   valgrind, 1,500 messages leave V8's compiler at 55-60 % of the counted instructions, and a longer warm-up
 *   without longer counted repetitions brings the window nearer the steady state),
 *   MESSAGE_CPU_ON_MARK=<executable> (split runs only: run with "start <pid>" or "stop <pid>" at each repetition's
 *   bounds, and awaited before the clients go on, e.g. to switch callgrind's instrumentation on and off with
 *   callgrind_control, so that its counts are the repetitions' alone; while it runs the server is sent an HTTP
 *   request every MESSAGE_CPU_POKE_MS, 300 (0: none), because callgrind takes a control request only while the
 *   process runs code, keep-alive.ts),
 *   MESSAGE_CPU_IN_FLIGHT (8), MESSAGE_CPU_PACE_MS (0: each slot's next message as soon as the last is acknowledged),
 *   MESSAGE_CPU_PREFILL=<N> (split runs only: the first session's log filled with N messages before anything is
 *   counted, the rest of the warm-up sent to the other sessions, and the repetitions sent to the first session
 *   alone: the total warm-up, and so the heap and the JIT's history, is the same for every N, and only the
 *   measured session's history differs), MESSAGE_CPU_CAP (the public channel's statements a minute per seat, 600:
 *   one session's four seats outrun 600 a minute),
 *   MESSAGE_CPU_COLLECT=0 (no full collection before each repetition: on Node 24 that collection, run while the
 *   server is idle and no per-message object is alive, deoptimizes some 15-60 functions of the message path, both
 *   Rubicon's and the libraries', for "embedded weak objects cleared", and the repetition then pays their
 *   re-tiering; Node 20 deoptimizes none there, nor does Node 24 at the mark-compacts that fall under load),
 *   MESSAGE_CPU_TARGET=bare (the server is a bare Socket.IO server, as the fan-out's bare-server.ts, answering the
 *   same commands with a room broadcast and an ack: the library's cost per call in a process that does nothing
 *   else, under the same client workload)
 */
import { fork } from 'node:child_process';
import { GCProfiler } from 'node:v8';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import type { CreateSessionResponse, JoinResponse } from '@rubicon/shared';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { benchCatalog } from '../bench-catalog.ts';
import { benchLimitSettings } from '../fanout/limits.ts';
import { httpPoke, runKeepingAwake } from './keep-alive.ts';

const SESSIONS = Number(process.env.MESSAGE_CPU_SESSIONS ?? 20);
const PER_REP = Number(process.env.MESSAGE_CPU_MESSAGES ?? 3000);
const REPS = Number(process.env.MESSAGE_CPU_REPS ?? 5);
const WARMUP = Number(process.env.MESSAGE_CPU_WARMUP ?? PER_REP);
const SPLIT = process.env.MESSAGE_CPU_SPLIT === '1';
/** Set in the child that runs the clients of a split run: the server's URL. */
const CLIENT_OF = process.env.MESSAGE_CPU_CLIENT_OF;
const ON_MARK = process.env.MESSAGE_CPU_ON_MARK;
const POKE_MS = Number(process.env.MESSAGE_CPU_POKE_MS ?? 300);
const BARE = process.env.MESSAGE_CPU_TARGET === 'bare';
const PREFILL = process.env.MESSAGE_CPU_PREFILL === undefined ? null : Number(process.env.MESSAGE_CPU_PREFILL);
const CAP = Number(process.env.MESSAGE_CPU_CAP ?? 600);
const SEATS = ['iran', 'israel', 'us', 'mediators'];
/** Messages in flight at once, spread over every sender. */
const IN_FLIGHT = Number(process.env.MESSAGE_CPU_IN_FLIGHT ?? 8);
/** A pause after each acknowledgement before that slot's next message: a sparse load, the server idle between messages as in the fan-out. */
const PACE_MS = Number(process.env.MESSAGE_CPU_PACE_MS ?? 0);

interface Ack {
  ok: boolean;
  data?: { view?: { gameVersion?: number } };
  error?: { code: string; message: string };
}

/** A split run's messages between the client (child) and the server (parent): each repetition bracketed, then done. */
type Mark = 'start' | 'stop' | 'done';

/** MESSAGE_CPU_ON_MARK's command for a repetition's bound, awaited: the counting it switches must be on before the first message. */
function onMark(mark: 'start' | 'stop', url: string): Promise<void> {
  if (!ON_MARK) return Promise.resolve();
  return runKeepingAwake(ON_MARK, [mark, String(process.pid)], httpPoke(url), POKE_MS);
}

/** The clients' connections to one server: sockets whose updates are counted, and the set-up's requests. */
class Connections {
  received = 0;
  constructor(private readonly url: string) {}

  connect(): Promise<Socket> {
    const socket = io(this.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    socket.on('update', () => this.received++);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(new URL(path, this.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return (await res.json()) as T;
  }

  async ackOf(socket: Socket, event: string, payload: unknown): Promise<Ack> {
    const ack = (await socket.emitWithAck(event, payload)) as Ack;
    if (!ack.ok) throw new Error(`${event}: ${ack.error?.code}: ${ack.error?.message}`);
    return ack;
  }
}

/** One session into its first beat's planning; its four seats' sockets. */
async function rubiconSession(c: Connections, i: number): Promise<Socket[]> {
  const created = await c.post<CreateSessionResponse>('/api/sessions', { scenarioId: 'april-2024', seed: `message-cpu-${i}`, optionalSeats: [] });
  const facilitator = await c.connect();
  const hello = await c.ackOf(facilitator, 'hello', { sessionId: created.sessionId, token: created.facilitatorToken });
  let gameVersion = hello.data?.view?.gameVersion ?? 0;
  for (const type of ['START', 'ADVANCE']) await c.ackOf(facilitator, 'command', { commandId: `setup-${i}-${type}`, command: { type }, expectedGameVersion: gameVersion++ });
  const senders: Socket[] = [];
  for (const role of [...SEATS, 'observer']) {
    const code = created.codes.find((k) => (k.role.kind === 'seat' ? k.role.seat : k.role.kind) === role)?.code;
    if (!code) throw new Error(`no join code for ${role}`);
    const joined = await c.post<JoinResponse>('/api/join', { code });
    const socket = await c.connect();
    await c.ackOf(socket, 'hello', { sessionId: created.sessionId, token: joined.token });
    if (role !== 'observer') senders.push(socket);
  }
  return senders;
}

/** A bare server's session: six sockets in one room, the four seats the senders. */
async function bareSession(c: Connections, i: number): Promise<Socket[]> {
  const senders: Socket[] = [];
  for (const seat of ['facilitator', ...SEATS, 'observer']) {
    const socket = await c.connect();
    await c.ackOf(socket, 'join', { room: `s${i}`, seat });
    if (SEATS.includes(seat)) senders.push(socket);
  }
  return senders;
}

const messageText = (k: number) => `m${k} ${'lorem ipsum dolor sit amet, consectetur adipiscing elit '.repeat(4)}`;

/** `send(count)`: sends `count` messages, IN_FLIGHT at a time, and resolves once every one reached all six sockets of its session. */
// One count for every sender: two senders may write to the same session, and command ids are scoped to the session.
let n = 0;
function sender(c: Connections, senders: readonly Socket[]): (count: number) => Promise<void> {
  return (count) => {
    const target = c.received + 6 * count;
    let sent = 0;
    return new Promise((resolve, reject) => {
      const next = () => {
        if (sent >= count) return;
        const socket = senders[sent++ % senders.length] as Socket;
        const k = n++;
        socket.emit('command', { commandId: `message-${k}`, command: { type: 'SEND_MESSAGE', channel: 'public', text: messageText(k) } }, (ack: Ack) => {
          if (!ack.ok) reject(new Error(`message ${k}: ${ack.error?.code}: ${ack.error?.message}`));
          else if (PACE_MS > 0) setTimeout(next, PACE_MS);
          else next();
        });
      };
      for (let i = 0; i < IN_FLIGHT; i++) next();
      const check = setInterval(() => {
        if (c.received < target) return;
        clearInterval(check);
        resolve();
      }, 1);
    });
  };
}

/** The clients' side: sessions made and taken into planning, then `send` for a repetition's messages. */
async function clients(url: string) {
  const c = new Connections(url);
  const bySession: Socket[][] = [];
  for (let i = 0; i < SESSIONS; i++) bySession.push(await (BARE ? bareSession(c, i) : rubiconSession(c, i)));
  const senders = bySession.flat();
  return {
    send: sender(c, senders),
    sendFirst: sender(c, bySession[0] ?? []),
    sendRest: sender(c, bySession.slice(1).flat()),
    close: () => senders.forEach((socket) => socket.close()),
  };
}

/**
 * Per counted repetition, the collector's pauses on the main thread (GCProfiler's `cost`) per message, the
 * mark-compacts among them, and the heap in use at the end: what a bigger heap costs the same messages.
 */
const collections: { pausedUsPerMessage: number; compactions: number; heapUsedMB: number }[] = [];
const perMessageUs = (used: NodeJS.CpuUsage) => Math.round((10 * (used.user + used.system)) / PER_REP) / 10;
const COLLECT = process.env.MESSAGE_CPU_COLLECT !== '0';
const collect = () => {
  if (COLLECT) (globalThis as { gc?: () => void }).gc?.();
};

/**
 * Counts the bytes this process allocates from now until the returned function is called: per message, rounded.
 * The fan-out bench's LoadWindowProbe (fanout/load-probe.ts) sums the same way; the driver keeps its own copy
 * because ab.ts resolves the driver's relative imports in the checkout it measures, and a checkout from before
 * a shared helper existed could not be bundled.
 */
function countAllocation(): () => number {
  const profiler = new GCProfiler();
  profiler.start();
  const start = process.memoryUsage().heapUsed;
  return () => {
    const end = process.memoryUsage().heapUsed;
    let last = start;
    let allocated = 0;
    let pausedUs = 0;
    let compactions = 0;
    // What the heap grew by before each collection, and after the last one.
    for (const gc of profiler.stop()?.statistics ?? []) {
      allocated += gc.beforeGC.heapStatistics.usedHeapSize - last;
      last = gc.afterGC.heapStatistics.usedHeapSize;
      pausedUs += gc.cost;
      if (gc.gcType === 'MarkSweepCompact') compactions++;
    }
    collections.push({ pausedUsPerMessage: Math.round((10 * pausedUs) / PER_REP) / 10, compactions, heapUsedMB: Math.round(end / 2 ** 20) });
    return Math.round((allocated + end - last) / PER_REP);
  };
}

/**
 * The bare target: bare-server.ts's handlers without Redis or ballast, the command's payload taken as Rubicon's.
 * Kept here, not imported, because ab.ts resolves the driver's relative imports in older checkouts too.
 */
async function bareServer(): Promise<{ listen: () => Promise<string>; close: () => Promise<void> }> {
  const http = createServer();
  const server = new Server(http);
  let seq = 0;
  server.on('connection', (socket) => {
    let room: string | null = null;
    let seat = 'observer';
    socket.on('join', (p: { room: string; seat: string }, ack: (r: { ok: true }) => void) => {
      room = p.room;
      seat = p.seat;
      void socket.join(room);
      ack({ ok: true });
    });
    socket.on('command', (p: { command: { text: string } }, ack: (r: { ok: true; data: { version: number } }) => void) => {
      if (!room) return;
      seq++;
      const message = { id: `m${seq}`, seq, at: Date.now(), channel: 'public', from: seat, text: p.command.text };
      server.to(room).emit('update', { version: seq, messages: [message] });
      ack({ ok: true, data: { version: seq } });
    });
  });
  return {
    listen: () => new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(http.address() as AddressInfo).port}`))),
    close: async () => {
      await server.close();
    },
  };
}

async function rubiconServer(): Promise<{ listen: () => Promise<string>; close: () => Promise<void> }> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CLIENT_DIST: '/nonexistent-client-dist', ...benchLimitSettings() });
  return createApp(config, { scenarios: benchCatalog(CAP) });
}

if (CLIENT_OF) {
  // A split run's client: each repetition between a start and a stop, each answered by the server before going on.
  const { send, sendFirst, sendRest, close } = await clients(CLIENT_OF);
  const mark = (m: Mark) => new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    process.send?.(m);
  });
  // A warm-up first (one repetition's worth by default): the message path compiled and the heap grown before anything is counted.
  if (PREFILL === null) await send(WARMUP);
  else {
    if (SESSIONS < 2 || PREFILL > WARMUP) throw new Error('MESSAGE_CPU_PREFILL needs two sessions and at most MESSAGE_CPU_WARMUP');
    await sendFirst(PREFILL);
    await sendRest(WARMUP - PREFILL);
  }
  for (let r = 0; r < REPS; r++) {
    await mark('start');
    await (PREFILL === null ? send : sendFirst)(PER_REP);
    await mark('stop');
  }
  close();
  // Exits once the server has the message: keep-alive HTTP connections would otherwise hold this process open.
  process.send?.('done', () => process.exit(0));
} else {
  const app = await (BARE ? bareServer() : rubiconServer());
  const url = await app.listen();
  const figures: number[] = [];
  const allocated: number[] = [];
  if (SPLIT) {
    const script = process.argv[1] as string;
    // Run from its source (not bundled by ab.ts), the child needs tsx too.
    const child = fork(script, [], { env: { ...process.env, MESSAGE_CPU_CLIENT_OF: url }, execArgv: script.endsWith('.ts') ? ['--import', 'tsx'] : [] });
    let before = process.cpuUsage();
    let allocation = countAllocation();
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the clients exited with ${code}`))));
      const bound = async (m: Mark) => {
        if (m === 'start') {
          collect();
          await onMark('start', url);
          allocation = countAllocation();
          before = process.cpuUsage();
        } else if (m === 'stop') {
          figures.push(perMessageUs(process.cpuUsage(before)));
          allocated.push(allocation());
          await onMark('stop', url);
        }
      };
      child.on('message', (m: Mark) => {
        if (m === 'done') return resolve();
        bound(m).then(() => child.send('go'), reject);
      });
    });
  } else {
    const { send, close } = await clients(url);
    // A warm-up first (one repetition's worth by default): the message path compiled and the heap grown before anything is counted.
    await send(WARMUP);
    for (let r = 0; r < REPS; r++) {
      collect();
      const allocation = countAllocation();
      const before = process.cpuUsage();
      await send(PER_REP);
      figures.push(perMessageUs(process.cpuUsage(before)));
      allocated.push(allocation());
    }
    close();
  }
  console.log(JSON.stringify({ perMessageUs: figures, allocPerMessage: allocated, collections }));
  await app.close();
  process.exit(0);
}
