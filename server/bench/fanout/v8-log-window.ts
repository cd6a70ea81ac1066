/**
 * What V8 did to a server's code inside the load window: its deoptimisations
 * and its optimising compiles (TurboFan, and Maglev on Node 22+), cut from a
 * V8 log at the window's start and end. Run the bench with
 *
 *   FANOUT_WINDOW_MARKS=<file> FANOUT_NODE_FLAGS="--log-deopt --log-code --logfile=<dir>/v8-%p.log --no-logfile-per-isolate"
 *
 * then  node --import tsx server/bench/fanout/v8-log-window.ts [--grouped] <marks file> <dir>
 *
 * (--grouped: the window's events counted by function and reason, in place of their list).
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

/**
 * Whose code a function is, from the script V8 names: the bench's bundles
 * (`rubicon-server.mjs`, `bare-server.mjs`, or tsx's server/ and shared/
 * sources) by their server, a package by its name under node_modules, Node's
 * own by `node:`. The Rubicon bundle holds the bench's server-side probes
 * too; their functions are few and named (load-probe.ts and the like).
 */
export function ownerOf(fn: string): string {
  if (/rubicon-server\.mjs:|\/(server|shared)\/src\//.test(fn)) return 'rubicon';
  if (/bare-server\.mjs:/.test(fn)) return 'bare';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(fn);
  if (pkg?.[1]) return pkg[1];
  return /\bnode:/.test(fn) ? 'node' : 'other';
}

export interface V8WindowGroup {
  owner: string;
  kind: V8WindowEvent['kind'];
  fn: string;
  detail: string;
  count: number;
}

/**
 * The window's events grouped by function, kind and reason (a deopt's) or
 * tier (a compile's), most frequent first: a function that keeps bouncing
 * between tiers shows as a count above one, which a list of single events hides.
 */
export function groupEvents(events: readonly V8WindowEvent[]): V8WindowGroup[] {
  const groups = new Map<string, V8WindowGroup>();
  for (const e of events) {
    const key = `${e.kind}\u0000${e.fn}\u0000${e.detail}`;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { owner: ownerOf(e.fn), kind: e.kind, fn: e.fn, detail: e.detail, count: 1 });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.owner.localeCompare(b.owner) || a.fn.localeCompare(b.fn));
}

/** Deopts and compiles in the window by owner, e.g. `rubicon 2 / 9`. */
export function byOwner(events: readonly V8WindowEvent[]): Map<string, { deopts: number; optimised: number }> {
  const out = new Map<string, { deopts: number; optimised: number }>();
  for (const e of events) {
    const o = out.get(ownerOf(e.fn)) ?? { deopts: 0, optimised: 0 };
    if (e.kind === 'deopt') o.deopts++;
    else o.optimised++;
    out.set(ownerOf(e.fn), o);
  }
  return out;
}

function main(marksFile: string, dir: string, grouped: boolean): void {
  for (const window of parseMarks(readFileSync(marksFile, 'utf8'))) {
    const { deoptsBefore, optimisedBefore, inWindow } = summariseLog(readFileSync(path.join(dir, `v8-${window.pid}.log`), 'utf8'), window);
    const count = (kind: V8WindowEvent['kind']) => inWindow.filter((e) => e.kind === kind).length;
    console.log(`process ${window.pid}: before the window ${deoptsBefore} deopts, ${optimisedBefore} optimising compiles; in its ${((window.endMs - window.startMs) / 1000).toFixed(1)} s, ${count('deopt')} deopts, ${count('optimised')} optimising compiles`);
    console.log(`  deopts / compiles by owner: ${[...byOwner(inWindow)].map(([o, c]) => `${o} ${c.deopts} / ${c.optimised}`).join(', ')}`);
    if (grouped) for (const g of groupEvents(inWindow)) console.log(`  ${String(g.count).padStart(4)} × ${g.kind.padEnd(9)} [${g.owner}] ${g.fn}  (${g.detail})`);
    else for (const e of inWindow) console.log(`  ${(e.atMs / 1000).toFixed(2).padStart(6)} s  ${e.kind.padEnd(9)} ${e.fn}  (${e.detail})`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const grouped = args.includes('--grouped');
  const [marksFile, dir] = args.filter((a) => a !== '--grouped');
  if (!marksFile || !dir) throw new Error('usage: v8-log-window.ts [--grouped] <marks file> <log dir>');
  main(marksFile, dir, grouped);
}
