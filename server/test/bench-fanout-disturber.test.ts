// The fan-out benchmark names what disturbed a phase: /proc/<pid>/stat of every process at the load
// window's edges, the other processes with the most CPU over it, the bench's own left out.
import { describe, expect, it } from 'vitest';
import { commandLine, parsePidStat, topProcesses, type ProcessTicks } from '../bench/fanout/process-cpu.ts';
import { DISTURBANCE_DEFAULTS, disturbanceOf } from '../bench/fanout/disturbance.ts';

/** A /proc/<pid>/stat line as Linux 6 writes it, with this utime, stime and start time. */
const stat = (pid: number, comm: string, ppid: number, utime: number, stime: number, start: number) =>
  `${pid} (${comm}) S ${ppid} ${pid} 7199 0 -1 4194304 102 0 0 0 ${utime} ${stime} 40 7 20 0 1 0 ${start} 3133440 398 18446744073709551615 94246691717120 0 0 0 17 1 0 0 0 0 0\n`;

const readings = (lines: string[]) => new Map(lines.map((l) => parsePidStat(l)).filter((p): p is ProcessTicks => p !== null).map((p) => [p.pid, p]));

describe('/proc/<pid>/stat', () => {
  it('reads the pid, comm, parent, CPU ticks (user + system, not children’s) and start time', () => {
    expect(parsePidStat(stat(12211, 'cat', 12209, 30, 12, 27765))).toEqual({ pid: 12211, comm: 'cat', ppid: 12209, ticks: 42, startTicks: 27765 });
  });

  it('reads a comm with spaces and parentheses by the last ")"', () => {
    expect(parsePidStat(stat(77, 'Web (Content) 2', 1, 5, 5, 900))).toMatchObject({ pid: 77, comm: 'Web (Content) 2', ppid: 1, ticks: 10, startTicks: 900 });
  });

  it('refuses what is not such a line', () => {
    expect(parsePidStat('')).toBeNull();
    expect(parsePidStat('12 (short) S 1 2 3')).toBeNull();
    expect(parsePidStat('x (cat) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5')).toBeNull();
  });

  it('turns a command line’s NULs into spaces and keeps its first 80 characters', () => {
    expect(commandLine('yes\0')).toBe('yes');
    expect(commandLine('node\0--import\0tsx\0server/bench/fanout.ts\0')).toBe('node --import tsx server/bench/fanout.ts');
    expect(commandLine(`node\0${'x'.repeat(200)}\0`)).toHaveLength(80);
  });
});

describe('the other processes with the most CPU over a window', () => {
  const start = readings([stat(1, 'init', 0, 100, 50, 1), stat(500, 'yes', 400, 1000, 0, 30), stat(600, 'node', 1, 5000, 900, 40), stat(601, 'esbuild', 600, 10, 0, 41), stat(700, 'redis-server', 1, 300, 300, 10), stat(800, 'gone', 1, 9, 9, 12)]);
  // 10 s later: yes used 980 ticks (98 % of a core); the server (600) and its esbuild child far more; a process started inside the window; 800 ended.
  const end = readings([stat(1, 'init', 0, 101, 50, 1), stat(500, 'yes', 400, 1980, 0, 30), stat(600, 'node', 1, 6000, 1000, 40), stat(601, 'esbuild', 600, 500, 0, 41), stat(700, 'redis-server', 1, 320, 310, 10), stat(900, 'vitest', 1, 150, 50, 9000)]);

  it('ranks them by % of a core, the excluded pids and their children left out', () => {
    const top = topProcesses(start, end, 10_000, new Set([600]), 3);
    expect(top.map((p) => [p.pid, p.comm, p.percent])).toEqual([
      [500, 'yes', 98],
      [900, 'vitest', 20],
      [700, 'redis-server', 3],
    ]);
  });

  it('counts all of a new process’s time, and a reused pid’s as new', () => {
    const reused = readings([stat(500, 'cc1', 1, 40, 10, 5000)]);
    expect(topProcesses(start, reused, 10_000, new Set(), 3)).toEqual([{ pid: 500, comm: 'cc1', percent: 5, cmdline: '' }]);
  });

  it('names none over an empty window or where nothing ran', () => {
    expect(topProcesses(start, end, 0, new Set(), 3)).toEqual([]);
    expect(topProcesses(start, start, 10_000, new Set(), 3)).toEqual([]);
  });

  it('puts them in the reason a disturbed phase gives, not in an undisturbed one’s', () => {
    const topOthers = topProcesses(start, end, 10_000, new Set([600, 700]), 3);
    // init's 0.1 % explains nothing and is left out of the reason.
    expect(topOthers.map((p) => p.comm)).toEqual(['yes', 'vitest', 'init']);
    expect(disturbanceOf({ stealPercent: 0, othersPercent: 121, topOthers }, DISTURBANCE_DEFAULTS)).toBe('others 121 % of a core; most CPU: yes 500 98 %, vitest 900 20 %');
    expect(disturbanceOf({ stealPercent: 0, othersPercent: 8, topOthers }, DISTURBANCE_DEFAULTS)).toBeNull();
  });
});
