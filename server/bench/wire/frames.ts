/**
 * What one public message costs on the wire: the real app in this process,
 * one session of six sockets (the white cell, four seats, an observer) taken
 * into the first beat's planning over the real protocol, then one seat sends
 * one public SEND_MESSAGE. Prints every engine.io frame each socket received
 * for it (the sender's acknowledgement included), as text and in bytes: the
 * frame's payload (engine.io's type digit and Socket.IO's packet) and the
 * WebSocket frame around it (a server's frames are unmasked: 2 bytes of
 * header up to 125 bytes of payload, 4 up to 65,535).
 *
 *   node --import tsx server/bench/wire/frames.ts [text]
 */
import { io, type Socket } from 'socket.io-client';
import type { CreateSessionResponse, JoinResponse } from '@rubicon/shared';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { benchCatalog } from '../bench-catalog.ts';
import { benchLimitSettings } from '../fanout/limits.ts';

interface Ack {
  ok: boolean;
  data?: { view?: { gameVersion?: number } };
  error?: { code: string; message: string };
}

interface Captured {
  role: string;
  socket: Socket;
  frames: string[];
}

const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CLIENT_DIST: '/nonexistent-client-dist', ...benchLimitSettings() });
const app = await createApp(config, { scenarios: benchCatalog(600) });
const url = await app.listen();

async function connect(role: string): Promise<Captured> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  const captured: Captured = { role, socket, frames: [] };
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  // Each engine.io packet as the transport read it: the type digit ("4", a message) and its data.
  socket.io.engine.on('packet', (p: { type: string; data?: unknown }) => {
    if (typeof p.data === 'string') captured.frames.push(`${typeCode(p.type)}${p.data}`);
  });
  return captured;
}

function typeCode(type: string): string {
  return String(['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'].indexOf(type));
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

function wsHeader(payloadBytes: number): number {
  if (payloadBytes <= 125) return 2;
  return payloadBytes <= 65_535 ? 4 : 10;
}

// A seat's person named on joining, as the browser client does when asked: its messages carry `fromName`.
const NAMED = process.env.WIRE_NAMED === '0' ? null : 'iran';
const created = await post<CreateSessionResponse>('/api/sessions', { scenarioId: 'april-2024', seed: 'wire-frames', optionalSeats: [] });
const white = await connect('white cell');
const hello = await ackOf(white.socket, 'hello', { sessionId: created.sessionId, token: created.facilitatorToken });
let gameVersion = hello.data?.view?.gameVersion ?? 0;
for (const type of ['START', 'ADVANCE']) await ackOf(white.socket, 'command', { commandId: `setup-${type}`, command: { type }, expectedGameVersion: gameVersion++ });
const all: Captured[] = [white];
for (const role of ['iran', 'israel', 'us', 'mediators', 'observer']) {
  const code = created.codes.find((c) => (c.role.kind === 'seat' ? c.role.seat : c.role.kind) === role)?.code;
  if (!code) throw new Error(`no join code for ${role}`);
  const joined = await post<JoinResponse>('/api/join', { code });
  const captured = await connect(role);
  await ackOf(captured.socket, 'hello', { sessionId: created.sessionId, token: joined.token, ...(role === NAMED ? { name: 'Ali' } : {}) });
  all.push(captured);
}
// Presence frames and the like from the joins are not this message's.
await new Promise((r) => setTimeout(r, 100));
for (const c of all) c.frames.length = 0;

const sender = all.find((c) => c.role === 'iran') as Captured;
const text = process.argv[2] ?? `f1764912345678.123:42 ${'lorem ipsum dolor sit amet '.repeat(2).trim()}`;
await ackOf(sender.socket, 'command', { commandId: 'wire-message-1', command: { type: 'SEND_MESSAGE', channel: 'public', text } });
await new Promise((r) => setTimeout(r, 100));

let total = 0;
for (const c of all) {
  for (const f of c.frames) {
    const payload = Buffer.byteLength(f);
    total += payload + wsHeader(payload);
    console.log(`${c.role.padEnd(10)} ${String(payload).padStart(4)} B payload + ${wsHeader(payload)} B header  ${f}`);
  }
}
console.log(`text ${Buffer.byteLength(text)} B; all frames of this message, WebSocket headers included: ${total} B`);
for (const c of all) c.socket.close();
await app.close();
process.exit(0);
