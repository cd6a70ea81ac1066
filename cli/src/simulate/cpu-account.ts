import { threadCpuSeconds } from './thread-cpu.ts';

/**
 * Where a run's CPU went while the games were played: the threads that played them, this (the main)
 * thread, and everything else in the process (V8's compiler and garbage-collection helper threads,
 * the TypeScript loader's thread). Unlike games per wall second these do not depend on how busy the
 * machine is, so one-worker and two-worker runs can be compared on a shared machine: two workers
 * make twice one only if they cost no more CPU per game and what runs beside them fits in the cores.
 */
export interface CpuSplit {
  playing: number;
  main: number;
  other: number;
}

/** Starts counting now; `split` gives the CPU seconds since, or null where a thread's time cannot be read. */
export function cpuAccount(): { split(playing: readonly (number | null)[], inline: boolean): CpuSplit | null } {
  const process0 = process.cpuUsage();
  const main0 = threadCpuSeconds();
  return {
    split(playing, inline) {
      const main1 = threadCpuSeconds();
      const used = process.cpuUsage(process0);
      if (main0 === null || main1 === null || playing.some((s) => s === null)) return null;
      const total = (used.user + used.system) / 1e6;
      const main = main1 - main0;
      // Inline, this thread is the one that played: its time is not counted twice.
      const played = inline ? main : playing.reduce<number>((a, s) => a + (s ?? 0), 0);
      const mainBeside = inline ? 0 : main;
      return { playing: played, main: mainBeside, other: Math.max(0, total - played - mainBeside) };
    },
  };
}

/** One line for the terminal: the split, CPU per game, and the cores the run kept busy on average. */
export function formatCpuSplit(s: CpuSplit, games: number, seconds: number, inline: boolean): string {
  const total = s.playing + s.main + s.other;
  const ms = (x: number) => ((1000 * x) / Math.max(1, games)).toFixed(3);
  const where = inline ? 'this thread' : 'the worker threads';
  const beside = inline ? '' : `, ${s.main.toFixed(2)} s this thread`;
  return (
    `CPU while playing: ${total.toFixed(2)} s (${ms(total)} ms a game): ${s.playing.toFixed(2)} s ${where} (${ms(s.playing)} ms a game)${beside}, ` +
    `${s.other.toFixed(2)} s other threads (V8's compiler and GC helpers, the loader); ${(total / Math.max(seconds, 1e-9)).toFixed(2)} cores busy on average`
  );
}
