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
import { MachineCpu, type WindowCpu } from './machine-cpu.ts';
import type { NodeBinary } from './node-binaries.ts';
import type { FanoutOptions } from './options.ts';
import { phaseFigures, type PhaseResult } from './phase-figures.ts';
import { pinTo } from './pin.ts';
import { ServerProcess } from './server-control.ts';
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
}

export async function runPhase(contender: Runnable, processes: number, rate: number, options: FanoutOptions, redisPrefix: string | null): Promise<PhaseResult> {
  const p = forkPhase(contender, processes, options, redisPrefix);
  try {
    await p.machine.open(redisPrefix ? options.redisUrl : null);
    const { base, idle } = await setUp(p, contender.target, rate, options);
    const { result, marks } = await runLoad(p, contender, processes, rate, options);
    const [start, end] = await Promise.all([marks.start, marks.end, marks.profiles]);
    if (!start || !end) throw new Error(`${contender.target}: no load window`);
    const machine = (await marks.machine) ?? { redisPercent: null, machinePercent: null, stealPercent: null, topOthers: [] };
    const nodes = { servers: p.servers.map((s) => s.reportedNode ?? `${contender.node.version} (binary; the server did not say)`), harness: result.node };
    dumpTail(contender, end, result);
    return phaseFigures({ result, base, idle, start, end, wall: marks.wall, machine, nodes }, options);
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
  const harness = fork(harnessScript, ['--fanout-harness'], { execPath: options.harnessNode.path, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return { servers, harness, machine: new MachineCpu() };
}

/** The servers listening, their empty figure, the harness's sessions set up, and their idle figure. */
async function setUp({ servers, harness }: PhaseProcesses, target: Target, rate: number, options: FanoutOptions): Promise<{ base: ServerStats[]; idle: ServerStats[] }> {
  const urls = await Promise.all(servers.map((s) => s.url));
  const base = await Promise.all(servers.map((s) => s.stats(true)));
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
  return { base, idle };
}

/** The load, warm-up and window and drain, with the marks taken as the harness opens and closes the window. */
async function runLoad({ servers, harness, machine }: PhaseProcesses, contender: Runnable, processes: number, rate: number, options: FanoutOptions): Promise<{ result: HarnessResult; marks: WindowMarks }> {
  const { target } = contender;
  // FANOUT_CPU_PROF=<dir>: a CPU profile of every server process over the load window (profiling costs CPU: the figures run high);
  // FANOUT_HEAP_PROF=<dir>: a sampling profile of the heap allocations instead.
  const heapDir = process.env.FANOUT_HEAP_PROF;
  const profileDir = heapDir ?? process.env.FANOUT_CPU_PROF;
  const profileKind = heapDir ? 'heap' : 'cpu';
  const marks: WindowMarks = { wall: [], profiles: Promise.resolve() };
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
        marks.machine = machine.since([...servers.map((s) => s.pid), harness.pid]);
        marks.end = Promise.all(servers.map((s) => s.stats(false, 'end')));
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
