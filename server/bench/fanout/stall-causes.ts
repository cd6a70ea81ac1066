/**
 * What each long stall of a server's event loop was (FANOUT_TAIL_DUMP's
 * stamps, FANOUT_THREAD_SWITCHES's window, and a perf trace of every
 * context switch). A stall is a stretch of the window in which the loop
 * read no packet and was not waiting in poll: an iteration that read
 * packets and ran long, or the busy part of the gap between two such
 * iterations (the gap less libuv's poll-wait time in it). Each is split
 * into the server's GC pauses by kind, the main thread off its CPU while
 * runnable (preempted: who took the CPU) or asleep (a futex, say: waiting
 * on a helper thread), and the rest: the main thread on its CPU outside a
 * collector pause, its own JavaScript or the kernel's work in its context.
 * With a .cpuprofile of the same process, that rest is named by the
 * functions its samples were in. Pure but for main().
 *
 *   perf record -a -k CLOCK_MONOTONIC -e sched:sched_switch -o sched.data -- node … fanout.ts
 *   perf script -i sched.data --show-task-events -F tid,cpu,time,trace > sched.txt
 *   node --import tsx server/bench/fanout/stall-causes.ts <switches.jsonl> <sched.txt> <dump.json> [<cpuprofile>]
 */
import { constants } from 'node:perf_hooks';
import type { GcRecord, ServerTail } from './tail-legs.ts';

export interface Stall {
  /** Epoch ms. */
  from: number;
  to: number;
  /** 'iteration': one iteration that read packets ran this long; 'gap': the busy time between two. */
  kind: 'iteration' | 'gap';
  /** Packets read by the iteration (or by the one after the gap). */
  packets: number;
}

/** Iterations past `minMs` from first read to end, and gaps whose busy part (gap less poll wait) is past it. */
export function findStalls(server: Pick<ServerTail, 'bursts'>, minMs: number): Stall[] {
  const out: Stall[] = [];
  const bursts = server.bursts.filter((b) => typeof b.at === 'number' && typeof b.idle === 'number');
  for (let i = 0; i < bursts.length; i++) {
    const b = bursts[i];
    if (!b || b.at === undefined) continue;
    if (b.ms > minMs) out.push({ from: b.at, to: b.at + b.ms, kind: 'iteration', packets: b.n });
    const next = bursts[i + 1];
    if (!next || next.at === undefined || next.idle === undefined || b.idle === undefined) continue;
    const gapFrom = b.at + b.ms;
    // idle is libuv's poll-wait total at each first read; the iteration itself never waits.
    const busy = next.at - gapFrom - (next.idle - b.idle);
    if (busy > minMs) out.push({ from: next.at - busy, to: next.at, kind: 'gap', packets: next.n });
  }
  return out;
}

export interface Switch {
  /** Monotonic seconds. */
  at: number;
  cpu: number;
  prev: number;
  prevState: string;
  next: number;
  nextName: string;
}

const SWITCH = /^\s*(\d+)\s+\[(\d+)\]\s+(\d+\.\d+):\s+.*prev_pid=(\d+) .*prev_state=(\S+) ==> next_comm=(.*) next_pid=(\d+)/;

/** `perf script -F tid,cpu,time,trace` of sched:sched_switch. */
export function parseSwitches(text: string): Switch[] {
  const out: Switch[] = [];
  for (const line of text.split('\n')) {
    const m = SWITCH.exec(line);
    if (m) out.push({ cpu: Number(m[2]), at: Number(m[3]), prev: Number(m[4]), prevState: m[5] ?? '', nextName: (m[6] ?? '').trim(), next: Number(m[7]) });
  }
  return out;
}

export interface OffCpu {
  /** ms off its CPU while runnable (preempted), and asleep (any other state). */
  runnableMs: number;
  sleepingMs: number;
  /** Who was switched to when it was preempted, by name with digits as N, ms each. */
  by: Map<string, number>;
}

const defaultLabel = (s: Switch): string => s.nextName.replace(/\d+/g, 'N');

/** The thread `tid`'s time off its CPU between `from` and `to` (monotonic s), by the switches. */
export function offCpu(switches: readonly Switch[], tid: number, from: number, to: number, label: (s: Switch) => string = defaultLabel): OffCpu {
  const out: OffCpu = { runnableMs: 0, sleepingMs: 0, by: new Map() };
  let outAt = Number.NaN;
  let state = '';
  let who = '';
  const close = (end: number) => {
    const ms = (Math.min(end, to) - Math.max(outAt, from)) * 1000;
    if (ms <= 0) return;
    if (state.startsWith('R')) {
      out.runnableMs += ms;
      out.by.set(who, (out.by.get(who) ?? 0) + ms);
    } else out.sleepingMs += ms;
  };
  for (const s of switches) {
    if (s.at > to && Number.isNaN(outAt)) break;
    if (s.prev === tid) {
      outAt = s.at;
      state = s.prevState;
      who = label(s);
    } else if (s.next === tid && !Number.isNaN(outAt)) {
      close(s.at);
      outAt = Number.NaN;
      if (s.at > to) break;
    }
  }
  if (!Number.isNaN(outAt)) close(to);
  return out;
}

export interface GcShare {
  ms: number;
  /** ms by perf_hooks kind: 'scavenge', 'mark-compact', 'incremental', 'weak callbacks'. */
  byKind: Map<string, number>;
  longestMs: number;
}

const KIND_NAMES = new Map<number, string>([
  [constants.NODE_PERFORMANCE_GC_MINOR, 'scavenge'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'mark-compact'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weak callbacks'],
]);

/** The GC pauses' overlap with [from, to] (epoch ms). */
export function gcIn(gcs: readonly GcRecord[], from: number, to: number): GcShare {
  const out: GcShare = { ms: 0, byKind: new Map(), longestMs: 0 };
  for (const [start, pause, kind] of gcs) {
    const ms = Math.min(to, start + pause) - Math.max(from, start);
    if (ms <= 0) continue;
    const name = KIND_NAMES.get(kind) ?? `kind ${kind}`;
    out.ms += ms;
    out.byKind.set(name, (out.byKind.get(name) ?? 0) + ms);
    out.longestMs = Math.max(out.longestMs, pause);
  }
  return out;
}

/** Maps epoch ms to monotonic s by the window's two clock pairs (FANOUT_THREAD_SWITCHES's line). */
export function epochToMonotonic(window: { epochMs: [number, number]; monotonicNs: [string, string] }): (epochMs: number) => number {
  const [e0] = window.epochMs;
  const m0 = Number(window.monotonicNs[0]) / 1e9;
  return (epochMs) => m0 + (epochMs - e0) / 1000;
}

export interface Episode {
  from: number;
  to: number;
  stalls: Stall[];
}

/**
 * Stalls less than `joinMs` apart as one episode: a collector pause or a preemption holds the loop, and the
 * packets that queued meanwhile make the next iterations long in turn, so one disturbance shows as a run of
 * long iterations; the episode is read as a whole (what held the loop, against its packets' own cost).
 */
export function episodesOf(stalls: readonly Stall[], joinMs: number): Episode[] {
  const out: Episode[] = [];
  for (const s of [...stalls].sort((a, b) => a.from - b.from)) {
    const last = out[out.length - 1];
    if (last && s.from - last.to < joinMs) {
      last.stalls.push(s);
      last.to = Math.max(last.to, s.to);
    } else out.push({ from: s.from, to: s.to, stalls: [s] });
  }
  return out;
}
