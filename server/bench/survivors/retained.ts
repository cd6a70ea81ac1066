/**
 * What one public SEND_MESSAGE leaves alive on the server, in memory mode,
 * exactly: the real app in this process, the clients in a child process (so
 * their objects are not in the server's heap), sessions of six sockets taken
 * into planning, then three heap snapshots of the server: A after a warm-up,
 * B at once after N more public messages were delivered to every socket,
 * C after a quiet second. A → C is what a message keeps for good (the log,
 * the game state), grouped by what it is and where it hangs; C → B, what the
 * last messages still held just after their delivery (the recent states, an
 * encoded update); B's live encoded updates are listed.
 *
 *   node --expose-gc --import tsx server/bench/survivors/retained.ts
 *   env: RETAINED_SESSIONS (10), RETAINED_MESSAGES (400 per phase, over all sessions), RETAINED_DIR (a temp dir),
 *        RETAINED_NAMED=1 (seats say hello with a name), RETAINED_JSON=<file> (the figures as JSON),
 *        RETAINED_REDIS_URL=<url> (the Redis store, one process, its keys under retained-<pid>: deleted at the end),
 *        RETAINED_MID=1 (a fourth snapshot M halfway through B's messages, commands in flight: C → M is what a
 *        scavenge landing mid-burst finds alive that is garbage a second later)
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { io, type Socket } from 'socket.io-client';
import type { CreateSessionResponse, JoinResponse } from '@rubicon/shared';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { benchCatalog } from '../bench-catalog.ts';
import { benchLimitSettings } from '../fanout/limits.ts';
import { deleteKeys } from '../server-e2e.ts';
import { Rng, randomText } from '../workload.ts';
import { diffHeaps, readHeap, stringsStartingWith, type Group } from './heap-diff.ts';

const SESSIONS = Number(process.env.RETAINED_SESSIONS ?? 10);
const MESSAGES = Number(process.env.RETAINED_MESSAGES ?? 400);
const NAMED = process.env.RETAINED_NAMED === '1';
const CLIENT_OF = process.env.RETAINED_CLIENT_OF;
const MID = process.env.RETAINED_MID === '1';
const SEATS = ['iran', 'israel', 'us', 'mediators'];
const IN_FLIGHT = 4;

interface Ack {
  ok: boolean;
  data?: { view?: { gameVersion?: number } };
  error?: { code: string; message: string };
}

type Mark = 'A' | 'M' | 'B' | 'C' | 'done';

/** The client side's wire to the server: sockets that count the updates they receive, posts, and acks that must be ok. */
function wire(url: string) {
  const counter = { received: 0 };
  const connect = (): Promise<Socket> => {
    const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    socket.on('update', () => counter.received++);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  };
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return (await res.json()) as T;
  };
  const ackOf = async (socket: Socket, event: string, payload: unknown): Promise<Ack> => {
    const ack = (await socket.emitWithAck(event, payload)) as Ack;
    if (!ack.ok) throw new Error(`${event}: ${ack.error?.code}: ${ack.error?.message}`);
    return ack;
  };
  return { counter, connect, post, ackOf };
}

type Wire = ReturnType<typeof wire>;

/** SESSIONS sessions taken into planning, each with its four seats and an observer connected: the seats' sockets. */
async function seatedSessions({ connect, post, ackOf }: Wire): Promise<Socket[]> {
  const senders: Socket[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const created = await post<CreateSessionResponse>('/api/sessions', { scenarioId: 'april-2024', seed: `retained-${i}`, optionalSeats: [] });
    const white = await connect();
    const hello = await ackOf(white, 'hello', { sessionId: created.sessionId, token: created.facilitatorToken });
    let gameVersion = hello.data?.view?.gameVersion ?? 0;
    for (const type of ['START', 'ADVANCE']) await ackOf(white, 'command', { commandId: `setup-${i}-${type}`, command: { type }, expectedGameVersion: gameVersion++ });
    for (const role of [...SEATS, 'observer']) {
      const code = created.codes.find((c) => (c.role.kind === 'seat' ? c.role.seat : c.role.kind) === role)?.code;
      if (!code) throw new Error(`no join code for ${role}`);
      const joined = await post<JoinResponse>('/api/join', { code });
      const socket = await connect();
      await ackOf(socket, 'hello', { sessionId: created.sessionId, token: joined.token, ...(NAMED && role !== 'observer' ? { name: `P-${role}` } : {}) });
      if (role !== 'observer') senders.push(socket);
    }
  }
  return senders;
}

async function clients(url: string) {
  const link = wire(url);
  const senders = await seatedSessions(link);
  const rng = new Rng('retained');
  let n = 0;
  // The fan-out harness's messages: its texts and command ids, sessions taken in turn.
  const send = (count: number): Promise<void> => {
    const target = link.counter.received + 6 * count;
    let sent = 0;
    return new Promise((resolve, reject) => {
      const next = () => {
        if (sent >= count) return;
        const socket = senders[sent++ % senders.length] as Socket;
        const k = n++;
        const text = randomText(rng, `f${(1_764_900_000_000 + k).toFixed(3)}:${k}`);
        socket.emit('command', { commandId: `retained-s-${k}`, command: { type: 'SEND_MESSAGE', channel: 'public', text } }, (ack: Ack) => {
          if (ack.ok) next();
          else reject(new Error(`message ${k}: ${ack.error?.code}: ${ack.error?.message}`));
        });
      };
      for (let i = 0; i < IN_FLIGHT; i++) next();
      const check = setInterval(() => {
        if (link.counter.received < target) return;
        clearInterval(check);
        resolve();
      }, 1);
    });
  };
  return { send, sent: () => n, close: () => senders.forEach((s) => s.close()) };
}

function table(title: string, groups: readonly Group[], per: number, top = 25): string {
  const rows = groups.slice(0, top).map((g) => `${(g.bytes / per).toFixed(1).padStart(8)} B ${(g.count / per).toFixed(2).padStart(6)}  ${g.key}`);
  return [`${title} (bytes and objects per message)`, ...rows].join('\n');
}

if (CLIENT_OF) {
  const { send, sent, close } = await clients(CLIENT_OF);
  const mark = (m: Mark) => new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    process.send?.(m);
  });
  // Warm: the path compiled, every session past its first snapshot (every 50 entries), the arrays grown.
  await send(MESSAGES);
  await mark('A');
  const second = send(MESSAGES);
  if (MID) {
    // M: halfway through, with commands and their deliveries in flight; the server does not answer it.
    const half = sent() + MESSAGES / 2;
    while (sent() < half) await new Promise((r) => setTimeout(r, 1));
    process.send?.('M');
  }
  await second;
  await mark('B');
  await new Promise((r) => setTimeout(r, 1000));
  await mark('C');
  close();
  process.send?.('done', () => process.exit(0));
} else {
  const dir = process.env.RETAINED_DIR ?? mkdtempSync(join(tmpdir(), 'retained-'));
  // RETAINED_REDIS_URL: the Redis store instead of memory (one process, under a prefix of its own), for what Redis mode keeps.
  const redisUrl = process.env.RETAINED_REDIS_URL;
  const redisPrefix = `retained-${process.pid}:`;
  const redis = redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: redisPrefix } : {};
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CLIENT_DIST: '/nonexistent-client-dist', ...benchLimitSettings(), ...redis });
  const app = await createApp(config, { scenarios: benchCatalog(600) });
  const url = await app.listen();
  const files: Partial<Record<Mark, string>> = {};
  const child = fork(process.argv[1] as string, [], { env: { ...process.env, RETAINED_CLIENT_OF: url }, execArgv: ['--import', 'tsx'] });
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the clients exited with ${code}`))));
    child.on('message', (m: Mark) => {
      if (m === 'done') return resolve();
      // B at once: whatever the last messages still hold is in it. (A snapshot collects garbage first.)
      files[m] = writeHeapSnapshot(join(dir, `${m}.heapsnapshot`));
      if (m !== 'M') child.send('go');
    });
  });
  await app.close();
  if (redisUrl) await deleteKeys(redisUrl, redisPrefix);
  const [a, b, c] = (['A', 'B', 'C'] as const).map((m) => readHeap(files[m] as string));
  if (!a || !b || !c) throw new Error('a snapshot is missing');
  const kept = diffHeaps(a, c);
  const held = diffHeaps(c, b);
  const encoded = stringsStartingWith(b, '{"version":');
  const out = {
    node: process.version,
    sessions: SESSIONS,
    messages: MESSAGES,
    named: NAMED,
    keptPerMessage: kept.grownBytes / MESSAGES,
    keptNewPerMessage: kept.newBytes / MESSAGES,
    heldAfterDeliveryBytes: held.grownBytes,
    encodedUpdatesAlive: encoded.length,
  };
  console.log(JSON.stringify(out));
  console.log(table('A → C: kept for good, by what it is', kept.byKind, MESSAGES));
  console.log(table('A → C: kept for good, by where it hangs', kept.byAnchor, MESSAGES));
  console.log(table('C → B: held just after delivery, by what it is', held.byKind, 1, 20).replace('per message', 'in all'));
  console.log(`encoded updates alive at B: ${encoded.length}`);
  if (files.M) {
    // What M holds that C no longer does: the objects alive mid-burst that died before C, the in-flight set.
    const inFlight = diffHeaps(c, readHeap(files.M));
    console.log(JSON.stringify({ inFlightBytes: inFlight.newBytes }));
    console.log(table('C → M: alive mid-burst, gone by C, by what it is', inFlight.byKind, 1, 30).replace('per message', 'in all'));
    console.log(table('C → M: alive mid-burst, gone by C, by where it hangs', inFlight.byAnchor, 1, 30).replace('per message', 'in all'));
  }
  for (const e of encoded.slice(0, 5)) console.log(`  ${e.holder}: ${e.text}`);
  if (process.env.RETAINED_JSON) writeFileSync(process.env.RETAINED_JSON, JSON.stringify({ ...out, kept: kept.byKind.slice(0, 40), anchors: kept.byAnchor.slice(0, 40) }));
  if (!process.env.RETAINED_DIR) rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
