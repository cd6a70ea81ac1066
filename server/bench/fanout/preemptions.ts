/**
 * Who took the CPU from each server's main thread over its load window: reads
 * a `perf script` of involuntary switches and the windows FANOUT_THREAD_SWITCHES
 * wrote (thread-switches.ts), and counts, per window, the task switched to:
 * the phase's harness (forked by the bench right after its server), the
 * server's own threads, or anything else by name.
 *
 *   perf record -a -k CLOCK_MONOTONIC -e sched:sched_switch --filter "prev_state == 0" -o sched.data -- node … fanout.ts
 *   perf script -i sched.data --show-task-events -F pid,tid,time,trace | node --import tsx server/bench/fanout/preemptions.ts <switches.jsonl>
 */
import { readFileSync } from 'node:fs';

interface Window {
  pid: number;
  server: string;
  node: string;
  monotonicNs: [string, string];
}

interface Switch {
  at: number;
  prev: number;
  nextName: string;
  next: number;
}

const FORK = /PERF_RECORD_FORK\((\d+):(\d+)\):\((\d+):(\d+)\)/;
const SWITCH = /\s(\d+\.\d+):\s+prev_comm=.* prev_pid=(\d+) .*next_comm=(.*) next_pid=(\d+)/;

/** Each thread's process (from fork records), the processes forked in order, and every switch. */
export function parsePerfScript(text: string): { processOf: Map<number, number>; processes: number[]; switches: Switch[] } {
  const processOf = new Map<number, number>();
  const processes: number[] = [];
  const switches: Switch[] = [];
  for (const line of text.split('\n')) {
    const fork = FORK.exec(line);
    if (fork) {
      const [pid, tid] = [Number(fork[1]), Number(fork[2])];
      processOf.set(tid, pid);
      if (pid === tid) processes.push(pid);
      continue;
    }
    const sw = SWITCH.exec(line);
    if (sw) switches.push({ at: Number(sw[1]), prev: Number(sw[2]), nextName: (sw[3] ?? '').trim(), next: Number(sw[4]) });
  }
  return { processOf, processes, switches };
}

/** The tasks that preempted `w`'s main thread inside its window, by who they were, most first. */
export function preemptersOf(w: Window, trace: ReturnType<typeof parsePerfScript>): [string, number][] {
  const [from, to] = w.monotonicNs.map((ns) => Number(ns) / 1e9) as [number, number];
  // The harness is forked right after its server: the lowest process id above the server's.
  const harness = Math.min(...trace.processes.filter((pid) => pid > w.pid));
  const counts = new Map<string, number>();
  for (const s of trace.switches) {
    if (s.prev !== w.pid || s.at < from || s.at > to) continue;
    const owner = trace.processOf.get(s.next) ?? s.next;
    const who = s.next === harness ? 'harness main thread' : owner === harness ? 'harness helper' : owner === w.pid ? `own ${s.nextName}` : s.nextName.replace(/\d+/g, 'N');
    counts.set(who, (counts.get(who) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

function main(): void {
  const windowsFile = process.argv[2];
  if (!windowsFile) throw new Error('usage: perf script … | preemptions.ts <FANOUT_THREAD_SWITCHES file>');
  const trace = parsePerfScript(readFileSync(0, 'utf8'));
  for (const line of readFileSync(windowsFile, 'utf8').split('\n').filter(Boolean)) {
    const w = JSON.parse(line) as Window;
    const by = preemptersOf(w, trace);
    const total = by.reduce((n, [, k]) => n + k, 0);
    console.log(`${w.node} ${w.server.includes('bare') ? 'bare' : 'rubicon'} pid ${w.pid}: ${total} preemptions of the main thread`);
    for (const [who, n] of by.slice(0, 8)) console.log(`  ${who}: ${n} (${((n / Math.max(1, total)) * 100).toFixed(1)} %)`);
  }
}

if (process.argv[1]?.endsWith('preemptions.ts')) main();
