/**
 * The peer benchmark: the same client harness (fanout/harness.ts) against a
 * bare Socket.IO server doing the same room broadcasts (fanout/bare-server.ts)
 * and against Rubicon (fanout/rubicon-server.ts), 200 sessions × 6 sockets,
 * four seats per session sending public messages at 1 and then 5 a second,
 * then both on Redis with two processes. Bare and Rubicon alternate, each
 * phase with fresh server processes and a fresh harness process, so the
 * server's CPU time and memory are its own.
 *
 * Run alone:  node --expose-gc --import tsx server/bench/fanout.ts
 *   FANOUT_SESSIONS (200), FANOUT_LOAD_MS (20000), FANOUT_WARMUP_MS (3000, sending before the window, not measured), FANOUT_RATES ("1,5"),
 *   FANOUT_ROUNDS (1), FANOUT_REDIS_RATE (1; 0 skips the Redis phases), REDIS_URL,
 *   FANOUT_CPU_PROF=<dir> (a .cpuprofile of each server process over the load window),
 *   FANOUT_NODE_FLAGS="--max-semi-space-size=32 …" (extra Node flags for every server process, bare and Rubicon alike),
 *   FANOUT_WINDOW_MARKS=<file> (each server process appends its pid and the window's start and end on its own clock, to cut a V8 log at the window: fanout/v8-log-window.ts),
 *   FANOUT_HEAP_PROF=<dir> (instead, a sampling .heapprofile of what each server process allocated over the load window),
 *   FANOUT_VARIANT="RECOVERY_MS=0,…" (a third phase: Rubicon with these settings),
 *   FANOUT_BASELINE=<another checkout> (a third phase: that checkout's Rubicon, an A/B of code in one run, with this checkout's limit settings, fanout/limits.ts),
 *   FANOUT_TSX=1 (the servers under tsx, as before, rather than as compiled JavaScript, compile.ts; a baseline's too),
 *   FANOUT_NODE=<node binary>[,<node binary>…] (the servers, bare and Rubicon alike, on that Node; several: every contender on each, in the same rounds; an entry may add its own flags, "<binary> --max-semi-space-size=16", for a flag's A/B in one run; fanout/node-binaries.ts),
 *   FANOUT_HARNESS_NODE=<node binary> (the harness on that Node, for every phase; the bench's own by default),
 *   FANOUT_STEAL_MAX (5, % of the machine's cores), FANOUT_OTHERS_MAX (15, % of a core): past either over its window, a phase is marked disturbed (fanout/disturbance.ts),
 *   FANOUT_SAVE=<file> (every condition's rounds as JSON, for fanout-pool.ts to summarise several runs at once),
 *   FANOUT_TAIL_DUMP=<dir> (with FANOUT_TAIL=1: each one-process phase's raw stamps, server and harness, as JSON: every GC's start and pause, every iteration, the slow deliveries)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { pinTo } from './fanout/pin.ts';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nanoid } from 'nanoid';
import { deleteKeys, redisReachable } from './server-e2e.ts';
import { machineInfo, now, Report } from './stats.ts';
import { SOCKETS_PER_SESSION, type FromHarness, type FromServer, type HarnessOptions, type HarnessResult, type KernelProbe, type LoadProbe, type ServerStats, type SpanSummary, type Target, type ToHarness, type ToServer } from './fanout/types.ts';
import { benchLimitSettings } from './fanout/limits.ts';
import { CompiledServers } from './compile.ts';
import { MachineCpu, type WindowCpu } from './fanout/machine-cpu.ts';
import type { ProcessCpu } from './fanout/process-cpu.ts';
import { attributeTail, STALL_GAP_MS, type TailAttribution, type TailLegs } from './fanout/tail-legs.ts';
import { harnessNode, nodeKey, nodeLabel, selfNode, serverNodes, type NodeBinary } from './fanout/node-binaries.ts';
import { summariseRounds, type RatioPair, type RoundFigures } from './fanout/rounds-summary.ts';
import { DISTURBANCE_DEFAULTS, disturbanceOf, type DisturbanceLimits } from './fanout/disturbance.ts';
import { saveRun, type SavedCondition } from './fanout/saved-rounds.ts';

export interface FanoutOptions {
  sessions: number;
  loadMs: number;
  /** Sending before each load window, not measured (harness.ts). */
  warmupMs: number;
  drainMs: number;
  rates: number[];
  rounds: number;
  /** The rate of the Redis phases; 0 leaves them out. */
  redisRate: number;
  redisUrl: string;
  /** Settings for a third phase in every condition, Rubicon with these (an A/B in one run); null for none. */
  variant: Record<string, string> | null;
  /** Another checkout whose Rubicon runs as a further phase in every condition (an A/B of code in one run); null for none. */
  baseline: string | null;
  /** Servers under tsx (its keepNames wrappers included) rather than bundled to plain JavaScript like the shipped build. */
  tsx: boolean;
  /** Single-process phases: every server on CPU 0 and the harness on CPU 1 (FANOUT_PIN=1; pin.ts says why). */
  pin: boolean;
  /** The servers' Node binaries (FANOUT_NODE): every contender runs on each; by default the bench's own. */
  serverNodes: NodeBinary[];
  /** The harness's, the same for every phase (FANOUT_HARNESS_NODE). */
  harnessNode: NodeBinary;
  /** Past these, a phase is marked disturbed (FANOUT_STEAL_MAX, FANOUT_OTHERS_MAX). */
  disturbance: DisturbanceLimits;
  /** Where to write every condition's rounds (FANOUT_SAVE); null for nowhere. */
  save: string | null;
}

export const FANOUT_DEFAULTS: Omit<FanoutOptions, 'redisUrl' | 'variant' | 'baseline'> = {
  sessions: 200,
  loadMs: 20_000,
  warmupMs: 3_000,
  drainMs: 30_000,
  rates: [1, 5],
  rounds: 1,
  redisRate: 1,
  tsx: false,
  pin: false,
  serverNodes: [selfNode()],
  harnessNode: selfNode(),
  disturbance: DISTURBANCE_DEFAULTS,
  save: null,
};

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** A server process of either kind, driven over IPC. */
class ServerProcess {
  private readonly child: ChildProcess;
  private readonly replies: ((m: FromServer) => void)[] = [];
  private readonly profiled: (() => void)[] = [];
  readonly url: Promise<string>;
  /** The Node version the server says it runs on (a baseline from before says nothing). */
  reportedNode: string | undefined;

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** `script`: a server's .ts under tsx, or its bundle (compile.ts) under plain `node`, run by `node`. */
  constructor(target: Target, env: Record<string, string>, script: string, tsx: boolean, node: NodeBinary) {
    this.child = fork(script, [], {
      execPath: node.path,
      // FANOUT_NODE_FLAGS: V8/Node flags for every server process, bare and Rubicon alike (a flag's A/B stays fair).
      execArgv: ['--expose-gc', ...(process.env.FANOUT_NODE_FLAGS ?? '').split(' ').filter(Boolean), ...(node.flags ?? []), ...(tsx ? ['--import', 'tsx'] : [])],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.url = new Promise((resolve, reject) => {
      this.child.on('message', (m: FromServer) => {
        // A server that says how its code was built must say what was asked (a baseline from before says nothing).
        if (m.type === 'listening' && m.keepNames !== undefined && m.keepNames !== tsx) reject(new Error(`${target} server: keepNames ${m.keepNames}, expected ${tsx} (${script})`));
        // Likewise the Node it runs on (FANOUT_NODE), where it says.
        else if (m.type === 'listening' && m.node !== undefined && m.node !== node.version) reject(new Error(`${target} server: Node ${m.node}, expected ${node.version} (${node.path})`));
        else if (m.type === 'listening') {
          this.reportedNode = m.node;
          resolve(m.url);
        }
        else if (m.type === 'failed') reject(new Error(`${target} server: ${m.error}`));
        else if (m.type === 'profiled') this.profiled.shift()?.();
        else this.replies.shift()?.(m);
      });
      this.child.once('exit', (code) => reject(new Error(`${target} server exited with ${code}`)));
    });
  }

  stats(gc: boolean, window?: 'start' | 'end'): Promise<ServerStats> {
    return new Promise((resolve) => {
      this.replies.push((m) => {
        if (m.type === 'stats') resolve(m.stats);
      });
      this.child.send({ type: 'stats', gc, ...(window ? { window } : {}) } satisfies ToServer);
    });
  }

  profileStart(kind: 'cpu' | 'heap'): void {
    this.child.send({ type: 'profile-start', kind } satisfies ToServer);
  }

  profileStop(file: string): Promise<void> {
    return new Promise((resolve) => {
      this.profiled.push(resolve);
      this.child.send({ type: 'profile-stop', file } satisfies ToServer);
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.send({ type: 'stop' } satisfies ToServer);
    });
  }
}

const sum = (stats: ServerStats[], pick: (s: ServerStats) => number) => stats.reduce((k, s) => k + pick(s), 0);

interface PhaseResult {
  harness: HarnessResult;
  /** Server CPU over the load window, % of one core (all processes). */
  cpuPercent: number;
  cpuMicrosPerDelivery: number;
  /** Of that, in the kernel. */
  systemMicrosPerDelivery: number;
  rssIdleMb: number;
  rssLoadMb: number;
  bytesPerIdleSession: number;
  /** Garbage collection and event-loop delay over the window (load-probe.ts), all processes; null from a server without the probe. */
  probe: ProbeSummary | null;
  /** Redis's CPU and the whole machine's over the window. */
  machine: WindowCpu;
  /** The machine's CPU less the servers', the harness's, Redis's and the steal, % of one core; null when not readable. */
  othersPercent: number | null;
  /** Why the phase counts as disturbed (disturbance.ts), or null. */
  disturbed: string | null;
  /** Each server process's command-path waits (FANOUT_SPANS=1, span-probe.ts). */
  spans: Record<string, SpanSummary>[];
  /** FANOUT_TAIL=1, one process: the slow deliveries' legs against all deliveries' (tail-probe.ts). */
  tailLegs: TailAttribution | null;
  /** The Node each server process said it ran (or, from a baseline that does not say, the binary's version, marked so), and the harness's. */
  nodes: { servers: string[]; harness: string };
}

interface ProbeSummary {
  allocatedBytesPerDelivery: number;
  promotedBytesPerDelivery: number;
  collections: number;
  majorCollections: number;
  /** Pause time, % of the window (summed over processes). */
  gcPausePercent: number;
  gcMaxPauseMs: number;
  /** The worst process's. */
  loopDelayMs: { p50: number; p99: number; max: number };
  /** Per delivery, all processes (kernel-probe.ts); null if a process had no figures. */
  kernel: KernelPerDelivery | null;
}

/** The kernel probe's counts per delivery; times in µs. */
interface KernelPerDelivery {
  writeCalls: number;
  bytesWritten: number;
  readCalls: number;
  minorFaults: number;
  switches: number;
  mainSystemMicros: number;
  mainUserMicros: number;
  otherSystemMicros: number;
  otherUserMicros: number;
}

function kernelPerDelivery(probes: LoadProbe[], deliveries: number): KernelPerDelivery | null {
  const got = probes.map((p) => p.kernel).filter((k): k is KernelProbe => k !== undefined && k !== null);
  if (got.length === 0 || got.length < probes.length) return null;
  const per = (pick: (k: KernelProbe) => number) => got.reduce((n, k) => n + pick(k), 0) / Math.max(1, deliveries);
  return {
    writeCalls: per((k) => k.writeCalls),
    bytesWritten: per((k) => k.bytesWritten),
    readCalls: per((k) => k.readCalls),
    minorFaults: per((k) => k.minorFaults),
    switches: per((k) => k.voluntarySwitches + k.involuntarySwitches),
    mainSystemMicros: per((k) => k.mainSystemMicros),
    mainUserMicros: per((k) => k.mainUserMicros),
    otherSystemMicros: per((k) => k.otherSystemMicros),
    otherUserMicros: per((k) => k.otherUserMicros),
  };
}

function summarise(probes: (LoadProbe | undefined)[], wallMs: number, deliveries: number): ProbeSummary | null {
  const got = probes.filter((p): p is LoadProbe => p !== undefined);
  if (got.length === 0 || got.length < probes.length) return null;
  const total = (pick: (p: LoadProbe) => number) => got.reduce((k, p) => k + pick(p), 0);
  const worst = (pick: (p: LoadProbe) => number) => got.reduce((k, p) => Math.max(k, pick(p)), 0);
  return {
    allocatedBytesPerDelivery: total((p) => p.allocatedBytes) / Math.max(1, deliveries),
    promotedBytesPerDelivery: total((p) => p.promotedBytes) / Math.max(1, deliveries),
    collections: total((p) => p.collections),
    majorCollections: total((p) => p.majorCollections),
    gcPausePercent: (total((p) => p.gcPauseMs) / wallMs) * 100,
    gcMaxPauseMs: worst((p) => p.gcMaxPauseMs),
    loopDelayMs: { p50: worst((p) => p.loopDelayMs.p50), p99: worst((p) => p.loopDelayMs.p99), max: worst((p) => p.loopDelayMs.max) },
    kernel: kernelPerDelivery(got, deliveries),
  };
}

interface Contender {
  name: string;
  target: Target;
  settings: Record<string, string>;
  /** The server's TypeScript entry, and the checkout it belongs to (whose node_modules its bundle uses). */
  entry: string;
  checkout: string;
  /** The Node its processes run on (FANOUT_NODE). */
  node: NodeBinary;
  /** Its name without the Node, the same on every Node. */
  base: string;
  /** The contender its ratios are taken against: bare on the same Node; null for bare itself. */
  against: string | null;
}

interface Condition {
  label: string;
  rate: number;
  processes: number;
  redis: boolean;
}

/** What a phase forks: the entry itself under tsx, else its bundle. */
type Runnable = Contender & { script: string };

async function runPhase(contender: Runnable, processes: number, rate: number, options: FanoutOptions, redisPrefix: string | null): Promise<PhaseResult> {
  const { target } = contender;
  const env: Record<string, string> = {
    // A memory phase must not inherit a REDIS_URL from this process's environment: its server would run on
    // Redis, under a prefix no phase cleans, and load the sessions earlier runs left there.
    ...(redisPrefix ? { REDIS_URL: options.redisUrl, REDIS_PREFIX: redisPrefix } : { REDIS_URL: '' }),
    FANOUT_SERVER_ENV: JSON.stringify(contender.settings),
  };
  const servers = Array.from({ length: processes }, () => new ServerProcess(target, env, contender.script, options.tsx, contender.node));
  // FANOUT_CPU_PROF=<dir>: a CPU profile of every server process over the load window (profiling costs CPU: the figures run high);
  // FANOUT_HEAP_PROF=<dir>: a sampling profile of the heap allocations instead.
  const heapDir = process.env.FANOUT_HEAP_PROF;
  const profileDir = heapDir ?? process.env.FANOUT_CPU_PROF;
  const profileKind = heapDir ? 'heap' : 'cpu';
  let profiles: Promise<void> = Promise.resolve();
  const harness = fork(here('./fanout/harness.ts'), ['--fanout-harness'], { execPath: options.harnessNode.path, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const machine = new MachineCpu();
  let machineCpu: Promise<WindowCpu> | null = null;
  try {
    await machine.open(redisPrefix ? options.redisUrl : null);
    const urls = await Promise.all(servers.map((s) => s.url));
    const base = await Promise.all(servers.map((s) => s.stats(true)));
    const marks: { start?: Promise<ServerStats[]>; end?: Promise<ServerStats[]>; wall: number[] } = { wall: [] };
    const harnessOptions: HarnessOptions = { target, urls, sessions: options.sessions, ratePerSeat: rate, loadMs: options.loadMs, warmupMs: options.warmupMs, drainMs: options.drainMs, seed: `fanout-${nanoid(6)}` };
    const idle = await new Promise<ServerStats[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${target}: setting up took more than 400 s`)), 400_000);
      harness.on('message', (m: FromHarness) => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          // Let the set-up settle before the idle figure.
          setTimeout(() => void Promise.all(servers.map((s) => s.stats(true))).then(resolve), 1000);
        } else if (m.type === 'failed') {
          // A set-up that failed (a refusal, an acknowledgement that never came) says why, rather than running into the time limit.
          clearTimeout(timer);
          reject(new Error(`${target}: setting up failed: ${m.error}`));
        }
      });
      harness.once('exit', (code) => reject(new Error(`${target}: the harness exited with ${code} during set-up`)));
      harness.send({ type: 'start', options: harnessOptions } satisfies ToHarness);
    });
    const result = await new Promise<HarnessResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        harness.kill('SIGKILL');
        reject(new Error(`${target}: the load phase did not finish`));
      }, options.warmupMs + options.loadMs + options.drainMs + 60_000);
      harness.on('message', (m: FromHarness) => {
        if (m.type === 'load-start') {
          marks.wall.push(now());
          void machine.mark();
          marks.start = Promise.all(servers.map((s) => s.stats(false, 'start')));
          if (profileDir) for (const s of servers) s.profileStart(profileKind);
        } else if (m.type === 'load-end') {
          marks.wall.push(now());
          // The bench's own processes are not what disturbed it; its parent process stays in, as in "the rest of the machine".
          machineCpu = machine.since([...servers.map((s) => s.pid), harness.pid]);
          marks.end = Promise.all(servers.map((s) => s.stats(false, 'end')));
          if (profileDir)
            profiles = Promise.all(servers.map((s, i) => s.profileStop(path.join(profileDir, `${contender.name.replace(/[^A-Za-z0-9=_-]+/g, '_')}-${rate}msgs-${processes}p-${i}.${profileKind}profile`)))).then(() => {});
        } else if (m.type === 'done') {
          clearTimeout(timer);
          resolve(m.result);
        } else if (m.type === 'failed') {
          clearTimeout(timer);
          reject(new Error(`${target} harness: ${m.error}`));
        }
      });
      // After the set-up, so every thread the processes start for it is pinned too.
      if (options.pin && processes === 1) {
        for (const s of servers) pinTo(s.pid, 0);
        pinTo(harness.pid, 1);
      }
      harness.send({ type: 'go' } satisfies ToHarness);
    });
    const [start, end] = await Promise.all([marks.start, marks.end, profiles]);
    if (!start || !end) throw new Error(`${target}: no load window`);
    const cpuMicros = sum(end, (s) => s.cpuMicros) - sum(start, (s) => s.cpuMicros);
    const systemMicros = sum(end, (s) => s.systemMicros) - sum(start, (s) => s.systemMicros);
    const wallMs = (marks.wall[1] ?? 0) - (marks.wall[0] ?? 0);
    const deliveries = (result.deliveriesPerSecond * wallMs) / 1000;
    const cpuPercent = cpuMicros / 10 / wallMs;
    const machineWindow = (await machineCpu) ?? { redisPercent: null, machinePercent: null, stealPercent: null, topOthers: [] };
    const othersPercent = othersOf(machineWindow, cpuPercent, result.harnessCpuPercent);
    // FANOUT_TAIL_DUMP=<dir>: the raw stamps behind the tail's legs, to read the GCs and iterations one by one.
    const dumpDir = process.env.FANOUT_TAIL_DUMP;
    if (dumpDir && end.length === 1 && end[0]?.tail && result.tailRecords)
      writeFileSync(path.join(dumpDir, `${contender.name.replace(/[^A-Za-z0-9=_.-]+/g, '_')}-${Date.now()}.json`), JSON.stringify({ name: contender.name, server: end[0].tail, harness: result.tailRecords }));
    return {
      harness: result,
      cpuPercent,
      cpuMicrosPerDelivery: cpuMicros / Math.max(1, deliveries),
      systemMicrosPerDelivery: systemMicros / Math.max(1, deliveries),
      rssIdleMb: sum(idle, (s) => s.rssBytes) / 2 ** 20,
      rssLoadMb: sum(end, (s) => s.rssBytes) / 2 ** 20,
      bytesPerIdleSession: (sum(idle, (s) => s.liveBytes) - sum(base, (s) => s.liveBytes)) / options.sessions,
      probe: summarise(end.map((s) => s.probe), wallMs, deliveries),
      machine: machineWindow,
      othersPercent,
      disturbed: disturbanceOf({ stealPercent: machineWindow.stealPercent, othersPercent, topOthers: machineWindow.topOthers }, options.disturbance),
      spans: end.flatMap((s) => (s.spans ? [s.spans] : [])),
      tailLegs: end.length === 1 && end[0]?.tail && result.tailRecords ? attributeTail(end[0].tail, result.tailRecords) : null,
      nodes: { servers: servers.map((s) => s.reportedNode ?? `${contender.node.version} (binary; the server did not say)`), harness: result.node },
    };
  } finally {
    await machine.close();
    if (harness.exitCode === null) harness.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/** What ran beside the benchmark: the machine's CPU (steal left out) less the servers', the harness's and Redis's. */
function othersOf(machine: WindowCpu, serverPercent: number, harnessPercent: number): number | null {
  return machine.machinePercent === null ? null : machine.machinePercent - serverPercent - harnessPercent - (machine.redisPercent ?? 0);
}

function addPhase(report: Report, section: string, target: string, r: PhaseResult): void {
  const h = r.harness;
  // Latencies are taken with performance.now (sub-millisecond); printed to 0.1 ms, since whole milliseconds made a
  // 3 ms p99 against a 4 ms one read as 1.33x where the ratio line (from the unrounded values) said otherwise.
  report.add(section, `${target}: send → receipt at every recipient, p50 / p95 / p99`, `${h.p50.toFixed(1)} / ${h.p95.toFixed(1)} / ${h.p99.toFixed(1)}`, 'ms');
  const t = h.tail;
  if (Number.isFinite(t.crossP99))
    report.add(section, `${target}: p50 / p99 at the sender's process · at the other`, `${t.sameP50.toFixed(1)} / ${t.sameP99.toFixed(1)} · ${t.crossP50.toFixed(1)} / ${t.crossP99.toFixed(1)}`, 'ms');
  report.add(section, `${target}: send → acknowledgement p50 / p99`, `${t.ackP50.toFixed(1)} / ${t.ackP99.toFixed(1)}`, 'ms');
  report.add(section, `${target}: past the p99: deliveries (crossing processes); by second sent`, `${t.slow} (${t.slowCross}); ${t.slowBySecond.join(' ')}`, '');
  report.add(section, `${target}: deliveries per second (max ${h.max.toFixed(0)} ms; ${h.lateOver2s} over 2 s)`, h.deliveriesPerSecond, '/s');
  report.add(section, `${target}: deliveries lost / duplicated, of those expected`, `${h.lost} / ${h.duplicated} of ${h.expected}`, '');
  report.add(section, `${target}: messages sent; refused; unacknowledged after 10 s (delivered anyway)`, `${h.sent}; ${h.refused}; ${h.unacknowledged} (${h.deliveredUnacknowledged})`, '');
  report.add(section, `${target}: server CPU during the load`, r.cpuPercent, '% of 1 core');
  report.add(section, `${target}: server CPU per delivery`, r.cpuMicrosPerDelivery, 'µs');
  report.add(section, `${target}: of which user / kernel`, `${(r.cpuMicrosPerDelivery - r.systemMicrosPerDelivery).toFixed(1)} / ${r.systemMicrosPerDelivery.toFixed(1)}`, 'µs');
  report.add(section, `${target}: server RSS idle / under load`, `${r.rssIdleMb.toFixed(0)} / ${r.rssLoadMb.toFixed(0)}`, 'MB');
  report.add(section, `${target}: server memory per idle session (heap + external growth, 6 sockets)`, r.bytesPerIdleSession / 1024, 'KB');
  if (r.probe) {
    const p = r.probe;
    report.add(section, `${target}: heap allocated / promoted to the old generation, per delivery`, `${p.allocatedBytesPerDelivery.toFixed(0)} / ${p.promotedBytesPerDelivery.toFixed(0)}`, 'B');
    report.add(section, `${target}: collections (major); pauses, % of the window; longest`, `${p.collections} (${p.majorCollections}); ${p.gcPausePercent.toFixed(1)} %; ${p.gcMaxPauseMs.toFixed(1)} ms`, '');
    report.add(section, `${target}: event-loop delay p50 / p99 / max (5 ms timer)`, `${p.loopDelayMs.p50.toFixed(1)} / ${p.loopDelayMs.p99.toFixed(1)} / ${p.loopDelayMs.max.toFixed(1)}`, 'ms');
    if (p.kernel) addKernel(report, section, target, p.kernel);
  }
  report.add(section, `${target}: Node: server process(es) · harness`, `${[...new Set(r.nodes.servers)].join(', ')} · ${r.nodes.harness}`, '');
  report.add(section, `${target}: harness CPU during the load; set-up time`, `${h.harnessCpuPercent.toFixed(0)} %; ${(h.setupMs / 1000).toFixed(1)} s`, '');
  const { redisPercent, stealPercent } = r.machine;
  if (r.othersPercent !== null)
    report.add(section, `${target}: Redis CPU; the rest of the machine (not server, harness, Redis or steal)`, `${redisPercent === null ? '-' : redisPercent.toFixed(0)}; ${r.othersPercent.toFixed(0)}`, '% of 1 core');
  if (stealPercent !== null) report.add(section, `${target}: the host's steal, % of the machine's cores; disturbed`, `${stealPercent.toFixed(1)} %; ${r.disturbed === null ? 'no' : `yes (${r.disturbed})`}`, '');
  if (r.disturbed !== null && r.machine.topOthers.length > 0) report.add(section, `${target}: disturbed by: the other processes with the most CPU over the window (pid comm, % of a core: command line)`, othersLine(r.machine.topOthers), '');
  if (r.tailLegs) addTailLegs(report, section, target, r.tailLegs);
  const names = [...new Set(r.spans.flatMap((s) => Object.keys(s)))];
  for (const name of names) {
    const each = r.spans.map((s) => s[name]).filter((x): x is SpanSummary => x !== undefined);
    report.add(section, `${target}: ${name}, p50 / p99 / max (calls), each process`, each.map((x) => `${x.p50.toFixed(1)} / ${x.p99.toFixed(1)} / ${x.max.toFixed(0)} (${x.n})`).join(' · '), 'ms');
  }
}

function othersLine(top: readonly ProcessCpu[]): string {
  return top.map((p) => `${p.pid} ${p.comm}, ${p.percent.toFixed(0)} %: ${p.cmdline || '-'}`).join(' · ');
}

function addKernel(report: Report, section: string, target: string, k: KernelPerDelivery): void {
  report.add(section, `${target}: per delivery, write calls; bytes written; read calls`, `${k.writeCalls.toFixed(3)}; ${k.bytesWritten.toFixed(0)} B; ${k.readCalls.toFixed(3)}`, '');
  report.add(section, `${target}: per delivery, minor page faults; context switches`, `${k.minorFaults.toFixed(4)}; ${k.switches.toFixed(4)}`, '');
  report.add(section, `${target}: per delivery, main thread user / kernel · other threads user / kernel (10 ms ticks)`, `${k.mainUserMicros.toFixed(1)} / ${k.mainSystemMicros.toFixed(1)} · ${k.otherUserMicros.toFixed(1)} / ${k.otherSystemMicros.toFixed(1)}`, 'µs');
}

function addTailLegs(report: Report, section: string, target: string, a: TailAttribution): void {
  const f = (x: number) => x.toFixed(2);
  const pc = (x: number) => `${(x * 100).toFixed(0)} %`;
  const row = (l: TailLegs) => `${f(l.toRead)} / ${f(l.readToEmit)} / ${f(l.emitToTickEnd)} / ${f(l.tickEndToReceipt)} ms; burst ${l.burst}; GC server ${pc(l.serverGc)}, harness ${pc(l.harnessGc)}; deferred ${pc(l.deferred)} (n ${l.n})`;
  report.add(section, `${target}: legs, median send→read / read→broadcast / broadcast→tick end / tick end→receipt: past the p99`, row(a.slow), '');
  report.add(section, `${target}: the same legs, every 10th delivery`, row(a.all), '');
  report.add(section, `${target}: packets read per loop iteration p50/p99/max; its length p50/p99/max`, `${a.burstN.join(' / ')}; ${a.burstMs.map(f).join(' / ')} ms`, '');
  const g = (x: TailAttribution['serverGcs']) => `${x.count} (${x.minor} scavenges), ${f(x.totalMs)} ms, longest ${f(x.maxMs)} ms`;
  report.add(section, `${target}: GCs in the window: server · harness`, `${g(a.serverGcs)} · ${g(a.harnessGcs)}`, '');
  report.add(section, `${target}: past the p99: distinct messages; stalls (receipts ${STALL_GAP_MS} ms apart or more); the largest's share`, `${a.slowMessages}; ${a.stalls}; ${pc(a.largestStall)}`, '');
}

/** `label` names the pair, e.g. "rubicon/bare". */
function addRatios(report: Report, section: string, label: string, over: PhaseResult, of: PhaseResult): void {
  // From the unrounded figures, never from the printed ones.
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  report.add(section, `${label}: p50 · p95 · p99`, `${x(of.harness.p50, over.harness.p50)} · ${x(of.harness.p95, over.harness.p95)} · ${x(of.harness.p99, over.harness.p99)}`, '');
  report.add(section, `${label}: server CPU per delivery`, x(of.cpuMicrosPerDelivery, over.cpuMicrosPerDelivery), '');
  if (of.probe && over.probe) report.add(section, `${label}: heap allocated per delivery`, x(of.probe.allocatedBytesPerDelivery, over.probe.allocatedBytesPerDelivery), '');
  report.add(section, `${label}: memory per idle session`, x(of.bytesPerIdleSession, over.bytesPerIdleSession), '');
}

export async function benchFanout(report: Report, options: FanoutOptions): Promise<void> {
  const conditions: Condition[] = options.rates.map((rate) => ({ label: `memory, 1 process, ${rate} msg/s per seat`, rate, processes: 1, redis: false }));
  if (options.redisRate > 0) {
    const unreachable = await redisReachable(options.redisUrl);
    if (unreachable) report.note(`Redis at ${options.redisUrl} is not reachable (${unreachable}): the fan-out Redis phases were skipped.`);
    else conditions.push({ label: `Redis, 2 processes, ${options.redisRate} msg/s per seat`, rate: options.redisRate, processes: 2, redis: true });
  }
  const compiled = new CompiledServers();
  try {
    const contenders = await runnable(contendersOf(options), options.tsx, compiled);
    const saved: SavedCondition[] = [];
    for (const c of conditions) {
      const rounds: Map<string, RoundFigures>[] = [];
      for (let round = 0; round < options.rounds; round++) rounds.push(await runRound(report, c, round, contenders, options));
      if (options.rounds > 1) for (const row of summariseRounds(rounds, ratioPairs(contenders))) report.add(`8 fan-out (${c.label}, over ${options.rounds} rounds)`, row.name, row.value, '');
      saved.push({ label: c.label, rounds: rounds.map((r) => Object.fromEntries(r)) });
    }
    if (options.save) {
      await saveRun(options.save, { version: 1, savedAt: new Date().toISOString(), pairs: ratioPairs(contenders), conditions: saved });
      report.note(`Fan-out rounds saved to ${options.save} (FANOUT_SAVE); summarise several runs with: node --import tsx server/bench/fanout-pool.ts <file>…`);
    }
  } finally {
    await compiled.dispose();
  }
  report.note(
    `Fan-out: ${options.sessions} sessions × ${SOCKETS_PER_SESSION} sockets; ${options.loadMs / 1000} s of load per phase after ${options.warmupMs / 1000} s of sending not measured; each message is delivered to its session's 6 sockets (the sender's too); server and harness in separate processes on this machine, over loopback; ` +
      (options.tsx ? 'servers under tsx (FANOUT_TSX=1, keepNames wrappers included).' : 'servers as plain JavaScript (an esbuild bundle of each, no keepNames, run by node without tsx).'),
  );
  report.note(`Fan-out Node: servers on ${options.serverNodes.map((n) => `${nodeLabel(n)} (${n.path})`).join(' and ')}${options.serverNodes.length > 1 ? ', every contender on each' : ''}; the harness on ${options.harnessNode.version} (${options.harnessNode.path}) in every phase.`);
  if (options.pin) report.note('FANOUT_PIN=1: in the memory phases each server ran on CPU 0 and the harness on CPU 1 from the end of set-up (taskset -a); the Redis phases were not pinned.');
}

/** Each contender over bare on the same Node, then each contender on a further Node over itself on the first. */
function ratioPairs(contenders: readonly Contender[]): RatioPair[] {
  const pairs: RatioPair[] = contenders.flatMap((c) => (c.against ? [{ label: `${c.name}/${c.against}`, of: c.name, over: c.against }] : []));
  const first = contenders[0] ? nodeKey(contenders[0].node) : undefined;
  for (const c of contenders) {
    if (nodeKey(c.node) === first) continue;
    const same = contenders.find((d) => nodeKey(d.node) === first && d.base === c.base);
    if (same) pairs.push({ label: `${c.name}/${same.name}`, of: c.name, over: same.name });
  }
  return pairs;
}

function contendersOf(options: FanoutOptions): Contender[] {
  const ours = (file: string) => ({ entry: here(file), checkout: here('../..') });
  const kinds = [
    { name: 'bare', target: 'bare' as const, settings: {}, ...ours('./fanout/bare-server.ts') },
    { name: 'rubicon', target: 'rubicon' as const, settings: {}, ...ours('./fanout/rubicon-server.ts') },
    ...(options.variant ? [{ name: `rubicon [${Object.entries(options.variant).map(([k, v]) => `${k}=${v}`).join(' ')}]`, target: 'rubicon' as const, settings: options.variant, ...ours('./fanout/rubicon-server.ts') }] : []),
    ...(options.baseline
      ? [{ name: `rubicon [${path.basename(options.baseline)}]`, target: 'rubicon' as const, settings: benchLimitSettings(), entry: path.join(path.resolve(options.baseline), 'server/bench/fanout/rubicon-server.ts'), checkout: path.resolve(options.baseline) }]
      : []),
  ];
  // One Node keeps the names (and so the rows) as they were; several name each contender's Node.
  const named = (name: string, node: NodeBinary) => (options.serverNodes.length > 1 ? `${name} @ ${nodeLabel(node)}` : name);
  return options.serverNodes.flatMap((node) => kinds.map((k) => ({ ...k, name: named(k.name, node), base: k.name, node, against: k.target === 'bare' ? null : named('bare', node) })));
}

/** Every contender built the same way before the first phase, so no phase's figures include a build. */
async function runnable(contenders: Contender[], tsx: boolean, compiled: CompiledServers): Promise<Runnable[]> {
  return Promise.all(contenders.map(async (c) => ({ ...c, script: tsx ? c.entry : await compiled.script(c.entry, c.checkout) })));
}

/** One round of a condition: every contender once, in alternating order; returns each one's figures for the summary. */
async function runRound(report: Report, c: Condition, round: number, contenders: Runnable[], options: FanoutOptions): Promise<Map<string, RoundFigures>> {
  const section = `8 fan-out (${c.label}${options.rounds > 1 ? `, round ${round + 1}` : ''})`;
  const results = new Map<string, PhaseResult>();
  // Alternate the order, so no contender always meets the machine fresher.
  for (const contender of round % 2 === 0 ? contenders : [...contenders].reverse()) {
    const prefix = c.redis ? `bench-fanout-${nanoid(8)}:` : null;
    try {
      const result = await runPhase(contender, c.processes, c.rate, options, prefix);
      results.set(contender.name, result);
      addPhase(report, section, contender.name, result);
    } finally {
      if (prefix) await deleteKeys(options.redisUrl, prefix);
    }
  }
  for (const pair of ratioPairs(contenders)) {
    const [of, over] = [results.get(pair.of), results.get(pair.over)];
    if (of && over) addRatios(report, section, pair.label, over, of);
  }
  return new Map([...results].map(([name, r]) => [name, { cpuMicrosPerDelivery: r.cpuMicrosPerDelivery, p99: r.harness.p99, disturbed: r.disturbed, latencies: r.harness.latencies }]));
}

function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
}

export function fanoutOptionsFromEnv(redisUrl: string): FanoutOptions {
  return {
    ...FANOUT_DEFAULTS,
    sessions: envNumber('FANOUT_SESSIONS', FANOUT_DEFAULTS.sessions),
    loadMs: envNumber('FANOUT_LOAD_MS', FANOUT_DEFAULTS.loadMs),
    warmupMs: envNumber('FANOUT_WARMUP_MS', FANOUT_DEFAULTS.warmupMs),
    rates: process.env.FANOUT_RATES !== undefined ? process.env.FANOUT_RATES.split(',').map(Number).filter((r) => r > 0) : FANOUT_DEFAULTS.rates,
    rounds: envNumber('FANOUT_ROUNDS', FANOUT_DEFAULTS.rounds),
    redisRate: envNumber('FANOUT_REDIS_RATE', FANOUT_DEFAULTS.redisRate),
    redisUrl,
    variant: process.env.FANOUT_VARIANT ? Object.fromEntries(process.env.FANOUT_VARIANT.split(',').map((kv) => kv.split('=', 2) as [string, string])) : null,
    baseline: process.env.FANOUT_BASELINE || null,
    tsx: process.env.FANOUT_TSX === '1',
    pin: process.env.FANOUT_PIN === '1',
    serverNodes: serverNodes(process.env.FANOUT_NODE, selfNode()),
    harnessNode: harnessNode(process.env.FANOUT_HARNESS_NODE, selfNode()),
    disturbance: { stealPercent: envNumber('FANOUT_STEAL_MAX', DISTURBANCE_DEFAULTS.stealPercent), othersPercent: envNumber('FANOUT_OTHERS_MAX', DISTURBANCE_DEFAULTS.othersPercent) },
    save: process.env.FANOUT_SAVE || null,
  };
}

// Run alone: just the fan-out table.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const startedAt = new Date();
  const loadBefore = os.loadavg()[0] ?? 0;
  const t0 = now();
  const report = new Report();
  benchFanout(report, fanoutOptionsFromEnv(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'))
    .then(() => report.print(machineInfo(startedAt, (now() - t0) / 1000, loadBefore)))
    .catch((err: unknown) => {
      process.stderr.write(`fan-out benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    });
}
