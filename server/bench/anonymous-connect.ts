/**
 * What counting the sockets that have not said hello yet costs a class connecting: 300 sockets from one address
 * opened at once, each saying hello as soon as it connects, against server trees given on the command line (a
 * commit before the shared anonymous count, and after), in memory and on Redis, each server in its own process
 * (the source under tsx, on the node running this). Rounds alternate between the servers, so a busy moment
 * of the machine falls on each alike. Per round and server: the time from the first open to the last hello's
 * answer, and each socket's time to connect and to its hello's answer (p50, p99). Prints JSON lines, then
 * a summary line per server (medians over the rounds).
 *
 *   node --import tsx server/bench/anonymous-connect.ts [--rounds 7] [--sockets 300] <label>=<tree> ...
 */
import { nanoid } from 'nanoid';
import type { CreateSessionResponse } from '@rubicon/shared';
import { io, type Socket } from 'socket.io-client';
import { spawnServer, type ChildServer } from '../test/child-server.ts';
import { median, quantile } from './stats.ts';

interface Target {
  name: string;
  server: ChildServer;
  sessionId: string;
  token: string;
}

interface Round {
  totalMs: number;
  connectMs: number[];
  helloMs: number[];
}

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function post<T>(url: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function start(name: string, root: string, redis: boolean): Promise<Target> {
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    CLIENT_DIST: '/nonexistent-client-dist',
    // One address says hello 300 times at once: the hello and token limits are not what is measured.
    HELLO_RATE_LIMIT_BURST: '100000',
    HELLO_RATE_LIMIT_PER_SEC: '100000',
    SOCKETS_PER_TOKEN: '100000',
    ANONYMOUS_SOCKETS_PER_ADDRESS: '300',
    ...(redis ? { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_PREFIX: `anoncap:bench-${nanoid(6)}:` } : {}),
  };
  const server = await spawnServer(env, 120_000, { node: process.execPath, args: ['--import', 'tsx', `${root}/server/src/main.ts`] });
  // The facilitator's token: any token does, and it needs no join.
  const session = await post<CreateSessionResponse>(server.url, '/api/sessions', { scenarioId: 'april-2024' });
  return { name, server, sessionId: session.sessionId, token: session.facilitatorToken };
}

/** One socket: connected, then its hello answered; the times from `t0`. */
function connectAndHello(target: Target, t0: number, sockets: Socket[]): Promise<{ connectMs: number; helloMs: number }> {
  const socket = io(target.server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect_error', (err: Error & { data?: unknown }) => reject(new Error(`${err.message} ${JSON.stringify(err.data)}`)));
    socket.once('connect', () => {
      const connectMs = performance.now() - t0;
      socket
        .timeout(30_000)
        .emitWithAck('hello', { sessionId: target.sessionId, token: target.token })
        .then((ack: { ok: boolean; error?: unknown }) => {
          if (!ack.ok) reject(new Error(`hello refused: ${JSON.stringify(ack.error)}`));
          else resolve({ connectMs, helloMs: performance.now() - t0 });
        }, reject);
    });
  });
}

async function round(target: Target, count: number): Promise<Round> {
  const sockets: Socket[] = [];
  const t0 = performance.now();
  try {
    const each = await Promise.all(Array.from({ length: count }, () => connectAndHello(target, t0, sockets)));
    return { totalMs: performance.now() - t0, connectMs: each.map((e) => e.connectMs), helloMs: each.map((e) => e.helloMs) };
  } finally {
    for (const s of sockets) s.close();
    // Let the server see them go before the next round.
    await new Promise((r) => setTimeout(r, 500));
  }
}

const p = (xs: number[], q: number) => Math.round(quantile(xs, q) * 10) / 10;

async function main(): Promise<void> {
  const rounds = argValue('--rounds', 7);
  const count = argValue('--sockets', 300);
  const trees = process.argv.slice(2).filter((a) => a.includes('='));
  const targets: Target[] = [];
  try {
    for (const spec of trees) {
      const [label, root] = spec.split('=') as [string, string];
      targets.push(await start(`${label} memory`, root, false), await start(`${label} redis`, root, true));
    }
    // One round each unmeasured: the first connections warm the servers' code.
    for (const t of targets) await round(t, count);
    const results = new Map<string, Round[]>(targets.map((t) => [t.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (const t of r % 2 === 0 ? targets : [...targets].reverse()) {
        const res = await round(t, count);
        results.get(t.name)?.push(res);
        console.log(JSON.stringify({ round: r, server: t.name, totalMs: Math.round(res.totalMs), connectP50: p(res.connectMs, 0.5), connectP99: p(res.connectMs, 0.99), helloP50: p(res.helloMs, 0.5), helloP99: p(res.helloMs, 0.99) }));
      }
    }
    for (const [name, rs] of results) {
      const summary = {
        server: name,
        rounds: rs.length,
        totalMsMedian: Math.round(median(rs.map((x) => x.totalMs))),
        totalMsRange: [Math.round(Math.min(...rs.map((x) => x.totalMs))), Math.round(Math.max(...rs.map((x) => x.totalMs)))],
        connectP50Median: Math.round(median(rs.map((x) => p(x.connectMs, 0.5))) * 10) / 10,
        connectP99Median: Math.round(median(rs.map((x) => p(x.connectMs, 0.99))) * 10) / 10,
        helloP99Median: Math.round(median(rs.map((x) => p(x.helloMs, 0.99))) * 10) / 10,
      };
      console.log(JSON.stringify({ summary }));
    }
  } finally {
    await Promise.all(targets.map((t) => t.server.kill()));
  }
}

await main();
