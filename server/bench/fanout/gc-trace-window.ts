/**
 * Every garbage collection a server ran inside the load window, with what it
 * copied: a scavenge's pause grows with what survives it (copied within the
 * young generation, or promoted to the old), which perf_hooks' GC entries do
 * not say. Run the bench with
 *
 *   FANOUT_WINDOW_MARKS=<file> FANOUT_NODE_FLAGS=--trace-gc-nvp … > run.log
 *
 * (the servers' stdout is the bench's: one line per collection, prefixed with
 * the process id), then  node --import tsx server/bench/fanout/gc-trace-window.ts run.log <marks file>
 *
 * The trace's times count from V8's start, a few milliseconds after the
 * process's time origin that the marks use: close enough for a 10 s window.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantile } from '../stats.ts';
import { parseMarks, type WindowMarks } from './v8-log-window.ts';

export interface TracedGc {
  /** ms from the window's start. */
  atMs: number;
  /** `s` scavenge, `mc` mark-compact (and `mmc`, `ms` on some Nodes). */
  kind: string;
  pauseMs: number;
  /** Bytes a scavenge copied within the young generation, and bytes it promoted to the old one. */
  survived: number;
  promoted: number;
  /** The young generation's capacity after it (Node 22+ prints it; NaN before). */
  capacity: number;
}

const LINE = /^\[(\d+):0x[0-9a-f]+(?::\d+)?\]\s+(\d+(?:\.\d+)?) ms: (.*)$/;

/** The --trace-gc-nvp lines of each process, inside its window; lines of other processes or without a window are skipped. */
export function gcsInWindows(log: string, windows: readonly WindowMarks[]): Map<string, TracedGc[]> {
  const byPid = new Map(windows.map((w) => [w.pid, w]));
  const out = new Map<string, TracedGc[]>(windows.map((w) => [w.pid, []]));
  for (const line of log.split('\n')) {
    const m = LINE.exec(line);
    const w = m?.[1] ? byPid.get(m[1]) : undefined;
    if (!m || !w) continue;
    const at = Number(m[2]);
    if (at < w.startMs || at > w.endMs) continue;
    const kv = new Map((m[3] ?? '').split(' ').map((p) => p.split('=') as [string, string]));
    const num = (k: string) => Number(kv.get(k) ?? Number.NaN);
    out.get(w.pid)?.push({ atMs: at - w.startMs, kind: kv.get('gc') ?? '?', pauseMs: num('pause'), survived: num('new_space_survived'), promoted: num('promoted'), capacity: num('new_space_capacity') });
  }
  return out;
}

/** A process's scavenges: count, median and longest pause (ms), median bytes copied (survived + promoted). */
export function scavengeSummary(gcs: readonly TracedGc[]): { count: number; medianPauseMs: number; maxPauseMs: number; medianCopied: number } {
  const s = gcs.filter((g) => g.kind === 's');
  return {
    count: s.length,
    medianPauseMs: quantile(s.map((g) => g.pauseMs), 0.5),
    maxPauseMs: s.reduce((k, g) => Math.max(k, g.pauseMs), 0),
    medianCopied: quantile(s.map((g) => g.survived + g.promoted), 0.5),
  };
}

function main(logFile: string, marksFile: string): void {
  const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;
  for (const [pid, gcs] of gcsInWindows(readFileSync(logFile, 'utf8'), parseMarks(readFileSync(marksFile, 'utf8')))) {
    const s = scavengeSummary(gcs);
    console.log(`process ${pid}: ${gcs.length} collections in the window, ${s.count} scavenges: pause median ${s.medianPauseMs.toFixed(1)} ms, longest ${s.maxPauseMs.toFixed(1)} ms, copied median ${kb(s.medianCopied)}`);
    for (const g of gcs)
      console.log(`  ${(g.atMs / 1000).toFixed(2).padStart(6)} s  ${g.kind.padEnd(3)} ${g.pauseMs.toFixed(1).padStart(5)} ms  survived ${kb(g.survived)}, promoted ${kb(g.promoted)}${Number.isNaN(g.capacity) ? '' : `, young generation ${kb(g.capacity)}`}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [logFile, marksFile] = process.argv.slice(2);
  if (!logFile || !marksFile) throw new Error('usage: gc-trace-window.ts <bench output with --trace-gc-nvp> <marks file>');
  main(logFile, marksFile);
}
