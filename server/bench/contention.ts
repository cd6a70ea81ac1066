/**
 * One hot session on Redis written by many sockets through several server
 * processes: how many commands per second it takes, and how long each
 * writer waits for its acknowledgement.
 *
 * Three server processes (server/src/main.ts, as production runs them) share
 * one Redis under a fresh key prefix; 40 writer sockets, spread round-robin
 * over the three, each send a message on their seat's team channel as soon as
 * their previous one is acknowledged (closed loop: one in flight per writer).
 * `unavailable` is retried with the same command id, as the protocol says, and
 * the retry counts towards that command's latency. Afterwards the exported log
 * is checked against the acknowledgements: each acknowledged command exactly
 * once, acknowledged at a version (of the sender's own stream) that includes it.
 *
 * Bounded: about 15 s, 127.0.0.1 only, the keys deleted afterwards.
 *
 * `benchContentionAB` runs it with one command per append (APPEND_BATCH_MAX=1,
 * as before batching) and with batched appends, alternating, and checks the
 * batched figures against the goals.
 *
 * Standalone: node --import tsx server/bench/contention.ts [--repeat N] (N rounds of both)
 *   CONTENTION_BASELINE=<another checkout>: the rounds alternate that checkout's servers and this one's,
 *   both batched (an A/B of code in one run) instead of one command per append against batched.
 *   CONTENTION_PROFILE_DIR=<dir>: each server process writes a V8 CPU profile there when it stops.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { nanoid } from 'nanoid';
import { createClient, type RedisClientType } from 'redis';
import { io, type Socket } from 'socket.io-client';
import { createGame, senderStreamVersions, type Ack, type ClientToServerEvents, type CommandResult, type CreateSessionResponse, type JoinResponse, type LogEntry, type ServerToClientEvents } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { deleteKeys, redisReachable } from './server-e2e.ts';
import { now, quantile, Report } from './stats.ts';

export interface ContentionOptions {
  redisUrl: string;
  processes: number;
  writers: number;
  warmupMs: number;
  measureMs: number;
  /** Extra environment for the server processes (e.g. to select an append path). */
  env?: Record<string, string>;
  /** Row label suffix, to tell A/B runs apart. */
  label?: string;
  /** The checkout whose server runs (default: this one). */
  root?: string;
}

export const CONTENTION_DEFAULTS = { processes: 3, writers: 40, warmupMs: 1500, measureMs: 6000 } as const;

const SEATS = ['iran', 'israel', 'us', 'mediators'] as const;
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

interface ServerProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `server/src/main.ts` and waits for the line naming its URL. */
async function startServer(env: Record<string, string>, root: string): Promise<ServerProcess> {
  const profileDir = process.env.CONTENTION_PROFILE_DIR;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'server/src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`a server did not start within 180 s: ${out.slice(-2000)}`)), 180_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const found = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`a server exited (${code}) before listening: ${out.slice(-2000)}`)));
  });
  // Keep draining its output so a chatty process never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

async function request<T>(url: string, path: string, init: { body?: unknown; token?: string }, expected: number): Promise<T> {
  const res = await fetch(new URL(path, url), {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const json = (await res.json()) as T;
  if (res.status !== expected) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** One socket that sends a message, waits for its acknowledgement, and sends the next. */
class Writer {
  readonly socket: ClientSocket;
  /** Per acknowledged command: ms from the first send to the acknowledgement, and where the log holds it. */
  readonly acked: { ms: number; at: number; commandId: string; version: number }[] = [];
  unavailable = 0;
  /** The `unavailable` answers by message: the message tells the bound that passed from a store that failed. */
  readonly unavailableBy = new Map<string, number>();
  refused = 0;
  gaveUp = 0;

  constructor(
    url: string,
    private readonly sessionId: string,
    private readonly token: string,
    readonly channel: string,
  ) {
    this.socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  }

  /** `unavailable` (40 hellos at once on a loaded machine can pass the store bound) is retried, as the protocol says. */
  async hello(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const ack: Ack<unknown> = await this.socket.timeout(10_000).emitWithAck('hello', { sessionId: this.sessionId, token: this.token });
      if (ack.ok) return;
      if (ack.error.code !== 'unavailable' || attempt >= 10) throw new Error(`hello refused: ${ack.error.code}: ${ack.error.message}`);
      await new Promise((r) => setTimeout(r, ack.error.retryAfterMs ?? 200));
    }
  }

  async run(until: number): Promise<void> {
    for (let i = 0; now() < until; i++) {
      const commandId = `k-${nanoid(14)}`;
      const t0 = now();
      for (let attempt = 0; ; attempt++) {
        let ack: Ack<CommandResult>;
        try {
          ack = await this.socket.timeout(10_000).emitWithAck('command', { commandId, command: { type: 'SEND_MESSAGE', channel: this.channel, text: `c${i} ${commandId}` } });
        } catch {
          this.gaveUp++;
          break;
        }
        if (ack.ok) {
          this.acked.push({ ms: now() - t0, at: now(), commandId, version: ack.data.version });
          break;
        }
        if (ack.error.code !== 'unavailable' || attempt >= 20) {
          this.refused++;
          break;
        }
        this.unavailable++;
        this.unavailableBy.set(ack.error.message, (this.unavailableBy.get(ack.error.message) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, Math.min(ack.error.retryAfterMs ?? 100, 100)));
      }
    }
  }

  close(): void {
    this.socket.close();
  }
}

/** What one run measured, for comparisons and the goal check. */
export interface ContentionFigures {
  commandsPerSecond: number;
  p99Ms: number;
  /** Server CPU (all processes) per acknowledged command; null where /proc is not readable. */
  cpuMsPerCommand: number | null;
}

/** The issue's goal for one hot session on Redis with 40 writers over 3 processes. */
export const CONTENTION_GOALS = { commandsPerSecond: 1000, p99Ms: 100 } as const;

/**
 * Both append paths in one run, alternating (A, B, A, B...) so that the
 * machine's load falls on both alike: one command per append (as before
 * batching) and batched appends (the default). Then the batched path's
 * figures against the goals.
 */
export async function benchContentionAB(report: Report, options: ContentionOptions, rounds: number, baseline?: string): Promise<void> {
  const batched: ContentionFigures[] = [];
  for (let round = 1; round <= rounds; round++) {
    if (baseline) await benchContention(report, { ...options, root: baseline, label: `baseline ${baseline}, batched, run ${round}` });
    else await benchContention(report, { ...options, env: { ...options.env, APPEND_BATCH_MAX: '1' }, label: `one command per append, run ${round}` });
    batched.push(await benchContention(report, { ...options, label: `batched appends, run ${round}` }));
  }
  // Judged on every run, not the best one: a goal met in one run of several is not met.
  const section = `6 contention: goals (batched appends, every one of ${rounds} run${rounds === 1 ? '' : 's'})`;
  const worst = Math.min(...batched.map((f) => f.commandsPerSecond));
  const worstP99 = Math.max(...batched.map((f) => f.p99Ms));
  const metIn = (ok: (f: ContentionFigures) => boolean) => {
    const n = batched.filter(ok).length;
    return n === batched.length ? 'met' : `not met (met in ${n} of ${batched.length})`;
  };
  report.add(section, `at least ${CONTENTION_GOALS.commandsPerSecond} commands/s (the slowest run): ${metIn((f) => f.commandsPerSecond >= CONTENTION_GOALS.commandsPerSecond)}`, worst, 'cmd/s');
  report.add(section, `p99 acknowledgement under ${CONTENTION_GOALS.p99Ms} ms (the worst run): ${metIn((f) => f.p99Ms < CONTENTION_GOALS.p99Ms)}`, worstP99, 'ms');
}

/** Runs the step and adds its rows to `report` under one section. */
export async function benchContention(report: Report, options: ContentionOptions): Promise<ContentionFigures> {
  const section = `6 contention: one session on Redis, ${options.writers} writers over ${options.processes} processes${options.label ? ` (${options.label})` : ''}`;
  const prefix = `bench-contention-${nanoid(8)}:`;
  const env = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    CLIENT_DIST: '/nonexistent-client-dist',
    OPEN_BROWSER: '0',
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: prefix,
    // The limits per socket (and per seat and session, where they exist) would refuse a benchmark's load; it measures the store path.
    RATE_LIMIT_BURST: '1000000',
    RATE_LIMIT_PER_SEC: '1000000',
    SESSION_RATE_LIMIT_BURST: '1000000',
    SESSION_RATE_LIMIT_PER_SEC: '1000000',
    HELLO_RATE_LIMIT_BURST: '100000',
    HELLO_RATE_LIMIT_PER_SEC: '100000',
    ANONYMOUS_SOCKETS_PER_ADDRESS: '100000',
    HTTP_RATE_LIMIT_BURST: '1000',
    HTTP_RATE_LIMIT_PER_SEC: '1000',
    METRICS_TOKEN: BENCH_METRICS_TOKEN,
    ...options.env,
  };
  const loadAtStart = os.loadavg()[0] ?? 0;
  const servers: ServerProcess[] = [];
  const writers: Writer[] = [];
  try {
    servers.push(...(await Promise.all(Array.from({ length: options.processes }, () => startServer(env, options.root ?? repoRoot)))));
    const first = servers[0] as ServerProcess;
    const session = await request<CreateSessionResponse>(first.url, '/api/sessions', { body: { scenarioId: 'april-2024', seed: 'contention' } }, 201);
    const tokens = new Map<string, string>();
    for (const seat of SEATS) {
      const code = session.codes.find((c) => c.role.kind === 'seat' && c.role.seat === seat)?.code;
      if (!code) throw new Error(`no code for ${seat}`);
      tokens.set(seat, (await request<JoinResponse>(first.url, '/api/join', { body: { code } }, 200)).token);
    }
    // Into the first beat, where the team channels are open.
    const facilitator: ClientSocket = io(first.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      const hello: Ack<unknown> = await facilitator.timeout(10_000).emitWithAck('hello', { sessionId: session.sessionId, token: session.facilitatorToken });
      if (!hello.ok) throw new Error(`facilitator hello: ${hello.error.code}`);
      for (const [i, type] of (['START', 'ADVANCE'] as const).entries()) {
        const ack: Ack<CommandResult> = await facilitator.timeout(10_000).emitWithAck('command', { commandId: `setup-${i}-${nanoid(8)}`, expectedGameVersion: i, command: { type } });
        if (!ack.ok) throw new Error(`${type}: ${ack.error.code}: ${ack.error.message}`);
      }
    } finally {
      facilitator.close();
    }

    for (let i = 0; i < options.writers; i++) {
      const seat = SEATS[i % SEATS.length] as string;
      const server = servers[i % servers.length] as ServerProcess;
      writers.push(new Writer(server.url, session.sessionId, tokens.get(seat) ?? '', `team-${seat}`));
    }
    await Promise.all(writers.map((w) => w.hello()));

    const start = now();
    const measureFrom = start + options.warmupMs;
    const until = measureFrom + options.measureMs;
    const cpuBefore = cpuOf(servers);
    const redisBefore = await redisCounters(options.redisUrl);
    const metricsBefore = await serverMetrics(servers);
    await Promise.all(writers.map((w) => w.run(until)));
    const cpuAfter = cpuOf(servers);
    const redisAfter = await redisCounters(options.redisUrl);
    const metricsAfter = await serverMetrics(servers);
    const cpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
    const wallMs = now() - start;

    const inWindow = writers.flatMap((w) => w.acked.filter((a) => a.at >= measureFrom && a.at <= until));
    const latencies = inWindow.map((a) => a.ms);
    report.add(section, 'acknowledged commands per second (measured window)', (inWindow.length / options.measureMs) * 1000, 'cmd/s');
    report.add(section, 'acknowledgement · p50', quantile(latencies, 0.5), 'ms');
    report.add(section, 'acknowledgement · p95', quantile(latencies, 0.95), 'ms');
    report.add(section, 'acknowledgement · p99', quantile(latencies, 0.99), 'ms');
    report.add(section, 'acknowledgement · max', quantile(latencies, 1), 'ms');
    report.add(section, 'answered unavailable, then retried with the same id', writers.reduce((n, w) => n + w.unavailable, 0), 'answers');
    const byMessage = new Map<string, number>();
    for (const w of writers) for (const [message, n] of w.unavailableBy) byMessage.set(message, (byMessage.get(message) ?? 0) + n);
    for (const [message, n] of byMessage) report.note(`${options.label ?? 'contention'}: ${n} answered unavailable with "${message}"`);
    report.add(section, 'refused or unanswered', writers.reduce((n, w) => n + w.refused + w.gaveUp, 0), 'cmd');
    if (cpuMs !== null) report.add(section, `server processes' CPU (all ${options.processes})`, (100 * cpuMs) / wallMs, '% of 1 core');
    const acknowledged = writers.reduce((n, w) => n + w.acked.length, 0);
    const cpuMsPerCommand = cpuMs === null || acknowledged === 0 ? null : cpuMs / acknowledged;
    if (cpuMsPerCommand !== null) report.add(section, 'server CPU per acknowledged command (whole run)', cpuMsPerCommand, 'ms');
    if (acknowledged > 0) {
      // Redis's own counters: the whole Redis, so another client's traffic on it would show here too.
      report.add(section, 'Redis commands per acknowledged command (whole run)', (redisAfter.commands - redisBefore.commands) / acknowledged, 'cmd');
      report.add(section, 'Redis CPU per acknowledged command (whole run)', (redisAfter.cpuMs - redisBefore.cpuMs) / acknowledged, 'ms');
      report.add(section, 'Redis scripts (EVAL) per acknowledged command (whole run)', (redisAfter.scripts - redisBefore.scripts) / acknowledged, 'cmd');
      reportServerMetrics(report, section, metricsBefore, metricsAfter, acknowledged);
    }

    const log = await exportLog(first.url, session.sessionId, session.facilitatorToken);
    const check = auditLog(log, writers);
    report.add(section, 'acknowledged · lost · duplicated · at another version', `${check.acknowledged} · ${check.lost} · ${check.duplicated} · ${check.wrongVersion}`, 'cmd');
    report.add(section, 'load average (1 min) at start', loadAtStart, '');
    return { commandsPerSecond: (inWindow.length / options.measureMs) * 1000, p99Ms: quantile(latencies, 0.99), cpuMsPerCommand };
  } finally {
    for (const w of writers) w.close();
    await Promise.all(servers.map((s) => s.stop()));
    const deleted = await deleteKeys(options.redisUrl, prefix);
    report.note(`Contention run used key prefix ${prefix}; deleted its ${deleted} keys afterwards.`);
  }
}

/** Commands Redis has processed, the scripts among them, and the CPU it has used so far (INFO), machine-independent costs of the store path. */
async function redisCounters(url: string): Promise<{ commands: number; scripts: number; cpuMs: number }> {
  const client: RedisClientType = createClient({ url });
  await client.connect();
  try {
    const info = (await client.info()) + (await client.info('commandstats'));
    const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0);
    const calls = (command: string) => Number(new RegExp(`^cmdstat_${command}:calls=([0-9]+)`, 'm').exec(info)?.[1] ?? 0);
    return { commands: field('total_commands_processed'), scripts: calls('eval') + calls('evalsha'), cpuMs: 1000 * (field('used_cpu_user') + field('used_cpu_sys')) };
  } finally {
    await client.quit();
  }
}

const BENCH_METRICS_TOKEN = 'contention-bench';

/** The servers' own counts, summed over the processes: command-limit round trips, and append attempts per batch by bucket. */
interface ServerCounts {
  limitRoundTrips: number | null;
  /** Cumulative: batches that took at most `le` attempts. */
  attemptBuckets: Map<number, number>;
  attemptSum: number;
}

async function serverMetrics(servers: readonly ServerProcess[]): Promise<ServerCounts> {
  const counts: ServerCounts = { limitRoundTrips: null, attemptBuckets: new Map(), attemptSum: 0 };
  for (const s of servers) {
    const res = await fetch(new URL('/metrics', s.url), { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } });
    const text = await res.text();
    for (const line of text.split('\n')) {
      const [name, value] = line.split(' ');
      const n = Number(value);
      if (name === 'rubicon_command_limit_round_trips_total') counts.limitRoundTrips = (counts.limitRoundTrips ?? 0) + n;
      else if (name === 'rubicon_append_attempts_sum') counts.attemptSum += n;
      const le = /^rubicon_append_attempts_bucket\{le="([^"]+)"\}$/.exec(name ?? '')?.[1];
      const bound = le === '+Inf' ? Infinity : Number(le);
      if (le !== undefined) counts.attemptBuckets.set(bound, (counts.attemptBuckets.get(bound) ?? 0) + n);
    }
  }
  return counts;
}

/** Rows from the servers' counts over the run (absent from a baseline checkout that does not count them). */
function reportServerMetrics(report: Report, section: string, before: ServerCounts, after: ServerCounts, acknowledged: number): void {
  if (after.limitRoundTrips !== null)
    report.add(section, 'command-limit round trips to Redis per acknowledged command (whole run)', (after.limitRoundTrips - (before.limitRoundTrips ?? 0)) / acknowledged, 'trips');
  const bounds = [...after.attemptBuckets.keys()].sort((a, b) => a - b);
  const inRun = (le: number) => (after.attemptBuckets.get(le) ?? 0) - (before.attemptBuckets.get(le) ?? 0);
  const batches = inRun(Infinity);
  if (batches <= 0) return;
  const atMost = (q: number) => bounds.find((le) => inRun(le) >= q * batches) ?? Infinity;
  report.add(section, 'append attempts per batch · mean', (after.attemptSum - before.attemptSum) / batches, 'attempts');
  report.add(section, 'append attempts per batch · p99 (at most) · max (at most)', `${atMost(0.99)} · ${atMost(1)}`, 'attempts');
  // The whole tail, not one quantile: a race among processes that are all busy loses each round alike, so the
  // share of batches past k attempts falls geometrically, and its ratio per attempt says how many compete.
  const past = bounds.filter((le) => le !== Infinity).map((le) => `>${le} ${((100 * (batches - inRun(le))) / batches).toFixed(2)}%`);
  report.add(section, 'append attempts per batch · share of batches past k attempts', past.join(' · '), '');
  report.add(section, 'commands per batch · mean', acknowledged / batches, 'cmd');
}

/** Total CPU ms of the server processes so far (Linux /proc), or null where that is not readable. */
function cpuOf(servers: ServerProcess[]): number | null {
  let total = 0;
  for (const s of servers) {
    const ms = processCpuMs(s.child.pid);
    if (ms === null) return null;
    total += ms;
  }
  return total;
}

function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields 14 and 15 of /proc/PID/stat: user and system time in clock ticks (100 per second on Linux).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function exportLog(url: string, sessionId: string, token: string): Promise<LogEntry[]> {
  const body = await request<{ log: LogEntry[] }>(url, `/api/sessions/${sessionId}/export`, { token }, 200);
  return body.log;
}

function auditLog(log: readonly LogEntry[], writers: readonly Writer[]): { acknowledged: number; lost: number; duplicated: number; wrongVersion: number } {
  const seqs = new Map<string, number[]>();
  for (const e of log) seqs.set(e.commandId, [...(seqs.get(e.commandId) ?? []), e.seq]);
  const acked = writers.flatMap((w) => w.acked);
  // An acknowledgement's version is in the sender's own stream (docs/protocol.md): it must include the command.
  const scenario = shippedScenario('april-2024');
  const after = senderStreamVersions(createGame(scenario, { scenarioId: scenario.id, seed: 'contention' }), log);
  return {
    acknowledged: acked.length,
    lost: acked.filter((a) => !seqs.has(a.commandId)).length,
    duplicated: [...seqs.values()].filter((s) => s.length > 1).length,
    wrongVersion: acked.filter((a) => a.version < (after.get(a.commandId) ?? Infinity)).length,
  };
}

async function standalone(): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const unreachable = await redisReachable(redisUrl);
  if (unreachable) throw new Error(`Redis at ${redisUrl}: ${unreachable}`);
  const repeat = Number(process.argv[process.argv.indexOf('--repeat') + 1] ?? 1) || 1;
  const report = new Report();
  await benchContentionAB(report, { redisUrl, ...CONTENTION_DEFAULTS }, repeat, process.env.CONTENTION_BASELINE || undefined);
  report.print({
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? '',
    memoryGb: (os.totalmem() / 1024 ** 3).toFixed(1),
    gcExposed: false,
    loadBefore: os.loadavg()[0] ?? 0,
    loadAfter: os.loadavg()[0] ?? 0,
    startedAt: new Date().toISOString(),
    tookSeconds: 0,
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  standalone().catch((err: unknown) => {
    process.stderr.write(`contention bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
