import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createClient, type RedisClientType } from 'redis';

// The contention bench's server processes (contention.ts): starting them, and what they and Redis have counted and spent.

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `server/src/main.ts` and waits for the line naming its URL. */
export async function startServer(env: Record<string, string>, root: string): Promise<ServerProcess> {
  const profileDir = process.env.CONTENTION_PROFILE_DIR;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'server/src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`a server did not start within 180 s: ${out.slice(-2000)}`)), 180_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const found = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`a server exited (${code}) before listening: ${out.slice(-2000)}`)));
  });
  // Keep draining its output so a chatty process never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Commands Redis has processed, the scripts among them, and the CPU it has used so far (INFO), machine-independent costs of the store path. */
export interface RedisCounters {
  commands: number;
  scripts: number;
  cpuMs: number;
}

export async function redisCounters(url: string): Promise<RedisCounters> {
  const client: RedisClientType = createClient({ url });
  await client.connect();
  try {
    const info = (await client.info()) + (await client.info('commandstats'));
    const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0);
    const calls = (command: string) => Number(new RegExp(`^cmdstat_${command}:calls=([0-9]+)`, 'm').exec(info)?.[1] ?? 0);
    return { commands: field('total_commands_processed'), scripts: calls('eval') + calls('evalsha'), cpuMs: 1000 * (field('used_cpu_user') + field('used_cpu_sys')) };
  } finally {
    await client.quit();
  }
}

export const BENCH_METRICS_TOKEN = 'contention-bench';

/** The servers' own counts, summed over the processes: command-limit round trips, and append attempts per batch by bucket. */
export interface ServerCounts {
  limitRoundTrips: number | null;
  /** Cumulative: batches that took at most `le` attempts. */
  attemptBuckets: Map<number, number>;
  attemptSum: number;
}

export async function serverMetrics(servers: readonly ServerProcess[]): Promise<ServerCounts> {
  const counts: ServerCounts = { limitRoundTrips: null, attemptBuckets: new Map(), attemptSum: 0 };
  for (const s of servers) {
    const res = await fetch(new URL('/metrics', s.url), { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } });
    const text = await res.text();
    for (const line of text.split('\n')) {
      const [name, value] = line.split(' ');
      const n = Number(value);
      if (name === 'rubicon_command_limit_round_trips_total') counts.limitRoundTrips = (counts.limitRoundTrips ?? 0) + n;
      else if (name === 'rubicon_append_attempts_sum') counts.attemptSum += n;
      const le = /^rubicon_append_attempts_bucket\{le="([^"]+)"\}$/.exec(name ?? '')?.[1];
      const bound = le === '+Inf' ? Infinity : Number(le);
      if (le !== undefined) counts.attemptBuckets.set(bound, (counts.attemptBuckets.get(bound) ?? 0) + n);
    }
  }
  return counts;
}

/** Total CPU ms of the server processes so far (Linux /proc), or null where that is not readable. */
export function cpuOf(servers: readonly ServerProcess[]): number | null {
  let total = 0;
  for (const s of servers) {
    const ms = processCpuMs(s.child.pid);
    if (ms === null) return null;
    total += ms;
  }
  return total;
}

function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields 14 and 15 of /proc/PID/stat: user and system time in clock ticks (100 per second on Linux).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}
