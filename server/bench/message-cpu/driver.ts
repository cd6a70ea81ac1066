/**
 * Process CPU per public message, the real app and real Socket.IO clients in
 * one process: sessions of six sockets (four seats, an observer, the white
 * cell) taken into the first beat's planning over the real protocol, then
 * seats send public messages a few at a time and every delivery is awaited.
 * The client's share is the same for any server code, so two checkouts'
 * figures differ by their servers' work. No load generator on another process
 * and no timing of latencies: the figure is CPU time for a fixed workload,
 * repeatable to a few percent where the fan-out bench's CPU per delivery
 * moves by 10-20 % between rounds on a shared machine.
 *
 *   run by ab.ts (bundled against a checkout); prints one JSON line: µs of process CPU per message, per repetition
 *   env: MESSAGE_CPU_SESSIONS (20), MESSAGE_CPU_MESSAGES (3000 per repetition), MESSAGE_CPU_REPS (5)
 */
import { io, type Socket } from 'socket.io-client';
import type { CreateSessionResponse, JoinResponse } from '@rubicon/shared';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { benchCatalog } from '../bench-catalog.ts';
import { benchLimitSettings } from '../fanout/limits.ts';

const SESSIONS = Number(process.env.MESSAGE_CPU_SESSIONS ?? 20);
const PER_REP = Number(process.env.MESSAGE_CPU_MESSAGES ?? 3000);
const REPS = Number(process.env.MESSAGE_CPU_REPS ?? 5);
const SEATS = ['iran', 'israel', 'us', 'mediators'];
/** Messages in flight at once, spread over every sender. */
const IN_FLIGHT = 8;

interface Ack {
  ok: boolean;
  data?: { view?: { gameVersion?: number } };
  error?: { code: string; message: string };
}

const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CLIENT_DIST: '/nonexistent-client-dist', ...benchLimitSettings() });
const app = await createApp(config, { scenarios: benchCatalog(600) });
const url = await app.listen();
let received = 0;

function connect(): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  socket.on('update', () => received++);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return (await res.json()) as T;
}

async function ackOf(socket: Socket, event: string, payload: unknown): Promise<Ack> {
  const ack = (await socket.emitWithAck(event, payload)) as Ack;
  if (!ack.ok) throw new Error(`${event}: ${ack.error?.code}: ${ack.error?.message}`);
  return ack;
}

/** One session into its first beat's planning; its four seats' sockets. */
async function session(i: number): Promise<Socket[]> {
  const created = await post<CreateSessionResponse>('/api/sessions', { scenarioId: 'april-2024', seed: `message-cpu-${i}`, optionalSeats: [] });
  const facilitator = await connect();
  const hello = await ackOf(facilitator, 'hello', { sessionId: created.sessionId, token: created.facilitatorToken });
  let gameVersion = hello.data?.view?.gameVersion ?? 0;
  for (const type of ['START', 'ADVANCE']) await ackOf(facilitator, 'command', { commandId: `setup-${i}-${type}`, command: { type }, expectedGameVersion: gameVersion++ });
  const senders: Socket[] = [];
  for (const role of [...SEATS, 'observer']) {
    const code = created.codes.find((c) => (c.role.kind === 'seat' ? c.role.seat : c.role.kind) === role)?.code;
    if (!code) throw new Error(`no join code for ${role}`);
    const joined = await post<JoinResponse>('/api/join', { code });
    const socket = await connect();
    await ackOf(socket, 'hello', { sessionId: created.sessionId, token: joined.token });
    if (role !== 'observer') senders.push(socket);
  }
  return senders;
}

const senders: Socket[] = [];
for (let i = 0; i < SESSIONS; i++) senders.push(...(await session(i)));

const text = (k: number) => `m${k} ${'lorem ipsum dolor sit amet, consectetur adipiscing elit '.repeat(4)}`;
let n = 0;

/** Sends `count` messages, IN_FLIGHT at a time, and resolves once every one reached all six sockets of its session. */
function send(count: number): Promise<void> {
  const target = received + 6 * count;
  let sent = 0;
  return new Promise((resolve, reject) => {
    const next = () => {
      if (sent >= count) return;
      const socket = senders[sent++ % senders.length] as Socket;
      const k = n++;
      socket.emit('command', { commandId: `message-${k}`, command: { type: 'SEND_MESSAGE', channel: 'public', text: text(k) } }, (ack: Ack) => {
        if (ack.ok) next();
        else reject(new Error(`message ${k}: ${ack.error?.code}: ${ack.error?.message}`));
      });
    };
    for (let i = 0; i < IN_FLIGHT; i++) next();
    const check = setInterval(() => {
      if (received < target) return;
      clearInterval(check);
      resolve();
    }, 1);
  });
}

// One repetition's worth first: the message path compiled and the heap grown before anything is counted.
await send(PER_REP);
const perMessageUs: number[] = [];
for (let r = 0; r < REPS; r++) {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.cpuUsage();
  await send(PER_REP);
  const used = process.cpuUsage(before);
  perMessageUs.push(Math.round((10 * (used.user + used.system)) / PER_REP) / 10);
}
console.log(JSON.stringify({ perMessageUs }));
for (const socket of senders) socket.close();
await app.close();
process.exit(0);
