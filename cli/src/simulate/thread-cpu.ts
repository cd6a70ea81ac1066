import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ, 100 on every Linux Node runs on). */
const USER_HZ = 100;

/**
 * CPU seconds the calling thread (the main thread or a worker) has used, or
 * null where it cannot be known. `process.cpuUsage()` counts the whole
 * process (every worker and V8's helper threads), so it cannot tell one
 * worker's cost per game from another's or from the machine's.
 */
export function threadCpuSeconds(): number | null {
  const own = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  if (own) {
    const c = own.call(process);
    return (c.user + c.system) / 1e6;
  }
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5), utime and stime, counted after the command's closing parenthesis.
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return null;
  }
}
