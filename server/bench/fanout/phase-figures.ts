/**
 * What a phase measured: the servers' stats at the load window's edges and the
 * harness's result turned into its figures (CPU and allocation per delivery,
 * collections, the kernel's counts, what else ran on the machine).
 */
import { disturbanceOf, lateCauses, type LateCauses } from './disturbance.ts';
import { windowThreads, type CpuInterval, type WindowThreads } from './thread-cpu.ts';
import type { WindowCpu } from './machine-cpu.ts';
import type { MarkCompactPause, WindowMarkCompacts } from './mark-compacts.ts';
import type { FanoutOptions } from './options.ts';
import { attributeTail, type TailAttribution } from './tail-legs.ts';
import type { HarnessResult, KernelProbe, LoadProbe, ServerStats, SpanSummary } from './types.ts';

export const sum = (stats: ServerStats[], pick: (s: ServerStats) => number) => stats.reduce((k, s) => k + pick(s), 0);

export interface PhaseResult {
  harness: HarnessResult;
  /** Server CPU over the load window, % of one core (all processes). */
  cpuPercent: number;
  cpuMicrosPerDelivery: number;
  /** Of that, in the kernel. */
  systemMicrosPerDelivery: number;
  rssIdleMb: number;
  rssLoadMb: number;
  /** V8's heap in use plus external memory at the window's end, with no collection forced (what the window's last collections left plus what came since). */
  liveLoadMb: number;
  /** The same at the window's start: the growth between is what the window kept (and what its collections had not yet freed). */
  liveStartMb: number;
  bytesPerIdleSession: number;
  /** Garbage collection and event-loop delay over the window (load-probe.ts), all processes; null from a server without the probe. */
  probe: ProbeSummary | null;
  /** Redis's CPU and the whole machine's over the window. */
  machine: WindowCpu;
  /** The machine's CPU less the servers', the harness's, Redis's and the steal, % of one core; null when not readable. */
  othersPercent: number | null;
  /** Why the machine disturbed the phase (disturbance.ts), or null; a late harness is judged over the call's phases together (rounds-summary.ts, judgeRounds). */
  disturbed: string | null;
  /** The harness's sends late past LATE_MS by cause (disturbance.ts); null from a harness that does not list them. */
  lateCauses: LateCauses | null;
  /** The servers' and the harness's threads over the window (thread-cpu.ts); null where /proc cannot be read. */
  threads: WindowThreads | null;
  /** Each server process's command-path waits (FANOUT_SPANS=1, span-probe.ts). */
  spans: Record<string, SpanSummary>[];
  /** FANOUT_TAIL=1, one process: the slow deliveries' legs against all deliveries' (tail-probe.ts). */
  tailLegs: TailAttribution | null;
  /** The Node each server process said it ran (or, from a baseline that does not say, the binary's version, marked so), and the harness's. */
  nodes: { servers: string[]; harness: string };
  /** The servers' mark-compacts in the window (all processes) and the deliveries they held up; null from a server that does not record them. */
  markCompacts: WindowMarkCompacts | null;
}

export interface ProbeSummary {
  allocatedBytesPerDelivery: number;
  promotedBytesPerDelivery: number;
  /** Allocated in the old generation at once (LoadProbe.oldDirectBytes), per delivery; null if a process did not count it. */
  oldDirectBytesPerDelivery: number | null;
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
export interface KernelPerDelivery {
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

export function summarise(probes: (LoadProbe | undefined)[], wallMs: number, deliveries: number): ProbeSummary | null {
  const got = probes.filter((p): p is LoadProbe => p !== undefined);
  if (got.length === 0 || got.length < probes.length) return null;
  const total = (pick: (p: LoadProbe) => number) => got.reduce((k, p) => k + pick(p), 0);
  const worst = (pick: (p: LoadProbe) => number) => got.reduce((k, p) => Math.max(k, pick(p)), 0);
  return {
    allocatedBytesPerDelivery: total((p) => p.allocatedBytes) / Math.max(1, deliveries),
    promotedBytesPerDelivery: total((p) => p.promotedBytes) / Math.max(1, deliveries),
    oldDirectBytesPerDelivery: got.every((p) => p.oldDirectBytes !== undefined) ? total((p) => p.oldDirectBytes ?? 0) / Math.max(1, deliveries) : null,
    collections: total((p) => p.collections),
    majorCollections: total((p) => p.majorCollections),
    gcPausePercent: (total((p) => p.gcPauseMs) / wallMs) * 100,
    gcMaxPauseMs: worst((p) => p.gcMaxPauseMs),
    loopDelayMs: { p50: worst((p) => p.loopDelayMs.p50), p99: worst((p) => p.loopDelayMs.p99), max: worst((p) => p.loopDelayMs.max) },
    kernel: kernelPerDelivery(got, deliveries),
  };
}

/** What ran beside the benchmark: the machine's CPU (steal left out) less the servers', the harness's and Redis's. */
export function othersOf(machine: WindowCpu, serverPercent: number, harnessPercent: number): number | null {
  return machine.machinePercent === null ? null : machine.machinePercent - serverPercent - harnessPercent - (machine.redisPercent ?? 0);
}

/** What the phase collected: the harness's result, the servers' stats empty, idle and at the window's edges, and the machine's over it. */
export interface MeasuredWindow {
  result: HarnessResult;
  base: ServerStats[];
  idle: ServerStats[];
  start: ServerStats[];
  end: ServerStats[];
  /** The window's start and end, ms. */
  wall: number[];
  machine: WindowCpu;
  nodes: PhaseResult['nodes'];
  /** Who had the CPU, interval by interval (thread-cpu.ts); empty where not read. */
  intervals: readonly CpuInterval[];
}

export function phaseFigures(w: MeasuredWindow, options: Pick<FanoutOptions, 'sessions' | 'disturbance'>): PhaseResult {
  const { result, base, idle, start, end, machine } = w;
  const cpuMicros = sum(end, (s) => s.cpuMicros) - sum(start, (s) => s.cpuMicros);
  const systemMicros = sum(end, (s) => s.systemMicros) - sum(start, (s) => s.systemMicros);
  const wallMs = (w.wall[1] ?? 0) - (w.wall[0] ?? 0);
  const deliveries = (result.deliveriesPerSecond * wallMs) / 1000;
  const cpuPercent = cpuMicros / 10 / wallMs;
  const othersPercent = othersOf(machine, cpuPercent, result.harnessCpuPercent);
  const late = result.sendLateness;
  const causes = late?.late ? lateCauses(late.sends, late.p99, late.late, result.gcPauses ?? [], w.intervals) : null;
  return {
    harness: result,
    cpuPercent,
    cpuMicrosPerDelivery: cpuMicros / Math.max(1, deliveries),
    systemMicrosPerDelivery: systemMicros / Math.max(1, deliveries),
    rssIdleMb: sum(idle, (s) => s.rssBytes) / 2 ** 20,
    rssLoadMb: sum(end, (s) => s.rssBytes) / 2 ** 20,
    liveLoadMb: sum(end, (s) => s.liveBytes) / 2 ** 20,
    liveStartMb: sum(start, (s) => s.liveBytes) / 2 ** 20,
    bytesPerIdleSession: (sum(idle, (s) => s.liveBytes) - sum(base, (s) => s.liveBytes)) / options.sessions,
    probe: summarise(end.map((s) => s.probe), wallMs, deliveries),
    machine,
    othersPercent,
    // A late harness is judged once the call's phases are in, against their lateness (rounds-summary.ts, judgeRounds).
    disturbed: disturbanceOf({ stealPercent: machine.stealPercent, stealSecondPercent: machine.stealSecondPercent, othersPercent, topOthers: machine.topOthers }, options.disturbance),
    lateCauses: causes,
    threads: windowThreads(w.intervals),
    spans: end.flatMap((s) => (s.spans ? [s.spans] : [])),
    tailLegs: end.length === 1 && end[0]?.tail && result.tailRecords ? attributeTail(end[0].tail, result.tailRecords) : null,
    nodes: w.nodes,
    markCompacts: windowMarkCompacts(end, wallMs, result),
  };
}

/** Every server process's mark-compact pauses, or null if one did not record them (a baseline from before). */
export function pausesOf(end: readonly ServerStats[]): MarkCompactPause[] | null {
  const each = end.map((s) => s.probe?.markCompacts);
  return each.every((p) => p !== undefined) ? each.flatMap((p) => p ?? []) : null;
}

function windowMarkCompacts(end: readonly ServerStats[], windowMs: number, result: HarnessResult): WindowMarkCompacts | null {
  const pauses = pausesOf(end);
  return pauses ? { count: pauses.length, windowMs, share: result.markCompacts ?? null } : null;
}
