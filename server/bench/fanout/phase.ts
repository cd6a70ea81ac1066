/**
 * One phase: a contender's server process(es) and a fresh harness forked
 * (forkPhase), the sessions set up (setUp), the load run with the window's
 * marks taken at its edges (runLoad), and its figures computed from them
 * (phase-figures.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nanoid } from 'nanoid';
import { now } from '../stats.ts';
import { harnessFlags } from './harness-heap.ts';
import { MachineCpu, type WindowCpu } from './machine-cpu.ts';
import type { NodeBinary } from './node-binaries.ts';
import type { FanoutOptions, IdlePlacement } from './options.ts';
import { pausesOf, phaseFigures, type PhaseResult } from './phase-figures.ts';
import { pinTo } from './pin.ts';
import { ServerProcess } from './server-control.ts';
import { ThreadCpu, type CpuInterval } from './thread-cpu.ts';
import type { FromHarness, HarnessOptions, HarnessResult, ServerStats, Target, ToHarness } from './types.ts';

export interface Contender {
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
  /** Where its idle-memory figure is taken (FANOUT_IDLE, options.ts). */
  idle: IdlePlacement;
}

/** What a phase forks: the entry itself under tsx, else its bundle. */
export type Runnable = Contender & { script: string };

/** A phase's processes: its server(s), its harness, and the machine's CPU marks beside them. */
interface PhaseProcesses {
  servers: ServerProcess[];
  harness: ChildProcess;
  machine: MachineCpu;
}

/** The load window's marks: each server's stats, the wall clock's and the machine's at its edges, and the profiles written at its end. */
interface WindowMarks {
  start?: Promise<ServerStats[]>;
  end?: Promise<ServerStats[]>;
  wall: number[];
  machine?: Promise<WindowCpu>;
  profiles: Promise<void>;
  /** Who had the CPU over the window, interval by interval (thread-cpu.ts). */
  threads?: ThreadCpu;
  intervals: CpuInterval[];
}

/** A server's live bytes empty and with the sessions set up, each after a forced collection. */
interface IdleFigures {
  base: ServerStats[];
  idle: ServerStats[];
}

export async function runPhase(contender: Runnable, processes: number, rate: number, options: FanoutOptions, redisPrefix: string | null): Promise<PhaseResult> {
  const apart = contender.idle === 'separate' ? await idlePhase(contender, processes, rate, options, redisPrefix) : null;
  const p = forkPhase(contender, processes, options, redisPrefix);
  try {
    await p.machine.open(redisPrefix ? options.redisUrl : null);
    const inline = await setUp(p, contender.target, rate, options, apart === null);
    const { base, idle } = apart ?? inline ?? { base: [], idle: [] };
    const { result, marks } = await runLoad(p, contender, processes, rate, options);
    const [start, end] = await Promise.all([marks.start, marks.end, marks.profiles]);
    if (!start || !end) throw new Error(`${contender.target}: no load window`);
    const read = (await marks.machine) ?? { redisPercent: null, machinePercent: null, stealPercent: null, topOthers: [] };
    const machine = { ...read, stealSecondPercent: marks.threads?.worstStealSecond() ?? null };
    const nodes = { servers: p.servers.map((s) => s.reportedNode ?? `${contender.node.version} (binary; the server did not say)`), harness: result.node };
    dumpTail(contender, end, result);
    return phaseFigures({ result, base, idle, start, end, wall: marks.wall, machine, nodes, intervals: marks.intervals }, options);
  } finally {
    await p.machine.close();
    if (p.harness.exitCode === null) p.harness.kill('SIGKILL');
    await Promise.all(p.servers.map((s) => s.stop()));
  }
}

function forkPhase(contender: Runnable, processes: number, options: FanoutOptions, redisPrefix: string | null): PhaseProcesses {
  const env: Record<string, string> = {
    // A memory phase must not inherit a REDIS_URL from this process's environment: its server would run on
    // Redis, under a prefix no phase cleans, and load the sessions earlier runs left there.
    ...(redisPrefix ? { REDIS_URL: options.redisUrl, REDIS_PREFIX: redisPrefix } : { REDIS_URL: '' }),
    FANOUT_SERVER_ENV: JSON.stringify(contender.settings),
  };
  const servers = Array.from({ length: processes }, () => new ServerProcess(contender.target, env, contender.script, options.tsx, contender.node));
  const harnessScript = fileURLToPath(new URL('./harness.ts', import.meta.url));
  const harness = fork(harnessScript, ['--fanout-harness'], { execPath: options.harnessNode.path, execArgv: ['--expose-gc', ...harnessFlags(process.env), '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return { servers, harness, machine: new MachineCpu() };
}

/**
 * FANOUT_IDLE=separate: the idle figure from servers of their own, set up as
 * the load phase's are, then stopped. The load phase's servers then never
 * meet a forced gc(), whose mark-compact sets V8's next old-generation limit
 * and so where the window's mark-compacts fall
 * (docs/performance/fan-out-log.md, "Node 20's mark-compacts: what starts
 * them in the window…"); a long-running server has no such collection.
 */
async function idlePhase(contender: Runnable, processes: number, rate: number, options: FanoutOptions, redisPrefix: string | null): Promise<IdleFigures> {
  // Its own keys under the phase's prefix, so the round's clean-up removes them and the load phase's servers never load them.
  const p = forkPhase(contender, processes, options, redisPrefix === null ? null : `${redisPrefix}idle:`);
  try {
    const figures = await setUp(p, contender.target, rate, options, true);
    if (!figures) throw new Error(`${contender.target}: no idle figure`);
    return figures;
  } finally {
    // Its harness waits for a go that never comes.
    if (p.harness.exitCode === null) p.harness.kill('SIGKILL');
    await Promise.all(p.servers.map((s) => s.stop()));
  }
}

/** The servers listening, the harness's sessions set up, and with `collect` the servers' empty and idle figures, each after gc(); null without. */
async function setUp({ servers, harness }: PhaseProcesses, target: Target, rate: number, options: FanoutOptions, collect: boolean): Promise<IdleFigures | null> {
  const urls = await Promise.all(servers.map((s) => s.url));
  const base = collect ? await Promise.all(servers.map((s) => s.stats(true))) : [];
  const harnessOptions: HarnessOptions = { target, urls, sessions: options.sessions, ratePerSeat: rate, loadMs: options.loadMs, warmupMs: options.warmupMs, drainMs: options.drainMs, seed: `fanout-${nanoid(6)}` };
  const idle = await new Promise<ServerStats[] | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${target}: setting up took more than 400 s`)), 400_000);
    harness.on('message', (m: FromHarness) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        // Let the set-up settle before the idle figure (and, without one, wait as long, so the load starts as it did).
        setTimeout(() => (collect ? void Promise.all(servers.map((s) => s.stats(true))).then(resolve) : resolve(null)), 1000);
      } else if (m.type === 'failed') {
        // A set-up that failed (a refusal, an acknowledgement that never came) says why, rather than running into the time limit.
        clearTimeout(timer);
        reject(new Error(`${target}: setting up failed: ${m.error}`));
      }
    });
    harness.once('exit', (code) => reject(new Error(`${target}: the harness exited with ${code} during set-up`)));
    harness.send({ type: 'start', options: harnessOptions } satisfies ToHarness);
  });
  return idle ? { base, idle } : null;
}

/** The load, warm-up and window and drain, with the marks taken as the harness opens and closes the window. */
async function runLoad({ servers, harness, machine }: PhaseProcesses, contender: Runnable, processes: number, rate: number, options: FanoutOptions): Promise<{ result: HarnessResult; marks: WindowMarks }> {
  const { target } = contender;
  // FANOUT_CPU_PROF=<dir>: a CPU profile of every server process over the load window (profiling costs CPU: the figures run high);
  // FANOUT_HEAP_PROF=<dir>: a sampling profile of the heap allocations instead.
  const heapDir = process.env.FANOUT_HEAP_PROF;
  const profileDir = heapDir ?? process.env.FANOUT_CPU_PROF;
  const profileKind = heapDir ? 'heap' : 'cpu';
  const marks: WindowMarks = { wall: [], profiles: Promise.resolve(), intervals: [] };
  const result = await new Promise<HarnessResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      harness.kill('SIGKILL');
      reject(new Error(`${target}: the load phase did not finish`));
    }, options.warmupMs + options.loadMs + options.drainMs + 60_000);
    harness.on('message', (m: FromHarness) => {
      if (m.type === 'load-start') {
        marks.wall.push(now());
        void machine.mark();
        marks.threads = new ThreadCpu(servers.map((s) => s.pid), harness.pid, machine.measuredRedisPid());
        marks.threads.start();
        marks.start = Promise.all(servers.map((s) => s.stats(false, 'start')));
        if (profileDir) for (const s of servers) s.profileStart(profileKind);
      } else if (m.type === 'load-end') {
        marks.wall.push(now());
        marks.intervals = marks.threads?.stop() ?? [];
        // The bench's own processes are not what disturbed it; its parent process stays in, as in "the rest of the machine".
        marks.machine = machine.since([...servers.map((s) => s.pid), harness.pid]);
        marks.end = Promise.all(servers.map((s) => s.stats(false, 'end')));
        // The harness counts the deliveries the mark-compacts held up (mark-compacts.ts) once it has them.
        void marks.end.then((end) => harness.connected && harness.send({ type: 'mark-compacts', pauses: pausesOf(end) } satisfies ToHarness));
        if (profileDir)
          marks.profiles = Promise.all(servers.map((s, i) => s.profileStop(path.join(profileDir, `${contender.name.replace(/[^A-Za-z0-9=_-]+/g, '_')}-${rate}msgs-${processes}p-${i}.${profileKind}profile`)))).then(() => {});
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
  return { result, marks };
}

/** FANOUT_TAIL_DUMP=<dir>: the raw stamps behind the tail's legs (one-process phases), to read the GCs and iterations one by one. */
function dumpTail(contender: Runnable, end: ServerStats[], result: HarnessResult): void {
  const dumpDir = process.env.FANOUT_TAIL_DUMP;
  if (!dumpDir || end.length !== 1 || !end[0]?.tail || !result.tailRecords) return;
  const file = path.join(dumpDir, `${contender.name.replace(/[^A-Za-z0-9=_.-]+/g, '_')}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify({ name: contender.name, server: end[0].tail, harness: result.tailRecords }));
}
