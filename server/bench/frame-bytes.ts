/**
 * The frames a recipient gets for one public message, Rubicon against the
 * fan-out's bare server, under the fan-out's workload (six sockets a session,
 * four seats sending `randomText` messages on the public channel): bytes per
 * frame by kind (the update each of the six sockets gets, the sender's
 * acknowledgement), the update's bytes by field, and what a client's decoding
 * of each frame costs (socket.io-parser's Decoder, as socket.io-client runs
 * it, timed over many decodes of the captured frames).
 *
 * Both servers in this process, one after the other; the frames are taken
 * from each client's engine.io packets, so they are the bytes on the wire
 * less the WebSocket header (2-4 B a frame, the same for both).
 *
 *   node --import tsx server/bench/frame-bytes.ts        prints one JSON object per target
 *   env: FRAME_BYTES_SESSIONS (4), FRAME_BYTES_MESSAGES (200), FRAME_BYTES_DECODES (200000),
 *   FRAME_BYTES_SAVE=<file> (every captured update and acknowledgement frame of both servers as JSON, the light decoder's test fixture)
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as SocketIoParser from 'socket.io-parser';
import { io, type Socket } from 'socket.io-client';
import type { CreateSessionResponse, JoinResponse } from '@rubicon/shared';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { benchCatalog } from './bench-catalog.ts';
import { benchLimitSettings } from './fanout/limits.ts';
import { startBare } from './fanout/bare-server.ts';
import { BENCH_STATEMENTS_PER_MINUTE } from './fanout/types.ts';
import { Rng, SCENARIO_ID, randomText } from './workload.ts';
import { fieldBytes, summarise, type Frame } from './frame-fields.ts';

const parser = createRequire(import.meta.url)('socket.io-parser') as typeof SocketIoParser;
const SESSIONS = Number(process.env.FRAME_BYTES_SESSIONS ?? 4);
const MESSAGES = Number(process.env.FRAME_BYTES_MESSAGES ?? 200);
const DECODES = Number(process.env.FRAME_BYTES_DECODES ?? 200_000);
const SEATS = ['iran', 'israel', 'us', 'mediators'];

interface Ack {
  ok: boolean;
  data?: { view?: { gameVersion?: number } };
}

/** A socket whose received engine.io message packets are recorded while `recording` is on. */
class Recorder {
  recording = false;
  readonly frames: Frame[] = [];
  constructor(private readonly url: string) {}

  async connect(role: string): Promise<Socket> {
    const socket = io(this.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    socket.io.engine.on('packet', (p: { type: string; data?: unknown }) => {
      // The frame's text: engine.io's one-character type, then the socket.io packet.
      if (this.recording && p.type === 'message' && typeof p.data === 'string') this.frames.push({ role, text: `4${p.data}` });
    });
    return socket;
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(new URL(path, this.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return (await res.json()) as T;
  }
}

async function rubiconSession(r: Recorder, i: number): Promise<Socket[]> {
  const created = await r.post<CreateSessionResponse>('/api/sessions', { scenarioId: SCENARIO_ID, seed: `frame-bytes-${i}`, optionalSeats: [] });
  const facilitator = await r.connect('facilitator');
  const hello = (await facilitator.emitWithAck('hello', { sessionId: created.sessionId, token: created.facilitatorToken })) as Ack;
  let gameVersion = hello.data?.view?.gameVersion ?? 0;
  for (const type of ['START', 'ADVANCE']) await facilitator.emitWithAck('command', { commandId: `setup-${i}-${type}`, command: { type }, expectedGameVersion: gameVersion++ });
  const senders: Socket[] = [];
  for (const role of [...SEATS, 'observer']) {
    const code = created.codes.find((k) => (k.role.kind === 'seat' ? k.role.seat : k.role.kind) === role)?.code;
    if (!code) throw new Error(`no join code for ${role}`);
    const joined = await r.post<JoinResponse>('/api/join', { code });
    const socket = await r.connect(role);
    await socket.emitWithAck('hello', { sessionId: created.sessionId, token: joined.token });
    if (role !== 'observer') senders.push(socket);
  }
  return senders;
}

async function bareSession(r: Recorder, i: number): Promise<Socket[]> {
  const senders: Socket[] = [];
  for (const seat of [...SEATS, 'observer', 'facilitator']) {
    const socket = await r.connect(seat);
    await socket.emitWithAck('join', { room: `r${i}`, seat });
    if (SEATS.includes(seat)) senders.push(socket);
  }
  return senders;
}

/** Sends MESSAGES public messages one at a time from the seats in turn, each awaited (its ack and six updates). */
async function load(r: Recorder, senders: readonly Socket[], bare: boolean): Promise<void> {
  const rng = new Rng('frame-bytes');
  r.recording = true;
  for (let k = 0; k < MESSAGES; k++) {
    const socket = senders[k % senders.length] as Socket;
    const text = randomText(rng, `f${(1_000_000 + k * 997.125).toFixed(3)}:${k}`);
    const before = r.frames.length;
    if (bare) await socket.emitWithAck('msg', { text });
    else await socket.emitWithAck('command', { commandId: `frame-bytes-${k}`, command: { type: 'SEND_MESSAGE', channel: 'public', text } });
    for (let w = 0; r.frames.length < before + 7; w++) {
      if (w === 2000) throw new Error(`message ${k}: ${r.frames.length - before} frames: ${JSON.stringify(r.frames.slice(before))}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
  r.recording = false;
}

/** ns per decode of each frame in turn by socket.io-parser's Decoder (the client's own), over DECODES decodes. */
function decodeNs(texts: readonly string[]): number {
  const decoder = new parser.Decoder();
  let got = 0;
  decoder.on('decoded', () => got++);
  const run = (n: number) => {
    for (let i = 0; i < n; i++) decoder.add((texts[i % texts.length] as string).slice(1));
  };
  run(Math.min(DECODES, 20_000));
  const start = process.hrtime.bigint();
  run(DECODES);
  const ns = Number(process.hrtime.bigint() - start) / DECODES;
  if (got === 0) throw new Error('nothing decoded');
  return Math.round(ns);
}

/** Rubicon as the fan-out's rubicon-server.ts starts it (its limits and its scenario's statement cap). */
async function startRubicon(): Promise<{ url: string; close: () => Promise<void> }> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CLIENT_DIST: '/nonexistent-client-dist', ...benchLimitSettings() });
  const app = await createApp(config, { scenarios: benchCatalog(BENCH_STATEMENTS_PER_MINUTE) });
  return { url: await app.listen(), close: () => app.close() };
}

async function measure(target: 'rubicon' | 'bare'): Promise<{ figures: Record<string, unknown>; updates: string[]; acks: string[] }> {
  const { url, close } = target === 'bare' ? await startBare() : await startRubicon();
  const r = new Recorder(url);
  const senders: Socket[] = [];
  for (let i = 0; i < SESSIONS; i++) senders.push(...(await (target === 'bare' ? bareSession(r, i) : rubiconSession(r, i))));
  await load(r, senders, target === 'bare');
  for (const s of senders) s.close();
  await close();
  const updates = r.frames.filter((f) => f.text.startsWith('42["update"'));
  const acks = r.frames.filter((f) => f.text.startsWith('43'));
  const figures = {
    target,
    messages: MESSAGES,
    frames: r.frames.length,
    ...summarise(updates, acks),
    updateFields: fieldBytes(updates),
    exampleUpdate: updates[0]?.text,
    exampleAck: acks[0]?.text,
  };
  return { figures, updates: updates.map((f) => f.text), acks: acks.map((f) => f.text) };
}

const bare = await measure('bare');
const rubicon = await measure('rubicon');
// Decoded in turns, bare then Rubicon three times over, so neither gets the decoder's warm-up alone; medians.
const turns: Record<string, number[]> = { bareUpdate: [], rubiconUpdate: [], bareAck: [], rubiconAck: [] };
for (let t = 0; t < 3; t++) {
  turns.bareUpdate?.push(decodeNs(bare.updates));
  turns.rubiconUpdate?.push(decodeNs(rubicon.updates));
  turns.bareAck?.push(decodeNs(bare.acks));
  turns.rubiconAck?.push(decodeNs(rubicon.acks));
}
if (process.env.FRAME_BYTES_SAVE) writeFileSync(process.env.FRAME_BYTES_SAVE, `${JSON.stringify({ bare: { updates: bare.updates, acks: bare.acks }, rubicon: { updates: rubicon.updates, acks: rubicon.acks } })}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
for (const { figures } of [bare, rubicon]) console.log(JSON.stringify(figures, null, 1));
console.log(JSON.stringify({ decodeNs: turns, medians: Object.fromEntries(Object.entries(turns).map(([k, xs]) => [k, median(xs)])) }));
process.exit(0);
