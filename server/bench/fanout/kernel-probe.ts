/**
 * What a benchmark server process asked of the kernel over the load window,
 * to tell where its system time goes: the write and read calls and the bytes
 * they carried (/proc/self/io: `syscw`/`wchar` count every write and writev,
 * socket writes included), minor page faults and context switches
 * (getrusage), and user and system time split between the main thread and
 * the others (V8's collector and compiler threads, libuv's pool), from
 * /proc/self/task/<tid>/stat. Linux only; elsewhere the figures are null.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { KernelProbe } from './types.ts';
import { ThreadSwitchProbe } from './thread-switches.ts';

/** /proc reports thread times in clock ticks, USER_HZ: 100 a second on Linux whatever the kernel's own HZ. */
const MICROS_PER_TICK = 10_000;

interface ThreadTimes {
  mainUser: number;
  mainSystem: number;
  otherUser: number;
  otherSystem: number;
}

interface Counters {
  io: Map<string, number>;
  usage: NodeJS.ResourceUsage;
  threads: ThreadTimes;
}

function ioCounters(): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync('/proc/self/io', 'utf8').split('\n')) {
    const [key, value] = line.split(':');
    if (key && value) out.set(key.trim(), Number(value));
  }
  return out;
}

/** utime and stime of one thread, µs: fields 14 and 15 of its stat line, counted after the command's closing parenthesis. */
function threadTimes(tid: string): [number, number] {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [Number(fields[11]) * MICROS_PER_TICK, Number(fields[12]) * MICROS_PER_TICK];
}

function allThreads(): ThreadTimes {
  const times: ThreadTimes = { mainUser: 0, mainSystem: 0, otherUser: 0, otherSystem: 0 };
  for (const tid of readdirSync('/proc/self/task')) {
    let user: number;
    let system: number;
    try {
      [user, system] = threadTimes(tid);
    } catch {
      continue; // the thread ended between the listing and the read
    }
    if (tid === String(process.pid)) {
      times.mainUser += user;
      times.mainSystem += system;
    } else {
      times.otherUser += user;
      times.otherSystem += system;
    }
  }
  return times;
}

function counters(): Counters | null {
  try {
    return { io: ioCounters(), usage: process.resourceUsage(), threads: allThreads() };
  } catch {
    return null;
  }
}

export class KernelWindowProbe {
  private atStart: Counters | null = null;
  private readonly threads = new ThreadSwitchProbe();

  start(): void {
    this.threads.start();
    this.atStart = counters();
  }

  stop(): KernelProbe | null {
    const a = this.atStart;
    const b = counters();
    this.threads.stop();
    this.atStart = null;
    if (!a || !b) return null;
    const io = (key: string) => (b.io.get(key) ?? 0) - (a.io.get(key) ?? 0);
    return {
      writeCalls: io('syscw'),
      bytesWritten: io('wchar'),
      readCalls: io('syscr'),
      bytesRead: io('rchar'),
      minorFaults: b.usage.minorPageFault - a.usage.minorPageFault,
      voluntarySwitches: b.usage.voluntaryContextSwitches - a.usage.voluntaryContextSwitches,
      involuntarySwitches: b.usage.involuntaryContextSwitches - a.usage.involuntaryContextSwitches,
      mainUserMicros: b.threads.mainUser - a.threads.mainUser,
      mainSystemMicros: b.threads.mainSystem - a.threads.mainSystem,
      otherUserMicros: b.threads.otherUser - a.threads.otherUser,
      otherSystemMicros: b.threads.otherSystem - a.threads.otherSystem,
    };
  }
}
