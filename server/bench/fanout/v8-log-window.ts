/**
 * What V8 did to a server's code inside the load window: its deoptimisations
 * and its optimising compiles (TurboFan, and Maglev on Node 22+), cut from a
 * V8 log at the window's start and end. Run the bench with
 *
 *   FANOUT_WINDOW_MARKS=<file> FANOUT_NODE_FLAGS="--log-deopt --log-code --logfile=<dir>/v8-%p.log --no-logfile-per-isolate"
 *
 * then  node --import tsx server/bench/fanout/v8-log-window.ts <marks file> <dir>
 *
 * The marks are each process's performance.now() at the window's start and end
 * (server-process.ts); the log's times count from V8's start, a few
 * milliseconds after Node's time origin, which is close enough to tell seconds
 * of warm-up from the window.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One process's window on its own clock, in ms. */
export interface WindowMarks {
  pid: string;
  startMs: number;
  endMs: number;
}

export interface V8WindowEvent {
  /** ms from the window's start. */
  atMs: number;
  kind: 'deopt' | 'optimised';
  /** The function as V8 names it (name, script, line and column). */
  fn: string;
  /** A deopt's reason; a compile's tier ("TurboFan" or "Maglev"). */
  detail: string;
}

export interface V8WindowSummary {
  deoptsBefore: number;
  optimisedBefore: number;
  inWindow: V8WindowEvent[];
}

/** The marks file: lines of `<pid> start|end <ms>`, one process's window per pid (a later window of the same pid replaces it). */
export function parseMarks(text: string): WindowMarks[] {
  const open = new Map<string, number>();
  const windows = new Map<string, WindowMarks>();
  for (const line of text.split('\n')) {
    const [pid, which, ms] = line.trim().split(' ');
    const at = Number(ms);
    if (!pid || !Number.isFinite(at)) continue;
    if (which === 'start') open.set(pid, at);
    const startMs = open.get(pid);
    if (which === 'end' && startMs !== undefined) windows.set(pid, { pid, startMs, endMs: at });
  }
  return [...windows.values()];
}

// V8 marks a compiled function's tier after its name: `*` TurboFan, `+` Maglev (`~` bytecode, `^` Sparkplug).
const TIERS: Record<string, string> = { '*': 'TurboFan', '+': 'Maglev' };

/**
 * The log's code-creation, code-move and code-deopt lines (V8 escapes commas
 * inside names, so a plain split is safe): a deopt names its code by address,
 * so the code's name is kept by address, following the moves the GC makes.
 */
export function summariseLog(log: string, window: WindowMarks): V8WindowSummary {
  const names = new Map<string, string>();
  const summary: V8WindowSummary = { deoptsBefore: 0, optimisedBefore: 0, inWindow: [] };
  const place = (us: number, event: Omit<V8WindowEvent, 'atMs'>) => {
    const ms = us / 1000;
    if (ms < window.startMs) {
      if (event.kind === 'deopt') summary.deoptsBefore++;
      else summary.optimisedBefore++;
    } else if (ms <= window.endMs) summary.inWindow.push({ atMs: ms - window.startMs, ...event });
  };
  for (const line of log.split('\n')) {
    const f = line.split(',');
    if (f[0] === 'code-creation' && f[1] === 'JS') {
      const [, , , time, address, , fn = '', , marker = ''] = f;
      if (address) names.set(address, fn);
      const tier = TIERS[marker.charAt(0)];
      if (tier) place(Number(time), { kind: 'optimised', fn, detail: tier });
    } else if (f[0] === 'code-move' && f[1] && f[2]) {
      const fn = names.get(f[1]);
      if (fn !== undefined) names.set(f[2], fn);
    } else if (f[0] === 'code-deopt') {
      const [, time, , address = '', , , bailout = '', , reason = ''] = f;
      place(Number(time), { kind: 'deopt', fn: names.get(address) ?? address, detail: `${bailout}: ${reason}` });
    }
  }
  return summary;
}

function main(marksFile: string, dir: string): void {
  for (const window of parseMarks(readFileSync(marksFile, 'utf8'))) {
    const { deoptsBefore, optimisedBefore, inWindow } = summariseLog(readFileSync(path.join(dir, `v8-${window.pid}.log`), 'utf8'), window);
    const count = (kind: V8WindowEvent['kind']) => inWindow.filter((e) => e.kind === kind).length;
    console.log(`process ${window.pid}: before the window ${deoptsBefore} deopts, ${optimisedBefore} optimising compiles; in its ${((window.endMs - window.startMs) / 1000).toFixed(1)} s, ${count('deopt')} deopts, ${count('optimised')} optimising compiles`);
    for (const e of inWindow) console.log(`  ${(e.atMs / 1000).toFixed(2).padStart(6)} s  ${e.kind.padEnd(9)} ${e.fn}  (${e.detail})`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [marksFile, dir] = process.argv.slice(2);
  if (!marksFile || !dir) throw new Error('usage: v8-log-window.ts <marks file> <log dir>');
  main(marksFile, dir);
}
