/**
 * Server CPU per public GET, in two checkouts side by side (A/B in one run):
 *
 *   node_modules/.bin/tsx server/bench/public-gets.ts <checkout-A> <checkout-B> [requests] [rounds]
 *
 * Each checkout's server runs as its own process (tsx, memory store, limits
 * set high enough never to refuse, but still counted); the CPU is that
 * process's user+system time from /proc, before and after each batch.
 * Requests are sent as Chromium does (Accept-Encoding "gzip, deflate, br,
 * zstd"), four at a time, and the checkouts alternate batch by batch.
 * Beside the public GETs, a session's text (`/api/sessions/:id/text`) with a
 * seat's token, in a session made on each server for the purpose.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { CreateSessionResponse } from '@rubicon/shared';
import { serverScenarios } from '../src/scenarios.ts';

const [a, b, requestsArg, roundsArg] = process.argv.slice(2);
if (!a || !b) throw new Error('usage: public-gets.ts <checkout-A> <checkout-B> [requests] [rounds]');
const REQUESTS = Number(requestsArg ?? 400);
const ROUNDS = Number(roundsArg ?? 3);
const TICK_MS = 10; // USER_HZ is 100 on Linux

interface Server {
  name: string;
  child: ChildProcess;
  url: string;
  /** A session of its own and a seat's token in it, for the session's text. */
  session?: { id: string; token: string };
}

function start(dir: string, port: number): Promise<Server> {
  // node itself with tsx's loader, not the tsx CLI (which runs the server in a child process of its own).
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: dir,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      CLIENT_DIST: '/nonexistent',
      PUBLIC_RATE_LIMIT_BURST: '1000000',
      PUBLIC_RATE_LIMIT_PER_SEC: '1000000',
    },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const poll = () =>
      get(`${url}/healthz/live`).then(
        () => resolve({ name: dir, child, url }),
        () => (Date.now() > deadline ? reject(new Error(`${dir} did not start`)) : setTimeout(poll, 200)),
      );
    poll();
  });
}

function get(url: string, token?: string): Promise<number> {
  const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br, zstd' };
  if (token) headers.authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${url}: ${res.statusCode}`))));
    })
      .on('error', reject)
      .end();
  });
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

async function batch(server: Server, pathname: string): Promise<{ cpuPerRequest: number; bytes: number }> {
  const pid = server.child.pid as number;
  const before = cpuMs(pid);
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      next += 1;
      bytes = await get(server.url + pathname.replace(':session', server.session?.id ?? ''), pathname.includes(':session') ? server.session?.token : undefined);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return { cpuPerRequest: (cpuMs(pid) - before) / REQUESTS, bytes };
}

/** A session on `server` and an Iran seat's token in it (a POST of the API, then a join with its code). */
async function sessionOn(server: Server): Promise<{ id: string; token: string }> {
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return (await res.json()) as T;
  };
  const created = await post<CreateSessionResponse>('/api/sessions', { scenarioId: 'april-2024' });
  const code = created.codes.find((c) => c.role.kind === 'seat' && c.role.seat === 'iran')?.code;
  if (!code) throw new Error('no code for iran');
  const joined = await post<{ token: string }>('/api/join', { code });
  return { id: created.sessionId, token: joined.token };
}

const servers = [await start(a, 4901), await start(b, 4902)];
try {
  for (const s of servers) s.session = await sessionOn(s);
  const version = serverScenarios().get('april-2024')?.version ?? 1;
  const paths = ['/api/scenarios/april-2024/teaching', '/api/scenarios', `/api/scenarios/april-2024/v/${version}`, '/api/sessions/:session/text', '/healthz'];
  // Warm up both (JIT, and the cache being measured is made on the first request).
  for (const s of servers) for (const p of paths) await batch(s, p);
  const results = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of paths) {
      for (const s of round % 2 === 0 ? servers : [...servers].reverse()) {
        const r = await batch(s, p);
        const key = `${s.name}\t${p}\t${r.bytes} B`;
        results.set(key, [...(results.get(key) ?? []), r.cpuPerRequest]);
      }
    }
  }
  for (const [key, values] of results) console.log(`${key}\tCPU ms/request per round: ${values.map((v) => v.toFixed(2)).join(' ')}`);
} finally {
  for (const s of servers) s.child.kill();
}
