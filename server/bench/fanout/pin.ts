import { execFileSync } from 'node:child_process';

/**
 * Pins a process, every thread it has now and (by inheritance) every thread
 * it starts later, to one CPU. On a two-core machine an unpinned server and
 * harness take turns on both cores, so the harness's own bursts land in the
 * server's tail; pinned, each contender's server has a core of its own and
 * meets the harness only through the sockets.
 */
export function pinTo(pid: number | undefined, cpu: number): void {
  if (pid === undefined) throw new Error('cannot pin a process that has no pid');
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}
