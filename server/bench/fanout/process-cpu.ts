/**
 * Which processes took the CPU beside a phase: /proc/<pid>/stat of every
 * process read once at each edge of the load window, so that a phase marked
 * disturbed (disturbance.ts) can name what disturbed it rather than only how
 * much. Two readings are all it costs (a few hundred small files, tens of
 * milliseconds of the bench's own process, outside the servers and harness).
 *
 * What it cannot see: a process that both started and ended inside the
 * window (a short compiler run, a test worker) leaves no reading at the end;
 * its CPU is in "the rest of the machine" but under no name. Children's time
 * reaped by a parent (cutime, cstime) is left out on purpose: a `flock` or a
 * shell whose long job ends inside the window would be charged with minutes
 * of CPU spent before it.
 */
import { readdir, readFile } from 'node:fs/promises';

/** One process's CPU time since it started, from /proc/<pid>/stat. */
export interface ProcessTicks {
  pid: number;
  /** The executable's name as the kernel keeps it (15 characters at most). */
  comm: string;
  /** Its parent's pid. */
  ppid: number;
  /** utime + stime in clock ticks (USER_HZ, 100 a second on Linux), every thread of the process. */
  ticks: number;
  /** When it started, in ticks since boot: a pid reused inside the window reads as a new process. */
  startTicks: number;
}

/** Another process's CPU over a window. */
export interface ProcessCpu {
  pid: number;
  comm: string;
  /** % of one core over the window. */
  percent: number;
  /** The first 80 characters of its command line, arguments apart by spaces; empty where it could not be read (a kernel thread has none). */
  cmdline: string;
}

/** How much of the command line a report carries. */
export const CMDLINE_CHARS = 80;

/** A tick is 10 ms (USER_HZ 100), as machine-cpu.ts reads /proc/stat. */
const MS_PER_TICK = 10;

/**
 * /proc/<pid>/stat's text to its pid, comm and CPU ticks; null when it is not
 * such a line. comm sits in parentheses and may itself hold spaces and
 * parentheses, so the fields after it are counted from the last ")".
 */
export function parsePidStat(text: string): ProcessTicks | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // After ")": field 3 (state) onwards, so field n is at n - 3.
  const f = text.slice(close + 1).trim().split(/\s+/);
  const [ppid, utime, stime, start] = [f[4 - 3], f[14 - 3], f[15 - 3], f[22 - 3]].map(Number) as [number, number, number, number];
  if (!Number.isInteger(pid) || pid <= 0 || ![ppid, utime, stime, start].every(Number.isFinite)) return null;
  return { pid, comm: text.slice(open + 1, close), ppid, ticks: utime + stime, startTicks: start };
}

/** /proc/<pid>/cmdline (arguments ended by NULs) as one line of at most CMDLINE_CHARS characters. */
export function commandLine(raw: string): string {
  return raw.replace(/\0+$/, '').replaceAll('\0', ' ').slice(0, CMDLINE_CHARS);
}

/** `pids` and every process descended from one of them (by the parents in `processes`). */
function withDescendants(pids: ReadonlySet<number>, processes: ReadonlyMap<number, ProcessTicks>): Set<number> {
  const out = new Set(pids);
  const isOurs = (p: ProcessTicks): boolean => {
    // A parent chain ends at pid 1 (or 0); the bound stops a cycle a racing read could make.
    let at: ProcessTicks | undefined = p;
    for (let hops = 0; at && hops < 64; hops++, at = processes.get(at.ppid)) if (out.has(at.pid)) return true;
    return false;
  };
  for (const p of processes.values()) if (isOurs(p)) out.add(p.pid);
  return out;
}

/**
 * The `n` processes that used the most CPU between two readings, `exclude`d
 * pids and their descendants (tsx's esbuild, say) left out, in % of one core over `windowMs`. A process absent from the
 * first reading, or one whose pid now names a process started since, began
 * inside the window: all its time counts. One present only in the first
 * ended inside it and is not seen. Command lines are left empty (the caller
 * reads the few it reports).
 */
export function topProcesses(
  start: ReadonlyMap<number, ProcessTicks>,
  end: ReadonlyMap<number, ProcessTicks>,
  windowMs: number,
  exclude: ReadonlySet<number>,
  n: number,
): ProcessCpu[] {
  if (windowMs <= 0) return [];
  const used: ProcessCpu[] = [];
  const ours = withDescendants(exclude, end);
  for (const [pid, e] of end) {
    if (ours.has(pid)) continue;
    const s = start.get(pid);
    const ticks = s && s.startTicks === e.startTicks ? e.ticks - s.ticks : e.ticks;
    if (ticks > 0) used.push({ pid, comm: e.comm, percent: ((ticks * MS_PER_TICK) / windowMs) * 100, cmdline: '' });
  }
  return used.sort((a, b) => b.percent - a.percent || a.pid - b.pid).slice(0, n);
}

/** Every process's ticks now (Linux); an empty map where /proc cannot be read. A process gone between the listing and its read is skipped. */
export async function readProcessTicks(): Promise<Map<number, ProcessTicks>> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return new Map();
  }
  const read = await Promise.all(
    names.filter((name) => /^\d+$/.test(name)).map((name) => readFile(`/proc/${name}/stat`, 'utf8').then(parsePidStat, () => null)),
  );
  return new Map(read.flatMap((p) => (p ? [[p.pid, p] as const] : [])));
}

/** The processes' command lines filled in, where they can still be read. */
export async function withCommandLines(top: ProcessCpu[]): Promise<ProcessCpu[]> {
  return Promise.all(top.map(async (p) => ({ ...p, cmdline: await readFile(`/proc/${p.pid}/cmdline`, 'utf8').then(commandLine, () => '') })));
}
