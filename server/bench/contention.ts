/**
 * One hot session on Redis written by many sockets through several server
 * processes: how many commands per second it takes, and how long each
 * writer waits for its acknowledgement.
 *
 * Three server processes (server/src/main.ts, as production runs them) share
 * one Redis under a fresh key prefix; 40 writer sockets, spread round-robin
 * over the three, send messages on their seat's team channel, in two phases
 * on the same servers, each on a fresh session:
 *
 * - closed loop: each writer sends its next message as soon as its previous
 *   one is acknowledged (one in flight per writer), so the session runs at
 *   saturation: its rate is the ceiling, its latency the latency at
 *   saturation (queueing: mean ≈ writers / rate);
 * - paced (open loop): the writers together offer a fixed rate
 *   (CONTENTION_RATE, default 1,000 cmd/s), each command sent at its due
 *   time whether or not the writer's previous ones are acknowledged, and its
 *   latency counted from that due time, so a writer or server that stalls
 *   is charged for every command that waited (no coordinated omission;
 *   contention/paced.ts).
 *
 * `unavailable` is retried with the same command id, as the protocol says,
 * and the retry counts towards that command's latency. Afterwards each
 * phase's exported log is checked against the acknowledgements: each
 * acknowledged command exactly once, acknowledged at a version (of the
 * sender's own stream) that includes it (contention/audit.ts).
 *
 * Bounded: about 25 s per run, 127.0.0.1 only, the keys deleted afterwards.
 *
 * `benchContentionAB` runs it with one command per append (APPEND_BATCH_MAX=1,
 * as before batching) and with batched appends, alternating, and checks the
 * batched figures against the goals: the closed loop's rate, and the paced
 * phase's offered and achieved rate and p99.
 *
 * Standalone: node --import tsx server/bench/contention.ts [--repeat N] (N rounds of both)
 *   CONTENTION_RATE=<cmd/s>[,<cmd/s>...]: the paced phases' offered rates (one phase each, in order).
 *   CONTENTION_BASELINE=<another checkout>: the rounds alternate that checkout's servers and this one's,
 *   both batched (an A/B of code in one run) instead of one command per append against batched.
 *   CONTENTION_PROFILE_DIR=<dir>: each server process writes a V8 CPU profile there when it stops.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { nanoid } from 'nanoid';
import { io } from 'socket.io-client';
import { createGame, senderStreamVersions, type Ack, type CommandResult, type CreateSessionResponse, type JoinResponse, type LogEntry } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { deleteKeys, redisReachable } from './server-e2e.ts';
import { auditAcknowledgements, type AuditResult } from './contention/audit.ts';
import { measuredWindow, summarizePaced, type PacedSchedule, type PacedSummary } from './contention/paced.ts';
import { now, quantile, Report } from './stats.ts';
import { BENCH_METRICS_TOKEN, cpuOf, redisCounters, serverMetrics, startServer, type RedisCounters, type ServerCounts, type ServerProcess } from './contention/servers.ts';
import { Writer, type ClientSocket } from './contention/writer.ts';

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
  /** The paced phases' offered rates, commands/s over all writers. */
  rates: readonly number[];
  /** The start of each run's Redis key prefix (a fresh id follows it), so a test can name its own keys. */
  keyPrefix?: string;
}

export const CONTENTION_DEFAULTS = { processes: 3, writers: 40, warmupMs: 1500, measureMs: 6000 } as const;

/** The seats the writers share, round-robin: each seat's token is held by writers / 4 sockets at once. */
export const CONTENTION_SEATS = ['iran', 'israel', 'us', 'mediators'] as const;
const SEATS = CONTENTION_SEATS;
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

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

/** What one closed-loop run measured, for comparisons and the goal check. */
export interface ContentionFigures {
  commandsPerSecond: number;
  p99Ms: number;
  /** Server CPU (all processes) per acknowledged command; null where /proc is not readable. */
  cpuMsPerCommand: number | null;
}

/** What one paced run measured. */
export interface PacedFigures {
  ratePerSecond: number;
  summary: PacedSummary;
  cpuMsPerCommand: number | null;
}

/** The issue's goal for one hot session on Redis with 40 writers over 3 processes. */
export const CONTENTION_GOALS = { commandsPerSecond: 1000, p99Ms: 100 } as const;

/** The paced phases' offered rates: CONTENTION_RATE, one rate or several separated by commas (cmd/s), default the goal's. */
export function contentionRatesFromEnv(value = process.env.CONTENTION_RATE): number[] {
  if (!value) return [CONTENTION_GOALS.commandsPerSecond];
  const rates = value.split(',').map((r) => Number(r.trim()));
  if (rates.some((r) => !Number.isFinite(r) || r <= 0)) throw new Error(`CONTENTION_RATE: expected rates in commands/s separated by commas, got "${value}"`);
  return rates;
}

/**
 * Two server builds in one run, alternating (A, B, A, B...) so that the
 * machine's load falls on both alike: one command per append (as before
 * batching) or the baseline checkout's, against this checkout's batched
 * appends. Each run has a closed-loop phase and the paced phases. Then the
 * batched path's figures against the goals: the closed loop's rate is the
 * ceiling; the paced phases say whether the session takes the goal's rate
 * with the goal's p99.
 */
export async function benchContentionAB(report: Report, options: ContentionOptions, rounds: number, baseline?: string): Promise<void> {
  const batched: { closed: ContentionFigures; paced: PacedFigures[] }[] = [];
  for (let round = 1; round <= rounds; round++) {
    if (baseline) await benchContention(report, { ...options, root: baseline, label: `baseline ${baseline}, batched, run ${round}` });
    else await benchContention(report, { ...options, env: { ...options.env, APPEND_BATCH_MAX: '1' }, label: `one command per append, run ${round}` });
    batched.push(await benchContention(report, { ...options, label: `batched appends, run ${round}` }));
  }
  // Judged on every run, not the best one: a goal met in one run of several is not met.
  const section = `6 contention: goals (batched appends, every one of ${rounds} run${rounds === 1 ? '' : 's'})`;
  const metIn = <T>(figures: readonly T[], ok: (f: T) => boolean) => {
    const n = figures.filter(ok).length;
    return n === figures.length ? 'met' : `not met (met in ${n} of ${figures.length})`;
  };
  const goalRate = CONTENTION_GOALS.commandsPerSecond;
  const closed = batched.map((b) => b.closed);
  report.add(section, `closed loop (the ceiling): at least ${goalRate} commands/s (the slowest run): ${metIn(closed, (f) => f.commandsPerSecond >= goalRate)}`, Math.min(...closed.map((f) => f.commandsPerSecond)), 'cmd/s');
  for (const [i, rate] of options.rates.entries()) {
    const paced = batched.flatMap((b) => b.paced[i] ?? []);
    report.add(section, `paced at ${rate} cmd/s: offered at least ${goalRate} commands/s (the lowest run): ${metIn(paced, (f) => f.summary.offeredPerSecond >= goalRate)}`, Math.min(...paced.map((f) => f.summary.offeredPerSecond)), 'cmd/s');
    report.add(section, `paced at ${rate} cmd/s: achieved at least ${goalRate} commands/s (the slowest run): ${metIn(paced, (f) => f.summary.achievedPerSecond >= goalRate)}`, Math.min(...paced.map((f) => f.summary.achievedPerSecond)), 'cmd/s');
    report.add(section, `paced at ${rate} cmd/s: p99 from due time under ${CONTENTION_GOALS.p99Ms} ms (the worst run): ${metIn(paced, (f) => f.summary.p99 < CONTENTION_GOALS.p99Ms)}`, Math.max(...paced.map((f) => f.summary.p99)), 'ms');
  }
}

/** One run: three fresh server processes, the closed-loop phase, then each paced phase, each on a session of its own. */
export async function benchContention(report: Report, options: ContentionOptions): Promise<{ closed: ContentionFigures; paced: PacedFigures[] }> {
  const prefix = `${options.keyPrefix ?? 'bench-contention-'}${nanoid(8)}:`;
  const servers: ServerProcess[] = [];
  try {
    const env = serverEnv(options, prefix);
    servers.push(...(await Promise.all(Array.from({ length: options.processes }, () => startServer(env, options.root ?? repoRoot)))));
    const closed = await closedPhase(report, servers, options);
    const paced: PacedFigures[] = [];
    for (const rate of options.rates) paced.push(await pacedPhase(report, servers, options, rate));
    return { closed, paced };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    const deleted = await deleteKeys(options.redisUrl, prefix);
    report.note(`Contention run used key prefix ${prefix}; deleted its ${deleted} keys afterwards.`);
  }
}

/** The environment of the bench's server processes: the store path's, with every limit that would refuse its load lifted. */
export function serverEnv(options: Pick<ContentionOptions, 'redisUrl' | 'env'>, prefix: string): Record<string, string> {
  return {
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
    // Ten writers hold each seat's token at once (40 over 4 seats); the default cap of 8 refused two of them their hello.
    SOCKETS_PER_TOKEN: '100000',
    HTTP_RATE_LIMIT_BURST: '1000',
    SESSIONS_PER_ADDRESS: '1000000',
    HTTP_RATE_LIMIT_PER_SEC: '1000',
    METRICS_TOKEN: BENCH_METRICS_TOKEN,
    ...options.env,
  };
}

/** Closed loop: each writer sends its next message when the previous one is acknowledged; the session at saturation. */
async function closedPhase(report: Report, servers: readonly ServerProcess[], options: ContentionOptions): Promise<ContentionFigures> {
  const section = `6 contention: one session on Redis, ${options.writers} writers over ${options.processes} processes${options.label ? ` (${options.label})` : ''}`;
  let measureFrom = 0;
  let until = 0;
  const run = await runPhase(servers, options, async (writers, start) => {
    measureFrom = start + options.warmupMs;
    until = measureFrom + options.measureMs;
    await Promise.all(writers.map((w) => w.run(until)));
  });
  const inWindow = run.writers.flatMap((w) => w.acked().filter((a) => a.ackAt >= measureFrom && a.ackAt <= until));
  const latencies = inWindow.map((a) => a.ackAt - a.due);
  const commandsPerSecond = (inWindow.length / options.measureMs) * 1000;
  report.add(section, 'acknowledged commands per second (measured window)', commandsPerSecond, 'cmd/s');
  report.add(section, 'acknowledgement · p50', quantile(latencies, 0.5), 'ms');
  report.add(section, 'acknowledgement · p95', quantile(latencies, 0.95), 'ms');
  report.add(section, 'acknowledgement · p99', quantile(latencies, 0.99), 'ms');
  report.add(section, 'acknowledgement · max', quantile(latencies, 1), 'ms');
  const cpuMsPerCommand = reportRun(report, section, options, run);
  return { commandsPerSecond, p99Ms: quantile(latencies, 0.99), cpuMsPerCommand };
}

/** Open loop: the writers together offer `rate` commands/s on a fixed schedule; latency from each command's due time. */
async function pacedPhase(report: Report, servers: readonly ServerProcess[], options: ContentionOptions, rate: number): Promise<PacedFigures> {
  const section = `6 contention, paced: ${rate} cmd/s offered by ${options.writers} writers over ${options.processes} processes${options.label ? ` (${options.label})` : ''}`;
  let window = { from: 0, ms: options.measureMs };
  const run = await runPhase(servers, options, async (writers, start) => {
    window = measuredWindow({ start, ratePerSecond: rate }, options.warmupMs, options.measureMs);
    const schedule: PacedSchedule = { start, until: window.from + window.ms, writers: writers.length, ratePerSecond: rate };
    await Promise.all(writers.map((w, i) => w.runPaced(schedule, i)));
  });
  const summary = summarizePaced(
    run.writers.flatMap((w) => w.commands),
    window,
  );
  report.add(section, 'offered: commands due per second (measured window)', summary.offeredPerSecond, 'cmd/s');
  report.add(section, 'sent by the bench per second (measured window)', summary.sentPerSecond, 'cmd/s');
  report.add(section, 'achieved: commands due in the window and acknowledged, per second', summary.achievedPerSecond, 'cmd/s');
  report.add(section, 'acknowledgements received per second (measured window)', summary.acknowledgementsPerSecond, 'cmd/s');
  report.add(section, 'acknowledgement from due time · p50', summary.p50, 'ms');
  report.add(section, 'acknowledgement from due time · p95', summary.p95, 'ms');
  report.add(section, 'acknowledgement from due time · p99', summary.p99, 'ms');
  report.add(section, 'acknowledgement from due time · max', summary.max, 'ms');
  report.add(section, "the bench's own lateness (sent − due) · p99", summary.sendLagP99, 'ms');
  report.add(section, 'due in the window, refused or never acknowledged (counted as infinitely late)', summary.unanswered, 'cmd');
  const cpuMsPerCommand = reportRun(report, section, options, run);
  return { ratePerSecond: rate, summary, cpuMsPerCommand };
}

/** One phase's writers and what the servers and Redis spent while they wrote, with the log's audit. */
interface PhaseRun {
  writers: Writer[];
  loadAtStart: number;
  cpuMs: number | null;
  wallMs: number;
  redis: { before: RedisCounters; after: RedisCounters };
  metrics: { before: ServerCounts; after: ServerCounts };
  audit: AuditResult;
}

/**
 * A fresh session in its first beat (where the team channels are open), the
 * writers round-robin over the seats and the processes, `drive` timed with
 * the servers' and Redis's costs around it, and the exported log audited.
 */
async function runPhase(servers: readonly ServerProcess[], options: ContentionOptions, drive: (writers: readonly Writer[], start: number) => Promise<void>): Promise<PhaseRun> {
  const loadAtStart = os.loadavg()[0] ?? 0;
  const first = servers[0] as ServerProcess;
  const session = await openSession(first.url);
  const writers: Writer[] = [];
  try {
    for (let i = 0; i < options.writers; i++) {
      const seat = SEATS[i % SEATS.length] as string;
      const server = servers[i % servers.length] as ServerProcess;
      writers.push(new Writer(server.url, session.sessionId, session.tokens.get(seat) ?? '', `team-${seat}`));
    }
    await Promise.all(writers.map((w) => w.hello()));
    const redisBefore = await redisCounters(options.redisUrl);
    const metricsBefore = await serverMetrics(servers);
    // The phase's clock starts when the writers do: reading the counters first took the warm-up's time on a busy
    // machine (more than 450 ms of it in the CI-sized run beside the fan-out one, so its closed loop measured nothing).
    const cpuBefore = cpuOf(servers);
    const start = now();
    await drive(writers, start);
    const cpuAfter = cpuOf(servers);
    const wallMs = now() - start;
    const redisAfter = await redisCounters(options.redisUrl);
    const metricsAfter = await serverMetrics(servers);
    const log = await exportLog(first.url, session.sessionId, session.facilitatorToken);
    const scenario = shippedScenario('april-2024');
    const after = senderStreamVersions(createGame(scenario, { scenarioId: scenario.id, seed: 'contention' }), log);
    return {
      writers,
      loadAtStart,
      cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
      wallMs,
      redis: { before: redisBefore, after: redisAfter },
      metrics: { before: metricsBefore, after: metricsAfter },
      audit: auditAcknowledgements(log, writers.flatMap((w) => w.acked()), after),
    };
  } finally {
    for (const w of writers) w.close();
  }
}

/** A new session, a token per seat, and the game started into its first beat. */
async function openSession(url: string): Promise<{ sessionId: string; facilitatorToken: string; tokens: Map<string, string> }> {
  const session = await request<CreateSessionResponse>(url, '/api/sessions', { body: { scenarioId: 'april-2024', seed: 'contention' } }, 201);
  const tokens = new Map<string, string>();
  for (const seat of SEATS) {
    const code = session.codes.find((c) => c.role.kind === 'seat' && c.role.seat === seat)?.code;
    if (!code) throw new Error(`no code for ${seat}`);
    tokens.set(seat, (await request<JoinResponse>(url, '/api/join', { body: { code } }, 200)).token);
  }
  const facilitator: ClientSocket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
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
  return { sessionId: session.sessionId, facilitatorToken: session.facilitatorToken, tokens };
}

/** The rows both phases share: retries and refusals, the servers' and Redis's costs per command, the audit, the load. Returns server CPU per command. */
function reportRun(report: Report, section: string, options: ContentionOptions, run: PhaseRun): number | null {
  const { writers } = run;
  report.add(section, 'answered unavailable, then retried with the same id', writers.reduce((n, w) => n + w.unavailable, 0), 'answers');
  const byMessage = new Map<string, number>();
  for (const w of writers) for (const [message, n] of w.unavailableBy) byMessage.set(message, (byMessage.get(message) ?? 0) + n);
  for (const [message, n] of byMessage) report.note(`${options.label ?? 'contention'}: ${n} answered unavailable with "${message}"`);
  report.add(section, 'refused or unanswered', writers.reduce((n, w) => n + w.refused + w.gaveUp, 0), 'cmd');
  if (run.cpuMs !== null) report.add(section, `server processes' CPU (all ${options.processes})`, (100 * run.cpuMs) / run.wallMs, '% of 1 core');
  const acknowledged = run.audit.acknowledged;
  const cpuMsPerCommand = run.cpuMs === null || acknowledged === 0 ? null : run.cpuMs / acknowledged;
  if (cpuMsPerCommand !== null) report.add(section, 'server CPU per acknowledged command (whole run)', cpuMsPerCommand, 'ms');
  if (acknowledged > 0) {
    const { before, after } = run.redis;
    // Redis's own counters: the whole Redis, so another client's traffic on it would show here too.
    report.add(section, 'Redis commands per acknowledged command (whole run)', (after.commands - before.commands) / acknowledged, 'cmd');
    report.add(section, 'Redis CPU per acknowledged command (whole run)', (after.cpuMs - before.cpuMs) / acknowledged, 'ms');
    report.add(section, 'Redis scripts (EVAL) per acknowledged command (whole run)', (after.scripts - before.scripts) / acknowledged, 'cmd');
    reportServerMetrics(report, section, run.metrics.before, run.metrics.after, acknowledged);
  }
  const a = run.audit;
  report.add(section, 'acknowledged · lost · duplicated · at another version', `${a.acknowledged} · ${a.lost} · ${a.duplicated} · ${a.wrongVersion}`, 'cmd');
  report.add(section, 'load average (1 min) at start', run.loadAtStart, '');
  return cpuMsPerCommand;
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

async function exportLog(url: string, sessionId: string, token: string): Promise<LogEntry[]> {
  const body = await request<{ log: LogEntry[] }>(url, `/api/sessions/${sessionId}/export`, { token }, 200);
  return body.log;
}

async function standalone(): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const unreachable = await redisReachable(redisUrl);
  if (unreachable) throw new Error(`Redis at ${redisUrl}: ${unreachable}`);
  const repeat = Number(process.argv[process.argv.indexOf('--repeat') + 1] ?? 1) || 1;
  const report = new Report();
  await benchContentionAB(report, { redisUrl, ...CONTENTION_DEFAULTS, rates: contentionRatesFromEnv() }, repeat, process.env.CONTENTION_BASELINE || undefined);
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
