/**
 * A server process (`root`'s server/src/main.ts, through tsx) with loop-probe.ts preloaded, for the benches
 * that measure how long one request holds its main thread (import-burst.ts, export-burst.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSessionFile } from '@rubicon/shared';
import { bundleInto, bundleService } from './compile.ts';
import { endlessLog } from './workload.ts';

export interface Probe {
  maxMs: number;
  p99Ms: number;
  stalls: { atMs: number; ms: number }[];
  /** CPU time of the whole process, every thread (workers included). */
  cpuMs: number;
  /** Time the main thread's event loop was busy (not waiting for events): its own share of the CPU. */
  busyMs: number;
  spanMs: number;
  /** The main thread's time in garbage collection, and its collections of 5 ms or more. */
  gcMs: number;
  gcs: { kind: string; atMs: number; ms: number }[];
}

export interface Probed {
  url: string;
  label: string;
  child: ChildProcess;
  /** Asks the probe for its figures since the last call, and waits for them. */
  read(): Promise<Probe>;
  stop(): Promise<void>;
}

const probePath = fileURLToPath(new URL('./loop-probe.ts', import.meta.url));
/** This checkout, the one the benches run from. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The server and its probe as bundles in `dir` (compile.ts), run with plain `node` as the shipped build runs:
 * no tsx in the process or its workers, so a worker starts as it does in production.
 */
async function compiledCommand(root: string, dir: string): Promise<string[]> {
  const service = await bundleService(root, path.join(dir, 'service'));
  const probe = await bundleInto(probePath, path.join(dir, 'probe'), repoRoot);
  return ['--import', pathToFileURL(probe).href, service];
}

/** `compiledDir`: run `root`'s server bundled there (compiledCommand); otherwise from source through tsx. */
export async function startProbed(root: string, label: string, env: Record<string, string>, compiledDir?: string): Promise<Probed> {
  const profileDir = process.env.IMPORT_BURST_PROFILE_DIR;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const command = compiledDir ? await compiledCommand(root, compiledDir) : ['--import', 'tsx', '--import', probePath, 'server/src/main.ts'];
  const child = spawn(process.execPath, [...profile, ...command], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const probes: Probe[] = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (line.startsWith('LOOP-PROBE ')) probes.push(JSON.parse(line.slice('LOOP-PROBE '.length)) as Probe);
      const found = /"url":"(http:\/\/[^"]+)"/.exec(line)?.[1];
      if (found) urlFound(found);
    }
  };
  let urlFound: (url: string) => void = () => {};
  const url = await new Promise<string>((resolve, reject) => {
    urlFound = resolve;
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${label}: the server exited (${code}) before listening: ${out.slice(-2000)}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    label,
    child,
    read: async () => {
      const before = probes.length;
      child.kill('SIGUSR2');
      while (probes.length === before) await new Promise((r) => setTimeout(r, 10));
      return probes[probes.length - 1] as Probe;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}


/** A probed server's settings: on 127.0.0.1, with room for long session files; on Redis when `redis` is given. */
export function probedEnv(redis: { url: string; prefix: string } | null): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    CLIENT_DIST: '/nonexistent-client-dist',
    ...(redis ? { REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix } : {}),
    MAX_IMPORT_BYTES: String(16 * 1024 * 1024),
    IMPORT_BYTES_PER_HOUR: '1000000000',
    HTTP_RATE_LIMIT_BURST: '1000',
    SESSIONS_PER_ADDRESS: '1000000',
    HTTP_RATE_LIMIT_PER_SEC: '1000',
  };
}

/** The text of a session file with `entries` events of an endless game (workload.ts). */
export function longSessionFile(seed: string, entries: number): string {
  const { game, log } = endlessLog(seed, entries);
  return JSON.stringify(buildSessionFile({ session: { sessionId: 'original', title: 'A long session', createdAt: 1, parent: null }, game, log, exportedAt: 1 }));
}
